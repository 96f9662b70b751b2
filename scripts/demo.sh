#!/usr/bin/env bash
# Start the demo archive on the embedded defaults: SQLite, database search, local files,
# database-backed tasks. Installs what is missing first. Serves http://127.0.0.1:8000/
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
scripts/install.sh demo
export DJANGO_SETTINGS_MODULE=archive.settings.dev
PY=.venv/bin/python
$PY manage.py migrate --no-input -v0
$PY manage.py load_demo
$PY manage.py search_reindex
$PY manage.py ensure_demo_admin
# The task worker makes derivatives of everything curators upload while the demo runs.
$PY manage.py worker >var/worker.log 2>&1 &
WORKER=$!
trap 'kill $WORKER 2>/dev/null || true' EXIT INT TERM
echo
echo "  Miao Heritage Archive: http://127.0.0.1:${PORT:-8000}/"
echo "  Admin: http://127.0.0.1:${PORT:-8000}/admin/  user 'admin', password 'miao-demo-archive'"
echo
$PY manage.py runserver "127.0.0.1:${PORT:-8000}" --noreload
