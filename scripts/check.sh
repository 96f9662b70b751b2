#!/usr/bin/env bash
# The developers' fast loop: lint, migrations, declared dependencies, import rules, and the
# suite on SQLite without the real services, the browser or the multi-process tests (tests
# that need a service skip).
# `make test` runs everything, services included.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
scripts/install.sh test >/dev/null
PY=.venv/bin/python
# Test files are shared among this many processes (pytest-xdist; one file stays in one process,
# so module-scoped data is made once). MHA_TEST_WORKERS=0 runs in this process alone.
WORKERS=(-n "${MHA_TEST_WORKERS:-2}" --dist loadfile)
echo "== lint"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== migrations are complete"
DJANGO_SETTINGS_MODULE=archive.settings.test $PY manage.py makemigrations --check --dry-run
echo "== dependencies: none missing, unused or only transitive"
.venv/bin/deptry .
echo "== tests (SQLite, no services, no browser)"
env -u DATABASE_URL -u REDIS_URL -u MHA_SEARCH_URL -u MHA_TEST_OPENSEARCH_URL \
  -u MHA_TEST_ELASTICSEARCH_URL -u MHA_TEST_ELASTICSEARCH9_URL -u OPENSEARCH_URL -u ELASTICSEARCH_URL -u MHA_S3_BUCKET \
  -u MHA_SEARCH_TESTS_REQUIRED \
  $PY -m pytest "${WORKERS[@]}" -m "not browser and not processes" -q "$@"
