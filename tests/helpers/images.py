"""Real photos and files for attachment tests: made with Pillow, read back with it."""

from __future__ import annotations

import io

from PIL import ExifTags, Image

GPS = ExifTags.IFD.GPSInfo
# Somewhere in Shanghai, as a phone writes it.
WHERE = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (31.0, 14.0, 8.5),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (121.0, 28.0, 12.25),
}


def photo(kind: str = "JPEG", *, gps: bool = True, size: tuple[int, int] = (64, 48)) -> bytes:
    """A small photo (JPEG or PNG) with a camera make and, with `gps`, where it was taken."""
    image = Image.new("RGB", size, (200, 60, 40))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestCam"
    if gps:
        exif.get_ifd(GPS).update(WHERE)
    out = io.BytesIO()
    image.save(out, format=kind, exif=exif.tobytes())
    return out.getvalue()


def noise_jpeg(megabytes: float) -> bytes:
    """A JPEG of about `megabytes` (random pixels compress badly), with no location."""
    import os

    side = int((megabytes * 2**20 / 1.2) ** 0.5)
    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=95)
    return out.getvalue()


def gps_of(data: bytes) -> dict[int, object]:
    """The GPS block of a stored photo (empty: none), the photo decoded whole on the way."""
    image = Image.open(io.BytesIO(data))
    image.load()
    return dict(image.getexif().get_ifd(GPS))


def decodes(data: bytes) -> tuple[int, int]:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image.size


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
