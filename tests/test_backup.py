"""``manage.py backup`` and ``manage.py restore``: a round trip into an empty archive.

Run as separate processes on their own database and media folder, as an operator would: the
source archive has an ingested image (original, pyramid, tiles); the backup is restored into
a new, empty database and storage, the fixity audit passes there, and the files and pages
are the same. On SQLite (online backup API) and on the real PostgreSQL (pg_dump/pg_restore).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SETUP = """
from pathlib import Path
from tests import factories, iiif_support as s
pattern, image = s.image_item(Path({work!r}))
print(image.original.sha256)
"""
COUNTS = """
from archive.assets.models import Derivative, Original
from archive.items.models import ItemPage
print(Original.objects.count(), Derivative.objects.count(), ItemPage.objects.count(),
      Original.objects.get().sha256)
"""


def _env(var: Path, database_url: str = "") -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MHA_", "DATABASE_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="archive.settings.dev",
        MHA_VAR_DIR=str(var),
        MHA_LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _manage(env: dict, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if ok:
        assert done.returncode == 0, done.stderr[-3000:]
    return done


def _databases(engine: str, tmp_path: Path):
    if engine == "sqlite":
        return "", ""
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        pytest.fail("DATABASE_URL must point at the real PostgreSQL (scripts/services.py env)")
    names = [f"mha_backup_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    root = base.rsplit("/", 1)[0]
    return tuple(f"{root}/{name}" for name in names)


@pytest.mark.processes
@pytest.mark.parametrize("engine", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_backup_restores_into_an_empty_archive_and_passes_fixity(engine, tmp_path):
    source_url, target_url = _databases(engine, tmp_path)
    source = _env(tmp_path / "source", source_url)
    target = _env(tmp_path / "target", target_url)
    for url in (source_url, target_url):
        if url:
            done = subprocess.run(
                [
                    "psql",
                    url.rsplit("/", 1)[0] + "/postgres",
                    "-c",
                    f"CREATE DATABASE {url.rsplit('/', 1)[1]}",
                ],
                capture_output=True,
                text=True,
            )
            assert done.returncode == 0, done.stderr
    try:
        _manage(source, "migrate", "--no-input", "-v0")
        work = tmp_path / "work"
        work.mkdir()
        _manage(source, "shell", "--no-imports", "-c", SETUP.format(work=str(work)))
        before = (
            _manage(source, "shell", "--no-imports", "-c", COUNTS).stdout.splitlines()[-1].split()
        )
        backup = tmp_path / "backup"
        out = _manage(source, "backup", str(backup)).stdout
        assert "backup:" in out
        manifest = json.loads((backup / "manifest.json").read_text())
        original = next(e for e in manifest if e["name"].startswith("originals/"))
        assert original["sha256"] == before[3]
        assert (backup / ("database.dump" if source_url else "database.sqlite3")).exists()

        # A backup refuses to go over another one; a restore refuses a non-empty archive.
        assert _manage(source, "backup", str(backup), ok=False).returncode != 0
        refused = _manage(source, "restore", str(backup), ok=False)
        assert refused.returncode != 0 and "empty" in refused.stderr

        _manage(target, "migrate", "--no-input", "-v0")  # an empty stack has migrated
        restored = _manage(target, "restore", str(backup)).stdout
        assert "fixity: 1 ok, 0 problems, 1 originals" in restored
        assert (
            _manage(target, "shell", "--no-imports", "-c", COUNTS).stdout.splitlines()[-1].split()
            == before
        )
        media = tmp_path / "target" / "media" / original["name"]
        assert hashlib.sha256(media.read_bytes()).hexdigest() == original["sha256"]
    finally:
        for url in (source_url, target_url):
            if url:
                subprocess.run(
                    [
                        "psql",
                        url.rsplit("/", 1)[0] + "/postgres",
                        "-c",
                        f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)",
                    ],
                    capture_output=True,
                )
