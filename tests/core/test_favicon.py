"""Every page names the site's icon, and /favicon.ico (asked for by browsers regardless) answers with it."""

from pathlib import Path

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.integration

STATIC = Path(__file__).resolve().parents[2] / "static"


@pytest.mark.django_db
def test_pages_link_the_icon(client):
    html = client.get("/").content.decode()
    assert '<link rel="icon" href="/favicon.ico" sizes="16x16 32x32 48x48">' in html
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html


def test_favicon_ico_answers_with_the_icon(client):
    response = client.get("/favicon.ico")
    assert (response.status_code, response["Content-Type"]) == (200, "image/x-icon")
    assert b"".join(response.streaming_content) == (STATIC / "root" / "favicon.ico").read_bytes()


def test_favicon_ico_answers_with_debug_off(tmp_path):
    """WhiteNoise serves the site's root files itself: no finders, no collectstatic, no view."""
    with override_settings(
        DEBUG=False, WHITENOISE_USE_FINDERS=False, WHITENOISE_AUTOREFRESH=False, STATIC_ROOT=tmp_path
    ):
        response = Client().get("/favicon.ico")  # a new client: WhiteNoise reads the settings when it starts
        assert (response.status_code, response["Content-Type"]) == (200, "image/x-icon")
        assert b"".join(response.streaming_content) == (STATIC / "root" / "favicon.ico").read_bytes()


def test_favicon_svg_is_a_static_file(client):
    response = client.get("/static/favicon.svg")
    assert (response.status_code, response["Content-Type"]) == (200, "image/svg+xml")
