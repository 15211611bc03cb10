"""Entry files: checked by content, size-limited, re-encoded, stored privately."""

import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter

from registration import services
from registration.models import Attachment
from registration.storage import private_root
from tests.factories import EntryFactory, QuestionFactory

from .conftest import bomb_png_upload, image_bytes, image_upload, pdf_bytes, pdf_upload

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


@pytest.fixture
def entry(event, entrant):
    return EntryFactory(event=event, owner=entrant)


def test_a_pdf_deck_is_stored_privately_with_its_page_count(entry, entrant, settings):
    attachment = services.attachment_add(entry=entry, changed_by=entrant, kind="deck", upload=pdf_upload(pages=3))

    assert (attachment.kind, attachment.content_type, attachment.page_count) == ("deck", "application/pdf", 3)
    assert attachment.original_name == "deck.pdf"
    stored = Path(attachment.file.path)
    assert stored.read_bytes() == pdf_bytes(pages=3)
    assert stored.is_relative_to(private_root())
    assert not stored.is_relative_to(Path(settings.MEDIA_ROOT))
    with pytest.raises(ValueError, match="no public address"):
        _ = attachment.file.url


def test_a_new_deck_replaces_the_old_one_and_its_file(entry, entrant, django_capture_on_commit_callbacks):
    first = services.attachment_add(entry=entry, changed_by=entrant, kind="deck", upload=pdf_upload())
    old_path = Path(first.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        second = services.attachment_add(entry=entry, changed_by=entrant, kind="deck", upload=pdf_upload(pages=2))
    assert list(entry.attachments.values_list("pk", flat=True)) == [second.pk]
    assert not old_path.exists()
    assert Path(second.file.path).exists()


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (image_bytes(), "not_a_pdf"),
        (b"<html><script>alert(1)</script></html>", "not_a_pdf"),
        (b"%PDF-1.7\nthis is not really a pdf at all", "broken_pdf"),
        (b"", "empty"),
    ],
    ids=["png-named-pdf", "html-named-pdf", "pdf-magic-only", "empty"],
)
def test_a_deck_that_is_not_a_pdf_is_refused(entry, entrant, data, code):
    upload = SimpleUploadedFile("deck.pdf", data, content_type="application/pdf")
    with pytest.raises(ValidationError) as exc:
        services.attachment_add(entry=entry, changed_by=entrant, kind="deck", upload=upload)
    assert exc.value.code == code
    assert entry.attachments.count() == 0


def test_an_encrypted_pdf_is_refused(entry, entrant):
    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    upload = SimpleUploadedFile("locked.pdf", out.getvalue(), content_type="application/pdf")
    with pytest.raises(ValidationError) as exc:
        services.attachment_add(entry=entry, changed_by=entrant, kind="deck", upload=upload)
    assert exc.value.code == "encrypted_pdf"


def test_an_oversize_deck_is_refused_before_it_is_read(entry, entrant, settings):
    settings.REGISTRATION_DECK_MAX_BYTES = 1000
    upload = SimpleUploadedFile("deck.pdf", b"%PDF-" + b"0" * 2000, content_type="application/pdf")
    with pytest.raises(ValidationError) as exc:
        services.attachment_add(entry=entry, changed_by=entrant, kind="deck", upload=upload)
    assert exc.value.code == "too_large"
    assert "1000" in exc.value.messages[0] or "1.0" in exc.value.messages[0]
    assert entry.attachments.count() == 0


def test_a_logo_is_re_encoded_without_exif_and_gets_a_thumbnail(entry, entrant):
    upload = image_upload("logo.jpg", size=(1600, 1200), fmt="JPEG", exif=True)
    assert b"SecretCam" in upload.read()

    logo = services.attachment_add(entry=entry, changed_by=entrant, kind="logo", upload=upload)

    stored = Path(logo.file.path).read_bytes()
    assert b"SecretCam" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.size == (1024, 768)
        assert dict(image.getexif()) == {}
    assert (logo.width, logo.height, logo.content_type) == (1024, 768, "image/jpeg")
    with Image.open(logo.thumbnail.path) as thumb:
        assert thumb.size == (320, 240)


def test_a_decompression_bomb_is_refused(entry, entrant):
    with pytest.raises(ValidationError) as exc:
        services.attachment_add(entry=entry, changed_by=entrant, kind="logo", upload=bomb_png_upload())
    assert exc.value.code == "too_many_pixels"
    assert entry.attachments.count() == 0


def test_a_file_that_is_not_an_image_is_refused_as_a_photo(entry, entrant):
    upload = SimpleUploadedFile("photo.jpg", b"GIF89a but not really", content_type="image/jpeg")
    with pytest.raises(ValidationError) as exc:
        services.attachment_add(entry=entry, changed_by=entrant, kind="photo", upload=upload)
    assert exc.value.code == "not_an_image"


def test_an_oversize_image_is_refused(entry, entrant, settings):
    settings.REGISTRATION_IMAGE_MAX_BYTES = 500
    with pytest.raises(ValidationError) as exc:
        services.attachment_add(entry=entry, changed_by=entrant, kind="photo", upload=image_upload(size=(800, 800)))
    assert exc.value.code == "too_large"


def test_at_most_six_photos(entry, entrant):
    for i in range(services.MAX_PHOTOS):
        services.attachment_add(entry=entry, changed_by=entrant, kind="photo", upload=image_upload(f"p{i}.png"))
    with pytest.raises(ValidationError) as exc:
        services.attachment_add(entry=entry, changed_by=entrant, kind="photo", upload=image_upload("p7.png"))
    assert exc.value.code == "too_many_photos"
    assert entry.attachments.filter(kind="photo").count() == 6


def test_file_questions_take_a_pdf_or_an_image_only(event, entry, entrant):
    question = QuestionFactory(event=event, kind="file", required=True)
    assert [m.key for m in services.entry_missing(entry)] == [f"q_{question.pk}"]

    with pytest.raises(ValidationError) as exc:
        services.attachment_add(
            entry=entry,
            changed_by=entrant,
            kind="answer",
            question=question,
            upload=SimpleUploadedFile("cv.docx", b"PK\x03\x04 a word file"),
        )
    assert exc.value.code == "bad_type"

    pdf = services.attachment_add(
        entry=entry, changed_by=entrant, kind="answer", question=question, upload=pdf_upload("cv.pdf")
    )
    image = services.attachment_add(
        entry=entry, changed_by=entrant, kind="answer", question=question, upload=image_upload("cv.png")
    )
    assert pdf.content_type == "application/pdf"
    assert list(entry.attachments.filter(kind="answer").values_list("pk", "content_type")) == [(image.pk, "image/jpeg")]
    assert services.entry_missing(entry) == []


def test_removing_the_required_deck_of_a_submitted_entry_is_refused(event, entry, entrant):
    event.registration_settings.require_deck = True
    event.registration_settings.save()
    deck = services.attachment_add(entry=entry, changed_by=entrant, kind="deck", upload=pdf_upload())
    services.entry_submit(entry=entry, submitted_by=entrant)
    with pytest.raises(services.EntryIncomplete) as exc:
        services.attachment_remove(attachment=Attachment.objects.get(pk=deck.pk), changed_by=entrant)
    assert [m.key for m in exc.value.missing] == ["deck"]
    assert Path(deck.file.path).exists()
    assert entry.attachments.count() == 1


def test_required_deck_and_logo_are_listed_as_missing(event, entry):
    event.registration_settings.require_deck = True
    event.registration_settings.require_logo = True
    event.registration_settings.save()
    assert [m.key for m in services.entry_missing(entry)] == ["deck", "logo"]
