"""Image files for upload tests, made with Pillow (or, for the header-only bomb, by hand)."""

import io
import struct
import zlib
from functools import cache

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, PngImagePlugin

# Tags a phone camera writes that must never leave the server.
EXIF_SECRETS = {ExifTags.Base.Make: "SpyCam", ExifTags.Base.Artist: "Jane Secret", ExifTags.Base.Software: "Leaky 1.0"}


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def jpeg_with_exif(size=(1600, 1200), orientation: int = 1) -> bytes:
    image = Image.new("RGB", size, (200, 40, 40))
    exif = Image.Exif()
    for tag, value in EXIF_SECRETS.items():
        exif[tag] = value
    exif[ExifTags.Base.Orientation] = orientation
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(
        {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (31.0, 14.0, 0.0)}
    )
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, quality=90)
    return out.getvalue()


def png_with_alpha_and_text(size=(800, 800)) -> bytes:
    image = Image.new("RGBA", size, (10, 80, 140, 128))
    text = PngImagePlugin.PngInfo()
    text.add_text("Author", "Jane Secret")
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=text, icc_profile=b"not-really-an-icc-profile")
    return out.getvalue()


@cache
def pillow_bomb_png() -> bytes:
    """10,000 × 10,000 one-bit pixels (100 million) that compress to a few kilobytes."""
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, format="PNG", optimize=True)
    return out.getvalue()


def header_bomb_png(width: int = 20_000, height: int = 20_000) -> bytes:
    """A PNG whose header declares ``width`` × ``height`` greyscale pixels, with almost no data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 4096))
        + chunk(b"IEND", b"")
    )
