"""Fixtures for registration tests: an event with an open window, people, and files made here."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter

from events.models import Role
from tests.factories import EventFactory, EventRoleFactory, RegistrationSettingsFactory, TrackFactory, UserFactory


def pdf_bytes(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_upload(name: str = "deck.pdf", pages: int = 1) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(pages), content_type="application/pdf")


def image_bytes(size=(400, 300), fmt: str = "PNG", color=(20, 120, 200), exif: bool = False) -> bytes:
    image = Image.new("RGB", size, color)
    out = io.BytesIO()
    if exif:
        tags = Image.Exif()
        tags[0x010F] = "SecretCam"  # Make
        tags[0x8825] = {2: (31.0, 14.0, 0.0)}  # GPS latitude
        image.save(out, format=fmt, exif=tags)
    else:
        image.save(out, format=fmt)
    return out.getvalue()


def image_upload(name: str = "logo.png", size=(400, 300), fmt: str = "PNG", exif: bool = False) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes(size, fmt, exif=exif), content_type=f"image/{fmt.lower()}")


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def bomb_png_upload(side: int = 60_000) -> SimpleUploadedFile:
    """A few hundred bytes that claim to be a ``side`` × ``side`` picture (a decompression bomb)."""
    header = _png_chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0))
    body = _png_chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
    data = b"\x89PNG\r\n\x1a\n" + header + body + _png_chunk(b"IEND", b"")
    return SimpleUploadedFile("bomb.png", data, content_type="image/png")


@pytest.fixture
def event():
    event = EventFactory(is_published=True)
    RegistrationSettingsFactory(event=event)
    return event


@pytest.fixture
def track(event):
    return TrackFactory(event=event, name_zh="新材料", name_en="New materials")


@pytest.fixture
def organiser(event):
    user = UserFactory(email="organiser@example.org")
    EventRoleFactory(event=event, user=user, role=Role.ORGANISER)
    return user


@pytest.fixture
def entrant():
    return UserFactory(email="entrant@example.org", name_en="Li Ming", name_zh="李明", country="DE")


@pytest.fixture
def other_entrant():
    return UserFactory(email="other@example.org")
