# The verbs a newcomer needs. `make demo` and `make test` are the README's two commands.
.PHONY: demo test check install lint format services services-down bench messages clean mutation

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

bench:           ## search benchmark: OpenSearch/Elasticsearch at 100k items, database at 10k
	scripts/services.py up opensearch elasticsearch && eval "$$(scripts/services.py env)" && \
	.venv/bin/python bench/search_bench.py

messages:        ## refresh the translation catalogues after changing user-facing text
	.venv/bin/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=var --no-obsolete

mutation:        ## mutation testing of the access rules, consent, the doors, sniffing; prints the kill ratio
	scripts/mutation.sh

clean:
	rm -rf var .pytest_cache mutants mutants.log
