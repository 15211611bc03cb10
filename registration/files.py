"""Checks of uploaded files by their content, never by their name or declared type.

A pitch deck must start with ``%PDF-`` and open with pypdf; images go through
``core.images.image_sanitize`` (verified, re-encoded, EXIF stripped, pixel limit) and
get a thumbnail. Each check returns what to store or raises ``ValidationError`` with a
reason the entrant can act on.
"""

import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from core.images import image_sanitize

PDF_MAGIC = b"%PDF-"
IMAGE_MAX_SIDE = 2000
LOGO_MAX_SIDE = 1024
THUMBNAIL_SIDE = 320


@dataclass(frozen=True)
class CheckedFile:
    content: ContentFile
    content_type: str
    size: int
    thumbnail: ContentFile | None = None
    page_count: int | None = None
    width: int | None = None
    height: int | None = None


def _read_limited(upload, max_bytes: int) -> bytes:
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
    if not data:
        raise ValidationError(_("The file is empty."), code="empty")
    return data


def pdf_check(*, upload, max_bytes: int, name: str = "document") -> CheckedFile:
    """Accept ``upload`` only if it is a readable, unencrypted PDF of at most ``max_bytes``."""
    data = _read_limited(upload, max_bytes)
    if not data.startswith(PDF_MAGIC):
        raise ValidationError(
            _("The file is not a PDF. Save your document as PDF and upload that file."), code="not_a_pdf"
        )
    try:
        # pypdf warns about small defects it repairs; only failures matter here.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                raise ValidationError(
                    _("The PDF is protected by a password. Upload a copy without a password."),
                    code="encrypted_pdf",
                )
            page_count = len(reader.pages)
    except ValidationError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, OSError):
        raise ValidationError(
            _("The PDF could not be read; it may be damaged. Export it again and upload the new file."),
            code="broken_pdf",
        ) from None
    if page_count < 1:
        raise ValidationError(_("The PDF has no pages."), code="empty_pdf")
    return CheckedFile(
        content=ContentFile(data, name=f"{name}.pdf"),
        content_type="application/pdf",
        size=len(data),
        page_count=page_count,
    )


def image_check(*, upload, max_bytes: int, max_side: int = IMAGE_MAX_SIDE, name: str = "image") -> CheckedFile:
    """Re-encode ``upload`` as a clean image no larger than ``max_side`` and make a thumbnail."""
    clean = image_sanitize(
        upload=upload, max_bytes=max_bytes, max_pixels=settings.IMAGE_MAX_PIXELS, max_side=max_side, name=name
    )
    thumb = image_sanitize(
        upload=clean.content,
        max_bytes=max(max_bytes, clean.content.size),
        max_pixels=settings.IMAGE_MAX_PIXELS,
        max_side=THUMBNAIL_SIDE,
        name=f"{name}-thumb",
    )
    return CheckedFile(
        content=clean.content,
        content_type="image/png" if clean.format == "PNG" else "image/jpeg",
        size=clean.content.size,
        thumbnail=thumb.content,
        width=clean.width,
        height=clean.height,
    )


def any_file_check(*, upload, max_bytes: int, name: str = "file") -> CheckedFile:
    """Accept a PDF or an image (checked as above); anything else is refused."""
    upload.seek(0)
    head = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    if head == PDF_MAGIC:
        return pdf_check(upload=upload, max_bytes=max_bytes, name=name)
    try:
        return image_check(upload=upload, max_bytes=max_bytes, name=name)
    except ValidationError as exc:
        if exc.code == "not_an_image":
            raise ValidationError(_("Upload a PDF or an image (JPEG, PNG, WebP or GIF)."), code="bad_type") from None
        raise
