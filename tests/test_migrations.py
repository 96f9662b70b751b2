"""The media models moved from the first wave's ``media_pipeline`` app to ``archive.assets``.

A database filled by the code before the move is migrated by the code after it: every
original, asset and derivative is still there under the new names, and the archive keeps
working on it (the same bytes are recognised, the file door serves the old derivatives).
Runs on SQLite, and on PostgreSQL when ``DATABASE_URL`` points there.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from demo import mediamaker as make

pytestmark = pytest.mark.processes
REPO = Path(__file__).resolve().parents[1]
OLD_MIGRATION = "media_pipeline/migrations/0001_initial.py"

COUNT_ROWS = """
import json
from django.apps import apps
from django.db import connection
model = lambda name: apps.get_model(APP, name)
print(json.dumps({
    "originals": sorted(model("original").objects.values_list("sha256", flat=True)),
    "assets": model("mediaasset").objects.count(),
    "derivatives": sorted(model("derivative").objects.values_list("name", flat=True)),
    "tables": sorted(t for t in connection.introspection.table_names() if "mediaasset" in t),
}))
"""
CONTENT_TYPES = """
import json
from django.contrib.contenttypes.models import ContentType
print(json.dumps(sorted(ContentType.objects.filter(model="mediaasset")
                        .values_list("app_label", flat=True))))
"""


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.strip()


@pytest.fixture
def first_wave_tree(tmp_path):
    """The project as it was just before the move, exported from git history."""
    try:
        moved_in = _git("rev-list", "-1", "HEAD", "--", OLD_MIGRATION)
        before = _git("rev-parse", "--verify", f"{moved_in}^")
    except (subprocess.CalledProcessError, FileNotFoundError) as exc:
        pytest.skip(f"needs the git history of the move (a full clone): {exc}")
    tree = tmp_path / "first-wave"
    tree.mkdir()
    archive = subprocess.run(["git", "archive", before], cwd=REPO, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    return tree


@pytest.fixture
def database_url(tmp_path):
    """A database of its own: a new PostgreSQL database, or an SQLite file."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
        return
    import psycopg

    name = f"mha_migration_{uuid.uuid4().hex[:8]}"
    parts = urlsplit(url)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(tree: Path, env: dict, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def test_a_first_wave_database_keeps_every_media_row_after_the_move(
    first_wave_tree, database_url, tmp_path
):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "archive.settings.test",
        "DATABASE_URL": database_url,
        "PYTHONPATH": "",
    }
    files = tmp_path / "upload"
    files.mkdir()
    make.card(files / "butterfly.jpg")
    make.tone(files / "song.wav", seconds=1.5)

    # The first wave's code makes the database and fills it.
    manage(first_wave_tree, env, "migrate", "--no-input", "-v0")
    manage(first_wave_tree, env, "load_collections")
    manage(first_wave_tree, env, "ingest", str(files), "--collection", "embroidery", "--wait")
    old = json.loads(
        manage(
            first_wave_tree, env, "shell", "-v0", "-c", "APP='media_pipeline'\n" + COUNT_ROWS
        ).stdout
    )
    assert old["assets"] == 2 and "thumb" in old["derivatives"] and "opus" in old["derivatives"]

    # Today's code migrates the same database.
    manage(REPO, env, "migrate", "--no-input", "-v0")
    new = json.loads(manage(REPO, env, "shell", "-v0", "-c", "APP='assets'\n" + COUNT_ROWS).stdout)
    assert new["originals"] == old["originals"]
    assert new["assets"] == old["assets"]
    assert new["derivatives"] == old["derivatives"]
    assert new["tables"] == ["assets_mediaasset"]
    # Permissions and revisions point at the content type, which is renamed, not doubled.
    types = json.loads(manage(REPO, env, "shell", "-v0", "-c", CONTENT_TYPES).stdout)
    assert types == ["assets"]

    # The archive goes on working on it: the same bytes are recognised, not stored again.
    again = manage(
        REPO, env, "ingest", str(files / "butterfly.jpg"), "--collection", "embroidery", "--json"
    )
    record = json.loads(again.stdout.strip().splitlines()[-1])
    assert record["status"] == "ok" and record["stored"] is False
    assert record["sha256"] in old["originals"]
