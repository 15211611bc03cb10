"""Safe handling of uploaded images, shared by every app that takes pictures.

An upload is checked against a byte limit before it is read, opened with Pillow (which only
parses the header), checked against a pixel limit before a single pixel is decoded (so
decompression bombs are refused cheaply), verified, fully decoded, turned upright by its EXIF
orientation, optionally shrunk, and re-encoded without any metadata (EXIF, GPS, XMP, ICC,
text chunks). The original bytes are never stored.

Pillow's own ``Image.MAX_IMAGE_PIXELS`` guard stays at its default as a second line of
defence: our ``max_pixels`` is lower, and Pillow raises ``DecompressionBombError`` while
opening anything above twice its limit, which we report the same way.
"""

import io
import struct
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

# Only these decoders are ever tried (no EPS/PSD/... parsers on untrusted input). The JPEG
# decoder also opens MPO, the JPEG variant many phone cameras write.
ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")

# What corrupt or hostile files make Pillow's decoders raise.
_DECODE_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    IndexError,
    KeyError,
    TypeError,
    struct.error,
    ZeroDivisionError,
)


@dataclass(frozen=True)
class CleanImage:
    content: ContentFile
    width: int
    height: int
    format: str


def _too_many_pixels(width: int | None, height: int | None, max_pixels: int) -> ValidationError:
    limit = number_format(max_pixels, force_grouping=True)
    if width and height:
        message = _("The image is %(w)s × %(h)s pixels; at most %(limit)s pixels are allowed.") % {
            "w": number_format(width, force_grouping=True),
            "h": number_format(height, force_grouping=True),
            "limit": limit,
        }
    else:
        message = _("The image has too many pixels; at most %(limit)s pixels are allowed.") % {"limit": limit}
    return ValidationError(message, code="too_many_pixels")


def _not_an_image() -> ValidationError:
    return ValidationError(
        _("The file is not a valid image. Upload a JPEG, PNG, WebP or GIF image."), code="not_an_image"
    )


def _read_limited(upload, max_bytes: int) -> bytes:
    too_large = _("The file is too large (%(size)s). The limit is %(limit)s.")
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(
            too_large % {"size": filesizeformat(size), "limit": filesizeformat(max_bytes)}, code="too_large"
        )
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:  # the declared size was missing or wrong
        raise ValidationError(
            too_large % {"size": filesizeformat(len(data)), "limit": filesizeformat(max_bytes)}, code="too_large"
        )
    return data


def _decode(data: bytes, max_pixels: int) -> Image.Image:
    """Open, check the pixel count from the header, verify, then decode and turn upright."""
    try:
        with Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS) as probe:
            width, height = probe.size
            if width * height > max_pixels:
                raise _too_many_pixels(width, height, max_pixels)
            probe.verify()
        with Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS) as image:
            image.load()
            return ImageOps.exif_transpose(image)
    except Image.DecompressionBombError:
        raise _too_many_pixels(None, None, max_pixels) from None
    except _DECODE_ERRORS:  # includes UnidentifiedImageError (an OSError)
        raise _not_an_image() from None


def image_sanitize(
    *, upload, max_bytes: int, max_pixels: int, max_side: int | None = None, name: str = "image"
) -> CleanImage:
    """Return a re-encoded, metadata-free copy of ``upload`` or raise ``ValidationError`` with a clear reason.

    Refused: more than ``max_bytes`` bytes; anything but JPEG, PNG, WebP or GIF; more than
    ``max_pixels`` pixels (checked from the header, before decoding). Images with transparency
    become PNG, all others JPEG; ``max_side`` shrinks (never enlarges) the longer side.
    """
    data = _read_limited(upload, max_bytes)
    image = _decode(data, max_pixels)
    if max_side:
        image.thumbnail((max_side, max_side))
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    if has_alpha:
        clean, out_format, ext, options = image.convert("RGBA"), "PNG", "png", {"optimize": True}
    else:
        clean, out_format, ext, options = image.convert("RGB"), "JPEG", "jpg", {"quality": 88, "optimize": True}
    # convert() copies .info (EXIF, ICC profile, text chunks); the encoders would write some of it back.
    clean.info = {}
    out = io.BytesIO()
    clean.save(out, format=out_format, **options)
    return CleanImage(
        content=ContentFile(out.getvalue(), name=f"{name}.{ext}"),
        width=clean.width,
        height=clean.height,
        format=out_format,
    )
