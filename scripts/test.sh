#!/usr/bin/env bash
# The whole test suite, real services included: installs what is missing, starts
# PostgreSQL, Redis, S3, OpenSearch and Elasticsearch with scripts/services.py, checks lint
# and migrations, then runs pytest on SQLite and again on PostgreSQL.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
scripts/install.sh test
scripts/services.py up
eval "$(scripts/services.py env)"
# The search tests run against the real OpenSearch and Elasticsearch nodes too; with this set
# an unreachable node fails them instead of skipping them.
export MHA_SEARCH_TESTS_REQUIRED=1
PY=.venv/bin/python
# Test files are shared among this many processes (pytest-xdist; one file stays in one process,
# so module-scoped data is made once). MHA_TEST_WORKERS=0 runs in this process alone.
WORKERS=(-n "${MHA_TEST_WORKERS:-2}" --dist loadfile)

echo "== lint"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== migrations are complete; dependencies declared"
DJANGO_SETTINGS_MODULE=archive.settings.test $PY manage.py makemigrations --check --dry-run
.venv/bin/deptry .

echo "== tests on SQLite"
env -u DATABASE_URL $PY -m pytest "${WORKERS[@]}" "$@"
echo "== tests on PostgreSQL ($DATABASE_URL)"
DATABASE_URL="$DATABASE_URL" $PY -m pytest "${WORKERS[@]}" "$@"
