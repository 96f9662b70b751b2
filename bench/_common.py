"""Shared helpers for the bench/ scripts: timing, medians, tables, a throwaway project, media.

Every script builds its own throwaway project (SQLite database and media under a temporary
``MHA_VAR_DIR``), so a benchmark never touches ``var/`` or a running service's data. Test
media is generated once and cached under ``/tmp/mha-bench`` (it is big and slow to make).
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
PYTHON = REPO / ".venv" / "bin" / "python"
MANAGE = REPO / "manage.py"
CACHE = Path(os.environ.get("MHA_BENCH_CACHE", "/tmp/mha-bench"))  # noqa: S108 (a cache)

#: Service variables a developer may have exported (``scripts/services.py env``): a benchmark
#: runs on the embedded defaults unless it sets one of these on purpose.
SERVICE_VARS = (
    "DATABASE_URL", "REDIS_URL", "MHA_SEARCH_URL", "MHA_TEST_OPENSEARCH_URL",
    "MHA_TEST_ELASTICSEARCH_URL", "MHA_MEDIA_ROOT", "MHA_S3_BUCKET", "MHA_S3_ENDPOINT_URL",
    "MHA_S3_ACCESS_KEY_ID", "MHA_S3_SECRET_ACCESS_KEY", "MHA_S3_REGION", "MHA_TASKS_BACKEND",
)  # fmt: skip


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
        sys.path.insert(0, str(REPO))
        import django

        django.setup()

    def cleanup(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


# --- test media --------------------------------------------------------------------------


def textured_image(width: int, height: int, seed: int = 0):
    """An RGB image that compresses like a photograph of cloth, not like a flat colour.

    Coarse sines (folds, light) + a woven pattern (cross-stitch-like squares and diagonals)
    + fine grain (gaussian noise), with different mixes per band.
    """
    import pyvips

    xy = pyvips.Image.xyz(width, height)
    x, y = xy[0], xy[1]
    cell = 12 + seed % 7
    weave = ((x / cell).floor() + (y / cell).floor()) % 2  # 0/1 checker
    diag = ((x + y) % (cell * 3)) < cell  # 0/255 stripes
    bands = []
    for b in range(3):
        f = 1 + b + seed % 5
        sines = pyvips.Image.sines(width, height, hfreq=f * 0.7, vfreq=f * 0.4)
        noise = pyvips.Image.gaussnoise(width, height, mean=0, sigma=6 + 3 * b)
        band = 110 + 45 * sines + 35 * weave * (b + 1) / 2 + (diag / 255) * (25 - 10 * b) + noise
        bands.append(band)
    image = bands[0].bandjoin(bands[1:]).cast("uchar")
    return image.copy(interpretation="srgb")


def texture_tiff(width: int, height: int) -> Path:
    """A cached uncompressed RGB TIFF of ``width`` x ``height`` (like a scanner's output)."""
    path = CACHE / f"texture-{width}x{height}.tif"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        print(f"generating {path} (once) ...", flush=True)
        tmp = path.with_suffix(".part.tif")
        textured_image(width, height).tiffsave(str(tmp), compression="none")
        tmp.rename(path)
    return path


def texture_jpeg(width: int, height: int, quality: int = 90) -> Path:
    """A cached RGB JPEG of ``width`` x ``height``."""
    path = CACHE / f"texture-{width}x{height}-q{quality}.jpg"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        print(f"generating {path} (once) ...", flush=True)
        tmp = path.with_suffix(".part.jpg")
        textured_image(width, height).jpegsave(str(tmp), Q=quality)
        tmp.rename(path)
    return path


def small_jpegs(count: int, width: int = 800, height: int = 600) -> list[Path]:
    """``count`` distinct cached JPEGs with varied content (never the same bytes twice)."""
    folder = CACHE / f"small-{width}x{height}"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = folder / f"img{i:04d}.jpg"
        if not path.exists():
            tmp = folder / f".img{i:04d}.part.jpg"
            textured_image(width, height, seed=i).jpegsave(str(tmp), Q=85)
            tmp.rename(path)
        paths.append(path)
    return paths


def speech_wav(minutes: int) -> Path:
    """A cached stereo 48 kHz 16-bit WAV of ``minutes`` with speech-like content.

    Pink noise plus two tones (voice-band formant-ish), amplitude-modulated at syllable rate
    (~4 Hz) with a pause every few seconds, slightly different per channel.
    """
    path = CACHE / f"speech-{minutes}min.wav"
    if path.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    print(f"generating {path} (once) ...", flush=True)
    d = minutes * 60
    tmp = path.with_suffix(".part.wav")
    graph = (
        "[0][1][2]amix=inputs=3:weights=1 0.6 0.4,"
        "volume='(0.55+0.45*sin(2*PI*4.1*t))*if(lt(mod(t,6.5),4.8),1,0.08)':eval=frame,"
        "aformat=sample_fmts=s16:channel_layouts=stereo,"
        "pan=stereo|c0=c0|c1=0.8*c1"
    )
    subprocess.run(
        ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error",
         "-f", "lavfi", "-i", f"anoisesrc=color=pink:sample_rate=48000:amplitude=0.25:duration={d}",
         "-f", "lavfi", "-i", f"sine=frequency=180:sample_rate=48000:duration={d}",
         "-f", "lavfi", "-i", f"sine=frequency=420:sample_rate=48000:duration={d}",
         "-filter_complex", graph, "-ar", "48000", "-ac", "2", "-c:a", "pcm_s16le",
         "-y", str(tmp)],
        check=True,
    )  # fmt: skip
    tmp.rename(path)
    return path


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
    result = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True,
                            **kwargs)  # fmt: skip
    wall = time.perf_counter() - t0
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)
    rss = int(m.group(1)) / 1024 if m else float("nan")
    return rss, wall, result
