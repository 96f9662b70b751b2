#!/usr/bin/env bash
# Mutation testing of the rules: the access policy, consent counting, the asset and IIIF
# doors, sniffing (the files and settings are [tool.mutmut] in pyproject.toml). mutmut copies
# the project into mutants/, makes each mutant, runs only the tests that reached the mutated
# function, and keeps its verdicts there (a second run retests only what changed).
# Usage: scripts/mutation.sh [fresh]   ("fresh" throws the kept verdicts away first)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
scripts/install.sh test >/dev/null
# The embedded defaults only: SQLite, the database search backend, local files.
unset DATABASE_URL MHA_TEST_OPENSEARCH_URL MHA_TEST_ELASTICSEARCH_URL MHA_SEARCH_URL MHA_SEARCH_ENGINE \
  MHA_S3_BUCKET || true
[[ "${1:-}" == fresh ]] && rm -rf mutants
# One migrated database, copied by every test session (tests/conftest.py): each mutant's
# run then starts in about a second instead of migrating for twelve.
mkdir -p var
export MHA_TEST_DB_TEMPLATE="$ROOT/var/mutation-template.sqlite3"
rm -f "$MHA_TEST_DB_TEMPLATE"*
DJANGO_SETTINGS_MODULE=archive.settings.test DATABASE_URL="sqlite:///$MHA_TEST_DB_TEMPLATE" \
  .venv/bin/python manage.py migrate -v0
.venv/bin/python -c "import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute(
  'PRAGMA wal_checkpoint(TRUNCATE)')" "$MHA_TEST_DB_TEMPLATE"
start=$SECONDS
.venv/bin/mutmut run --max-children "${MUTATION_JOBS:-$(nproc)}" >mutants.log 2>&1 || {
  tail -n 40 mutants.log; exit 1; }
.venv/bin/mutmut export-cicd-stats >/dev/null
.venv/bin/python - "$((SECONDS - start))" <<'PY'
import json
import subprocess
import sys

s = json.load(open("mutants/mutmut-cicd-stats.json"))
killed = s["killed"] + s["timeout"]  # a mutant that hangs the tests is caught too
total = s["total"] - s["skipped"]
print(f"mutants: {total}  killed: {killed}  survived: {s['survived']}  "
      f"no tests: {s['no_tests']}  suspicious: {s['suspicious']}  ({sys.argv[1]} s)")
print(f"kill ratio: {killed}/{total} = {killed / total:.1%}" if total else "no mutants")
out = subprocess.run([".venv/bin/mutmut", "results"], capture_output=True, text=True).stdout
survivors = [line.strip() for line in out.splitlines() if line.strip()]
if survivors:
    print("not killed (inspect one with: .venv/bin/mutmut show NAME):")
    print("\n".join("  " + line for line in survivors))
PY
