"""Avatar upload through accounts.services.avatar_set and core.images.image_sanitize."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from PIL import Image

from accounts import services
from core.images import image_sanitize
from tests.accounts.images import (
    EXIF_SECRETS,
    header_bomb_png,
    jpeg_with_exif,
    pillow_bomb_png,
    png_with_alpha_and_text,
    upload,
)
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

NOT_AN_IMAGE = "The file is not a valid image. Upload a JPEG, PNG, WebP or GIF image."
UPLOAD_URL = "/accounts/profile/avatar/"


def stored(user) -> Image.Image:
    user.refresh_from_db()
    with user.avatar.open("rb") as f:
        image = Image.open(io.BytesIO(f.read()))
        image.load()
    return image


def test_jpeg_is_shrunk_and_stripped_of_exif(client):
    user = UserFactory()
    client.force_login(user)
    original = jpeg_with_exif(size=(1600, 1200))
    assert {tag: Image.open(io.BytesIO(original)).getexif()[tag] for tag in EXIF_SECRETS} == EXIF_SECRETS

    response = client.post(UPLOAD_URL, {"avatar": upload("holiday.jpg", original, "image/jpeg")})

    assert response.status_code == 302
    assert response.url == reverse("accounts:profile")
    image = stored(user)
    assert image.format == "JPEG"
    assert image.size == (512, 384)
    assert dict(image.getexif()) == {}
    assert "exif" not in image.info
    assert user.avatar.name.endswith(f"avatar-{user.pk}.jpg")
    assert user.avatar.size < len(original)


def test_sideways_photo_is_turned_upright_by_its_exif_orientation(client):
    user = UserFactory()
    client.force_login(user)
    # Orientation 6: the camera was held upright, the pixels are stored rotated.
    client.post(UPLOAD_URL, {"avatar": upload("portrait.jpg", jpeg_with_exif(size=(1000, 500), orientation=6))})

    image = stored(user)
    assert image.size == (256, 512)
    assert dict(image.getexif()) == {}


def test_transparent_png_stays_png_without_text_or_icc(client):
    user = UserFactory()
    client.force_login(user)

    client.post(UPLOAD_URL, {"avatar": upload("logo.png", png_with_alpha_and_text(), "image/png")})

    image = stored(user)
    assert (image.format, image.mode, image.size) == ("PNG", "RGBA", (512, 512))
    assert set(image.info) & {"Author", "icc_profile", "exif"} == set()


def test_small_image_is_not_enlarged():
    clean = image_sanitize(
        upload=upload("tiny.jpg", jpeg_with_exif(size=(40, 30))), max_bytes=10_000, max_pixels=1_200, max_side=512
    )

    assert (clean.width, clean.height, clean.format) == (40, 30, "JPEG")
    assert clean.content.name == "image.jpg"


BAD_UPLOADS = [
    pytest.param(
        lambda: upload("huge.jpg", b"\xff\xd8" + b"\x00" * (3 * 1024 * 1024)),
        "The file is too large (3.0\xa0MB). The limit is 2.0\xa0MB.",
        id="oversize",
    ),
    pytest.param(lambda: upload("avatar.png", b"hello, I am a text file\n" * 20, "image/png"), NOT_AN_IMAGE, id="text"),
    pytest.param(lambda: upload("avatar.png", header_bomb_png()[:40], "image/png"), NOT_AN_IMAGE, id="truncated-png"),
    pytest.param(
        lambda: upload("avatar.bmp", _bmp(), "image/bmp"),
        NOT_AN_IMAGE,
        id="bmp-not-allowed",
    ),
    pytest.param(
        lambda: upload("bomb.png", pillow_bomb_png(), "image/png"),
        "The image is 10,000 × 10,000 pixels; at most 25,000,000 pixels are allowed.",
        id="pillow-made-bomb",
    ),
    pytest.param(
        lambda: upload("bomb.png", header_bomb_png(), "image/png"),
        "The image has too many pixels; at most 25,000,000 pixels are allowed.",
        id="header-bomb",
    ),
    pytest.param(lambda: upload("empty.png", b"", "image/png"), "The submitted file is empty.", id="empty"),
]


def _bmp() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="BMP")
    return out.getvalue()


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize(("make_upload", "message"), BAD_UPLOADS)
def test_bad_upload_is_refused_with_a_reason_and_the_old_avatar_is_kept(client, make_upload, message):
    user = UserFactory()
    client.force_login(user)
    client.post(UPLOAD_URL, {"avatar": upload("first.jpg", jpeg_with_exif(size=(600, 600)))})
    user.refresh_from_db()
    previous = user.avatar.name
    assert previous

    response = client.post(UPLOAD_URL, {"avatar": make_upload()}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.context["avatar_form"].errors == {"avatar": [message]}
    html = response.content.decode()
    assert 'id="id_avatar-errors"' in html
    assert message in html
    user.refresh_from_db()
    assert user.avatar.name == previous
    assert user.avatar.storage.exists(previous)


def test_missing_file_is_a_form_error(client):
    client.force_login(UserFactory())

    response = client.post(UPLOAD_URL, {}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.context["avatar_form"].errors == {"avatar": ["This field is required."]}


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_pixel_limit_is_checked_before_decoding():
    """The bomb's 100 million pixels are refused from the header: nothing is decoded."""
    bomb = pillow_bomb_png()
    assert len(bomb) < 20_000

    with pytest.raises(ValidationError) as excinfo:
        image_sanitize(upload=upload("bomb.png", bomb), max_bytes=1_000_000, max_pixels=25_000_000)

    assert excinfo.value.code == "too_many_pixels"


def test_replacing_the_avatar_deletes_the_old_file(client):
    user = UserFactory()
    client.force_login(user)
    client.post(UPLOAD_URL, {"avatar": upload("a.jpg", jpeg_with_exif(size=(300, 300)))})
    user.refresh_from_db()
    first = user.avatar.name

    client.post(UPLOAD_URL, {"avatar": upload("b.png", png_with_alpha_and_text(size=(300, 300)))})

    user.refresh_from_db()
    assert user.avatar.name.endswith(f"avatar-{user.pk}.png")
    assert user.avatar.storage.exists(user.avatar.name)
    assert not user.avatar.storage.exists(first)


def test_removing_the_avatar(client):
    user = UserFactory()
    client.force_login(user)
    client.post(UPLOAD_URL, {"avatar": upload("a.jpg", jpeg_with_exif(size=(300, 300)))})
    user.refresh_from_db()
    name = user.avatar.name

    response = client.post(reverse("accounts:avatar_remove"))

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.avatar.name == ""
    assert not user.avatar.storage.exists(name)


def test_avatar_set_service_refuses_a_non_image_and_keeps_the_avatar():
    user = UserFactory()
    services.avatar_set(user=user, upload=upload("ok.jpg", jpeg_with_exif(size=(100, 100))))
    before = user.avatar.name

    with pytest.raises(ValidationError) as excinfo:
        services.avatar_set(user=user, upload=upload("x.png", b"not an image"))

    assert excinfo.value.code == "not_an_image"
    user.refresh_from_db()
    assert user.avatar.name == before


def test_upload_needs_sign_in_and_post(client):
    response = client.post(UPLOAD_URL, {"avatar": upload("a.jpg", jpeg_with_exif(size=(10, 10)))})
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))

    client.force_login(UserFactory())
    assert client.get(UPLOAD_URL).status_code == 405
