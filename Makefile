# The verbs a newcomer needs. `make demo` and `make test` are the README's two commands.
.PHONY: demo test check install lint format services services-down stack stack-down bench messages clean mutation

demo:            ## install what is missing and serve the demo archive on :8000
	scripts/demo.sh

test:            ## install what is missing and run the whole suite, real services included
	scripts/test.sh

check:           ## the fast loop: lint, migrations, dependencies, the suite without services or browser
	scripts/check.sh

install:
	scripts/install.sh test

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

format:
	.venv/bin/ruff format . && .venv/bin/ruff check --fix .

services:        ## start PostgreSQL, Redis, OpenSearch, Elasticsearch and S3 on 127.0.0.1
	scripts/services.py up

services-down:
	scripts/services.py down

stack:           ## the production stack on 127.0.0.1:8180 (nginx, 2 gunicorn, 2 RQ workers, 3 OpenSearch nodes, PG, Redis, S3)
	scripts/install.sh test && scripts/services.py up stack && \
	curl -sS --noproxy '*' -f http://127.0.0.1:8180/healthz && echo && \
	echo "The stack answers at http://127.0.0.1:8180/ (stop it: make stack-down)"

stack-down:      ## stop the stack's own processes (the shared PostgreSQL, Redis and S3 stay up)
	scripts/services.py down web app search-cluster

bench:           ## search benchmark: OpenSearch/Elasticsearch at 100k items, database at 10k
	scripts/services.py up opensearch elasticsearch && eval "$$(scripts/services.py env)" && \
	.venv/bin/python bench/search_bench.py

messages:        ## refresh the translation catalogues after changing user-facing text
	.venv/bin/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=var --no-obsolete

mutation:        ## mutation testing of the access rules, consent, the doors, sniffing; prints the kill ratio
	scripts/mutation.sh

clean:
	rm -rf var .pytest_cache mutants mutants.log
