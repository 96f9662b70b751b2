"""Shared helpers for the bench/ scripts: timing, medians, tables, a throwaway project, media.

Every script builds its own throwaway project (SQLite database and media under a temporary
``MHA_VAR_DIR``), so a benchmark never touches ``var/`` or a running service's data. Test
media is made by ``demo.mediamaker`` once and cached under ``/tmp/mha-bench``.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # bench/ scripts run as files; the project's packages live here

from demo import mediamaker as media  # noqa: E402

PYTHON = REPO / ".venv" / "bin" / "python"
MANAGE = REPO / "manage.py"
CACHE = Path(os.environ.get("MHA_BENCH_CACHE", "/tmp/mha-bench"))  # noqa: S108 (a cache)

#: Service variables a developer may have exported (``scripts/services.py env``): a benchmark
#: runs on the embedded defaults unless it sets one of these on purpose.
SERVICE_VARS = (
    "DATABASE_URL",
    "REDIS_URL",
    "MHA_SEARCH_URL",
    "MHA_TEST_OPENSEARCH_URL",
    "MHA_TEST_ELASTICSEARCH_URL",
    "MHA_MEDIA_ROOT",
    "MHA_S3_BUCKET",
    "MHA_S3_ENDPOINT_URL",
    "MHA_S3_ACCESS_KEY_ID",
    "MHA_S3_SECRET_ACCESS_KEY",
    "MHA_S3_REGION",
    "MHA_TASKS_BACKEND",
)


# --- timing and statistics ---------------------------------------------------------------


def timed(fn: Callable[[], object]) -> float:
    """Wall-clock seconds taken by ``fn()``."""
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def summary(values: Sequence[float]) -> tuple[float, float, float]:
    """(median, min, max)."""
    return statistics.median(values), min(values), max(values)


def fmt_s(seconds: float) -> str:
    return f"{seconds:.2f} s"


def print_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A small fixed-width table (first column left-aligned, the rest right-aligned)."""
    cells = [[str(c) for c in headers]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def line(r: Sequence[str]) -> str:
        return "  ".join(
            (c.ljust(w) if i == 0 else c.rjust(w))
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )

    print()
    print(title)
    print(line(cells[0]))
    print("  ".join("-" * w for w in widths))
    for r in cells[1:]:
        print(line(r))


def timing_row(name: str, values: Sequence[float], extra: Sequence[object] = ()) -> list:
    med, lo, hi = summary(values)
    return [name, len(values), fmt_s(med), fmt_s(lo), fmt_s(hi), *extra]


def verdict(ratio: float, target: float) -> str:
    return "met" if ratio <= target else "MISSED"


# --- the machine -------------------------------------------------------------------------


def _first_line(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "?"


def machine_note() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        mem = f"{kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, AttributeError):
        pass
    vips = _first_line(["vips", "--version"])
    ffmpeg = _first_line(["ffmpeg", "-version"]).split(" Copyright")[0]
    return (
        f"machine: {os.cpu_count()} cores ({cpu}), {mem}; {vips}; {ffmpeg}; "
        f"Python {platform.python_version()}; load average now "
        + " ".join(f"{x:.1f}" for x in os.getloadavg())
        + " (the machine is shared: other processes compete for the cores)"
    )


# --- a throwaway project -----------------------------------------------------------------


class Project:
    """A project with its own ``MHA_VAR_DIR`` (SQLite + media) in a temporary folder.

    ``Project.create()`` migrates once (in a subprocess) and loads the collections;
    ``clone()`` copies that state into a fresh folder, so repeated runs need not migrate.
    Temporary files of the commands run through it (``TMPDIR``) stay inside its folder.
    """

    def __init__(self, root: Path, extra_env: dict[str, str] | None = None):
        self.root = root
        self.var = root / "var"
        self.tmp = root / "tmp"
        self.var.mkdir(parents=True, exist_ok=True)
        self.tmp.mkdir(parents=True, exist_ok=True)
        self.extra_env = dict(extra_env or {})

    @classmethod
    def create(cls, label: str, extra_env: dict[str, str] | None = None) -> Project:
        CACHE.mkdir(parents=True, exist_ok=True)
        root = Path(tempfile.mkdtemp(prefix=f"project-{label}-", dir=CACHE))
        project = cls(root, extra_env)
        project.manage("migrate", "--no-input", "-v", "0")
        project.manage("load_collections")
        return project

    def clone(self, label: str, extra_env: dict[str, str] | None = None) -> Project:
        root = Path(tempfile.mkdtemp(prefix=f"project-{label}-", dir=CACHE))
        shutil.copytree(self.var, root / "var")
        return Project(root, {**self.extra_env, **(extra_env or {})})

    @property
    def db_path(self) -> Path:
        return self.var / "archive.sqlite3"

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARS}
        env.update(
            DJANGO_SETTINGS_MODULE="archive.settings.dev",
            MHA_VAR_DIR=str(self.var),
            TMPDIR=str(self.tmp),
            MHA_LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
        )
        env.update(self.extra_env)
        return env

    def manage_cmd(self, *args: str) -> list[str]:
        return [str(PYTHON), str(MANAGE), *args]

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(
            self.manage_cmd(*args), cwd=REPO, env=self.env, capture_output=True, text=True
        )
        if check and result.returncode != 0:
            sys.stderr.write(result.stdout[-3000:] + result.stderr[-3000:])
            raise SystemExit(f"manage.py {' '.join(args)} failed ({result.returncode})")
        return result

    def setup_django(self) -> None:
        """Configure Django in this process for this project (once per process)."""
        for key in SERVICE_VARS:
            os.environ.pop(key, None)
        os.environ.update({k: v for k, v in self.env.items() if k != "TMPDIR"})
        tempfile.tempdir = str(self.tmp)
        import django

        django.setup()

    def cleanup(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


# --- test media: made by demo.mediamaker, cached because it is big and slow to make ------


def _cached(name: str, make: Callable[[Path], object], say: bool = True) -> Path:
    """``CACHE/name``, made by ``make(path)`` the first time (the maker writes atomically)."""
    path = CACHE / name
    if not path.exists():
        if say:
            print(f"generating {path} (once) ...", flush=True)
        make(path)
    return path


def texture_tiff(width: int, height: int) -> Path:
    """An uncompressed RGB TIFF of cloth-like texture (like a scanner's output)."""
    return _cached(f"texture-{width}x{height}.tif", lambda p: media.texture(p, width, height))


def texture_jpeg(width: int, height: int, quality: int = 90) -> Path:
    """An RGB JPEG of cloth-like texture."""
    return _cached(
        f"texture-{width}x{height}-q{quality}.jpg",
        lambda p: media.texture(p, width, height, quality=quality),
    )


def small_jpegs(count: int, width: int = 800, height: int = 600) -> list[Path]:
    """``count`` distinct JPEGs with varied content (never the same bytes twice)."""

    def maker(seed: int) -> Callable[[Path], object]:
        return lambda p: media.texture(p, width, height, seed=seed, quality=85)

    folder = f"small-{width}x{height}"
    return [_cached(f"{folder}/img{i:04d}.jpg", maker(i), say=False) for i in range(count)]


def speech_wav(minutes: int) -> Path:
    """A stereo 48 kHz 16-bit WAV of ``minutes`` with speech-like content."""
    return _cached(f"speech-{minutes}min.wav", lambda p: media.speech_like(p, minutes * 60))


def warm(path: Path) -> None:
    """Read ``path`` once so every timed run starts with it in the page cache."""
    with open(path, "rb") as fh:
        while fh.read(8 * 1024 * 1024):
            pass


def rss_and_wall(cmd: list[str], **kwargs) -> tuple[float, float, subprocess.CompletedProcess]:
    """Run ``cmd`` under ``/usr/bin/time -v``: (max RSS in MiB, wall seconds, result)."""
    if not Path("/usr/bin/time").exists():
        raise SystemExit("/usr/bin/time is missing: apt-get install time")
    t0 = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True, **kwargs)
    wall = time.perf_counter() - t0
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)
    rss = int(m.group(1)) / 1024 if m else float("nan")
    return rss, wall, result
