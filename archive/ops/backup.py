"""A consistent backup of the archive, and its restore into an empty stack.

A backup is a folder:

    meta.json        what was backed up, when, from which database engine
    database.dump    pg_dump's custom format (PostgreSQL: one snapshot of every table), or
    database.sqlite3 a copy made with SQLite's online backup API (consistent while in use)
    media/...        every file of the default storage (local or S3), under its own name
    manifest.json    each media file's name, size and SHA-256

The database is dumped first and the files copied after: originals are stored once under
their checksum and never modified, so every original the dump names is there to copy (a file
added after the dump is copied too, and is only an orphan in the restored archive). The search
index is not backed up: ``restore`` rebuilds it from the database (``search_reindex``).

``restore`` refuses a database that already holds the archive's tables, checks every file
against the manifest as it copies, and ends with the fixity audit of every original.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import connection

CHUNK = 1 << 20


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why."""


@dataclass
class Summary:
    files: int
    bytes: int
    engine: str


def _walk(storage, prefix: str = ""):
    dirs, files = storage.listdir(prefix)
    for name in sorted(files):
        yield f"{prefix}{name}"
    for sub in sorted(dirs):
        yield from _walk(storage, f"{prefix}{sub}/")


def _pg_env() -> tuple[list[str], dict[str, str]]:
    db = settings.DATABASES["default"]
    args = ["-h", db.get("HOST") or "127.0.0.1", "-p", str(db.get("PORT") or 5432)]
    args += ["-U", db["USER"]] if db.get("USER") else []
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _pg_tool(name: str) -> str:
    """The client tool of the server's major version, else the newest installed."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        major = int(cursor.fetchone()[0]) // 10000
    for candidate in (f"/usr/lib/postgresql/{major}/bin/{name}", shutil.which(name)):
        if candidate and Path(candidate).exists():
            return candidate
    raise BackupError(f"{name} is missing (Debian package postgresql-client-{major})")


def dump_database(dest: Path) -> str:
    vendor = connection.vendor
    if vendor == "postgresql":
        args, env = _pg_env()
        out = dest / "database.dump"
        cmd = [_pg_tool("pg_dump"), *args, "-Fc", "--no-owner", "--no-acl", "-f", str(out)]
        done = subprocess.run(
            [*cmd, settings.DATABASES["default"]["NAME"]], env=env, capture_output=True, text=True
        )
        if done.returncode:
            raise BackupError(f"pg_dump failed: {done.stderr.strip()[-1000:]}")
    elif vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(dest / "database.sqlite3") as target:
            connection.connection.backup(target)
        target.close()
    else:
        raise BackupError(f"no backup for the {vendor} database engine")
    return vendor


def copy_media(dest: Path) -> tuple[int, int]:
    media = dest / "media"
    manifest = []
    total = 0
    for name in _walk(default_storage):
        if name.startswith("healthz/"):
            continue  # /healthz's probe files live for milliseconds
        target = media / name
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        with default_storage.open(name, "rb") as src, open(target, "wb") as out:
            for chunk in iter(lambda s=src: s.read(CHUNK), b""):
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
        manifest.append({"name": name, "size": size, "sha256": digest.hexdigest()})
        total += size
    (dest / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return len(manifest), total


def backup(dest: Path) -> Summary:
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"{dest} is not empty: a backup goes into a new folder")
    dest.mkdir(parents=True, exist_ok=True)
    engine = dump_database(dest)
    files, size = copy_media(dest)
    meta = {
        "format": 1,
        "version": settings.MHA_VERSION,
        "engine": engine,
        "taken_at": datetime.now(UTC).isoformat(),
        "files": files,
        "bytes": size,
        "search": "not included: rebuilt from the database by restore (search_reindex)",
    }
    (dest / "meta.json").write_text(json.dumps(meta, indent=1))
    return Summary(files, size, engine)


def _database_is_empty() -> bool:
    """No archive in it: no tables yet, or only what ``migrate`` makes (an empty stack)."""
    if "assets_original" not in connection.introspection.table_names():
        return True
    from archive.assets.models import Original
    from archive.items.models import ItemPage

    return not Original.objects.exists() and not ItemPage.objects.exists()


def restore_database(src: Path, meta: dict) -> None:
    vendor = connection.vendor
    if meta["engine"] != vendor:
        raise BackupError(f"the backup is of {meta['engine']}, this database is {vendor}")
    if not _database_is_empty():
        raise BackupError("the database already holds the archive: restore into an empty one")
    if vendor == "postgresql":
        args, env = _pg_env()
        name = settings.DATABASES["default"]["NAME"]
        # An empty stack has run migrate: its empty tables make way for the dump's.
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        connection.close()
        cmd = [_pg_tool("pg_restore"), *args, "--no-owner", "--no-acl", "--exit-on-error"]
        done = subprocess.run(
            [*cmd, "-d", name, str(src / "database.dump")], env=env, capture_output=True, text=True
        )
        if done.returncode:
            raise BackupError(f"pg_restore failed: {done.stderr.strip()[-1000:]}")
    else:
        connection.ensure_connection()
        with sqlite3.connect(src / "database.sqlite3") as source:
            source.backup(connection.connection)
        source.close()
        connection.close()


def restore_media(src: Path) -> tuple[int, int]:
    manifest = json.loads((src / "manifest.json").read_text())
    total = 0
    for entry in manifest:
        path = src / "media" / entry["name"]
        digest = hashlib.sha256()
        with open(path, "rb") as fh:
            for chunk in iter(lambda f=fh: f.read(CHUNK), b""):
                digest.update(chunk)
        if digest.hexdigest() != entry["sha256"]:
            raise BackupError(f"{entry['name']} in the backup does not match its checksum")
        if default_storage.exists(entry["name"]):
            raise BackupError(f"{entry['name']} is already in the storage: restore into empty")
        with open(path, "rb") as fh:
            saved = default_storage.save(entry["name"], File(fh))
        if saved != entry["name"]:
            raise BackupError(f"the storage stored {entry['name']} as {saved}")
        total += entry["size"]
    return len(manifest), total


def restore(src: Path) -> Summary:
    meta_path = src / "meta.json"
    if not meta_path.exists():
        raise BackupError(f"{src} is not a backup (no meta.json)")
    meta = json.loads(meta_path.read_text())
    restore_database(src, meta)
    files, size = restore_media(src)
    return Summary(files, size, meta["engine"])
