"""Where the pixels come from: pre-cut tiles in a zip, or libvips on the pyramid.

Both are opened through Django's storage, so they work on a local disk and on S3. Open zips
and their name indexes are kept in a small per-process LRU: a viewer asks for dozens of tiles
of the same image in a row, and reading a zip's central directory each time would dominate.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
import threading
import zipfile
from collections import OrderedDict
from pathlib import Path

from django.core.files.storage import default_storage

from .image_api import ImageRequest

_TILE_NAME = re.compile(r"(?:^|/)(\d+),(\d+),(\d+),(\d+)/(\d+),(\d+)/0/default\.jpg$")
ZIP_CACHE_SIZE = 32


class _TileZip:
    def __init__(self, name: str):
        self.fh = default_storage.open(name, "rb")
        self.zip = zipfile.ZipFile(self.fh)
        self.index: dict[tuple[int, ...], str] = {}
        for info in self.zip.infolist():
            m = _TILE_NAME.search(info.filename)
            if m:
                self.index[tuple(int(v) for v in m.groups())] = info.filename
        # Regions are in full-image pixels, so the tiles say the size as shown (orientation
        # applied) whatever the database recorded.
        self.width = max((k[0] + k[2] for k in self.index), default=0)
        self.height = max((k[1] + k[3] for k in self.index), default=0)
        self.lock = threading.Lock()

    def read(self, key: tuple[int, ...]) -> bytes | None:
        name = self.index.get(key)
        if name is None:
            return None
        with self.lock:
            return self.zip.read(name)

    def close(self) -> None:
        self.zip.close()
        self.fh.close()


_zips: OrderedDict[str, _TileZip] = OrderedDict()
_zips_lock = threading.Lock()


def _tile_zip(name: str) -> _TileZip:
    # Keyed by where the storage is too: two storages may hold the same relative name.
    key = f"{getattr(default_storage, 'location', '')}|{name}"
    with _zips_lock:
        tz = _zips.get(key)
        if tz is not None:
            _zips.move_to_end(key)
            return tz
    tz = _TileZip(name)  # outside the lock: opening may be a network round trip
    with _zips_lock:
        _zips[key] = tz
        while len(_zips) > ZIP_CACHE_SIZE:
            _, old = _zips.popitem(last=False)
            old.close()
    return tz


def forget_zip(name: str) -> None:
    key = f"{getattr(default_storage, 'location', '')}|{name}"
    with _zips_lock:
        tz = _zips.pop(key, None)
    if tz is not None:
        tz.close()


def pre_cut_tile(zip_name: str, req: ImageRequest) -> bytes | None:
    """The tile's JPEG bytes when dzsave cut exactly this request, else None."""
    if not req.is_plain:
        return None
    try:
        tz = _tile_zip(zip_name)
    except (OSError, zipfile.BadZipFile):
        return None  # fall back to computing it; the pipeline can remake the zip
    return tz.read((req.x, req.y, req.w, req.h, req.out_w, req.out_h))


def local_path(name: str) -> str:
    """A path libvips can open: the storage's own file, or a local copy of a remote one."""
    try:
        return default_storage.path(name)
    except NotImplementedError:
        pass
    cache_dir = Path(tempfile.gettempdir()) / "mha-iiif-sources"
    cache_dir.mkdir(exist_ok=True)
    local = cache_dir / hashlib.sha256(name.encode()).hexdigest()
    if not local.exists():
        partial = local.with_suffix(".part")
        with default_storage.open(name, "rb") as src, open(partial, "wb") as out:
            for chunk in iter(lambda: src.read(1 << 20), b""):
                out.write(chunk)
        partial.replace(local)
    return str(local)


def render(path: str, full_w: int, full_h: int, req: ImageRequest) -> bytes:
    """Compute the request with libvips from the pyramid (or any image file) at ``path``.

    Picks the smallest page still at least as large as the output scale, so the pixels
    decoded stay within about four times the output area.
    """
    import pyvips

    head = pyvips.Image.new_from_file(path)
    pages = head.get("n-pages") if "n-pages" in head.get_fields() else 1
    scale = max(req.out_w / req.w, req.out_h / req.h)
    page_img = head
    for n in range(1, pages):
        candidate = pyvips.Image.new_from_file(path, page=n)
        if candidate.width >= full_w * scale and candidate.height >= full_h * scale:
            page_img = candidate
        else:
            break
    fx, fy = page_img.width / full_w, page_img.height / full_h
    left, top = int(req.x * fx), int(req.y * fy)
    cw = max(1, min(page_img.width - left, round(req.w * fx)))
    ch = max(1, min(page_img.height - top, round(req.h * fy)))
    image = page_img.crop(left, top, cw, ch)
    if (cw, ch) != (req.out_w, req.out_h):
        image = image.resize(req.out_w / cw, vscale=req.out_h / ch, kernel="lanczos3")
        if (image.width, image.height) != (req.out_w, req.out_h):
            image = image.embed(0, 0, req.out_w, req.out_h, extend="copy")
    if image.hasalpha():
        image = image.flatten(background=[255] * (image.bands - 1))
    if req.mirror:
        image = image.fliphor()
    alpha = None
    if req.rotation:
        if req.rotation in (90, 180, 270):
            image = image.rot(f"d{int(req.rotation)}")
        elif req.format == "jpg":
            image = image.rotate(req.rotation, background=[255] * image.bands)
        else:
            # The corners a turn uncovers are transparent where the format can say so
            # (Image 3 §4.3 recommends it); JPEG has no alpha, so there they are white.
            # Premultiplied, so the edges fade out rather than darken.
            rgba = (
                image.bandjoin(255)
                .premultiply()
                .rotate(req.rotation, background=[0] * (image.bands + 1))
                .unpremultiply()
                .cast("uchar")
            )
            image, alpha = rgba.extract_band(0, n=rgba.bands - 1), rgba.extract_band(rgba.bands - 1)
    if req.quality in ("gray", "bitonal"):
        image = image.colourspace("b-w")
        if image.bands > 1:
            image = image.extract_band(0)
        if req.quality == "bitonal":
            image = (image > 127).ifthenelse(255, 0).cast("uchar")
    if alpha is not None:
        image = image.bandjoin(alpha)
    if req.format == "jpg":
        return image.jpegsave_buffer(Q=85, strip=True)
    if req.format == "png":
        return image.pngsave_buffer(compression=6, strip=True)
    return image.webpsave_buffer(Q=80, strip=True)
