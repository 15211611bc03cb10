"""Safe handling of uploaded images, shared by every app that takes pictures.

An upload is opened with Pillow, checked against a byte size and a pixel limit
(decompression bombs are refused before they are decoded), fully decoded, stripped of
EXIF and every other metadata by re-encoding, optionally shrunk, and returned as new
bytes. The original bytes are never stored.
"""

import io
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


@dataclass(frozen=True)
class CleanImage:
    content: ContentFile
    width: int
    height: int
    format: str


def image_sanitize(
    *, upload, max_bytes: int, max_pixels: int, max_side: int | None = None, name: str = "image"
) -> CleanImage:
    """Return a re-encoded copy of ``upload`` or raise ``ValidationError`` with a clear reason."""
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(
            _("The file is too large (%(size)s). The limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(max_bytes)},
            code="too_large",
        )
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValidationError(
            _("The file is too large. The limit is %(limit)s.") % {"limit": filesizeformat(max_bytes)},
            code="too_large",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                fmt = probe.format
                width, height = probe.size
                if width * height > max_pixels:
                    raise ValidationError(
                        _("The image is %(w)s × %(h)s pixels; at most %(limit)s million pixels are allowed.")
                        % {"w": width, "h": height, "limit": max_pixels // 1_000_000},
                        code="too_many_pixels",
                    )
                if fmt not in ALLOWED_FORMATS:
                    raise ValidationError(_("Upload a JPEG, PNG, WebP or GIF image."), code="bad_format")
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                image = ImageOps.exif_transpose(image)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            _("The image has too many pixels to be processed safely."), code="too_many_pixels"
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            _("The file is not a valid image. Upload a JPEG, PNG, WebP or GIF image."),
            code="not_an_image",
        ) from None

    if max_side:
        image.thumbnail((max_side, max_side))
    has_alpha = image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)
    out = io.BytesIO()
    if has_alpha:
        image.convert("RGBA").save(out, format="PNG", optimize=True)
        out_format, ext = "PNG", "png"
    else:
        image.convert("RGB").save(out, format="JPEG", quality=88, optimize=True)
        out_format, ext = "JPEG", "jpg"
    return CleanImage(
        content=ContentFile(out.getvalue(), name=f"{name}.{ext}"),
        width=image.width,
        height=image.height,
        format=out_format,
    )
