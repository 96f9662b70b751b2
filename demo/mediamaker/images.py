"""Still images: a test card, a cloth-like texture, camera EXIF, and the one image writer.

Embroidery patterns, the demo's believable photographs, are in :mod:`.embroidery`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyvips
from PIL import ExifTags, Image

from ._tools import PROVENANCE, atomic_output, check_suffix

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp")


def _dms(value: float) -> tuple[float, float, float]:
    degrees, rest = divmod(abs(value) * 3600, 3600)
    minutes, seconds = divmod(rest, 60)
    return (float(degrees), float(minutes), round(seconds, 2))


def camera_exif(
    make: str,
    model: str = "",
    *,
    taken: dt.datetime | None = None,
    description: str = PROVENANCE,
    gps: tuple[float, float] | None = None,
    orientation: int | None = None,
) -> Image.Exif:
    """EXIF as a camera writes it, so the pipeline's EXIF reading has something real to read.

    ``gps`` is (latitude, longitude) in decimal degrees; ``orientation`` the EXIF turn code
    (6 = the camera was held upright, pixels stored sideways).
    """
    stamp = taken.strftime("%Y:%m:%d %H:%M:%S") if taken else None
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = make
    if model:
        exif[ExifTags.Base.Model] = model
    exif[ExifTags.Base.Software] = "demo.mediamaker"
    if stamp:
        exif[ExifTags.Base.DateTime] = stamp
    exif[ExifTags.Base.ImageDescription] = description
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    if stamp:
        sub = exif.get_ifd(ExifTags.IFD.Exif)
        sub[ExifTags.Base.DateTimeOriginal] = sub[ExifTags.Base.DateTimeDigitized] = stamp
    if gps:
        lat, lon = gps
        where = exif.get_ifd(ExifTags.IFD.GPSInfo)
        where[ExifTags.GPS.GPSLatitudeRef] = "S" if lat < 0 else "N"
        where[ExifTags.GPS.GPSLatitude] = _dms(lat)
        where[ExifTags.GPS.GPSLongitudeRef] = "W" if lon < 0 else "E"
        where[ExifTags.GPS.GPSLongitude] = _dms(lon)
    return exif


def save(
    image: pyvips.Image | Image.Image,
    path: Path,
    *,
    quality: int = 85,
    exif: Image.Exif | None = None,
) -> Path:
    """Write ``image`` (libvips or Pillow) in the format its suffix names and return ``path``.

    JPEG and WebP at ``quality``; PNG fast-compressed; TIFF uncompressed, like a scanner's
    master. ``exif`` goes into JPEG, PNG and WebP (written by Pillow). Large images stay in
    libvips, which streams them, so a bench can make a 20000 x 20000 JPEG in little memory.
    """
    path = Path(path)
    suffix = check_suffix(path, IMAGE_SUFFIXES, "image")
    tiff = suffix in (".tif", ".tiff")
    if isinstance(image, pyvips.Image) and exif is not None and not tiff:
        image = Image.frombytes("RGB", (image.width, image.height), image.write_to_memory())
    elif isinstance(image, Image.Image) and tiff:
        w, h = image.size
        image = pyvips.Image.new_from_memory(image.tobytes(), w, h, 3, "uchar")
    with atomic_output(path) as tmp:
        if isinstance(image, pyvips.Image):
            image = image.copy(interpretation="srgb") if image.bands == 3 else image
            if tiff:
                image.tiffsave(str(tmp), compression="none")
            elif suffix == ".png":
                image.pngsave(str(tmp), compression=1)
            elif suffix == ".webp":
                image.webpsave(str(tmp), Q=quality)
            else:
                image.jpegsave(str(tmp), Q=quality)
        else:
            extra = {"exif": exif} if exif is not None else {}
            if suffix == ".png":
                image.save(tmp, "PNG", compress_level=1, **extra)
            elif suffix == ".webp":
                image.save(tmp, "WEBP", quality=quality, **extra)
            else:
                image.save(tmp, "JPEG", quality=quality, **extra)
    return path


def card(
    path: Path,
    width: int = 640,
    height: int = 480,
    *,
    quality: int = 85,
    orientation: int | None = None,
    camera: str | None = None,
    gps: tuple[float, float] | None = None,
) -> Path:
    """A test card: red rises left to right, blue top to bottom, green stays at 60.

    Every region has a colour of its own, so a test can tell where a cut-out came from and
    which way it was turned. ``orientation`` stores an EXIF turn code (the pixels stay as
    they are); ``camera`` (a Make) and ``gps`` write camera EXIF.
    """
    xyz = pyvips.Image.xyz(width, height)
    red = (xyz[0] * (255 / width)).cast("uchar")
    blue = (xyz[1] * (255 / height)).cast("uchar")
    image = red.bandjoin([(red * 0 + 60).cast("uchar"), blue]).copy(interpretation="srgb")
    if camera or gps:
        tags = camera_exif(camera or "", gps=gps, orientation=orientation)
        return save(image, path, quality=quality, exif=tags)
    if orientation:
        image.set_type(pyvips.GValue.gint_type, "orientation", orientation)
    return save(image, path, quality=quality)


def texture(path: Path, width: int, height: int, *, seed: int = 0, quality: int = 90) -> Path:
    """An RGB image that compresses like a photograph of cloth, not like a flat colour.

    Coarse sines (folds, light) + a woven pattern (cross-stitch-like squares and diagonals)
    + fine grain (gaussian noise), with different mixes per band; ``seed`` varies all three,
    so a bench can make many images that are never the same bytes twice.
    """
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
    return save(bands[0].bandjoin(bands[1:]).cast("uchar"), path, quality=quality)
