"""Language switching and the translation catalogue."""

from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.integration

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"


@pytest.mark.django_db
def test_switching_language_keeps_you_on_the_same_page(client):
    event = EventFactory(title_zh="创新大赛", title_en="Innovation Contest")
    page = event.get_absolute_url()
    response = client.post(reverse("set_language"), {"language": "en", "next": page})
    assert response.status_code == 302
    assert response.url == page
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    html = client.get(page).content.decode()
    assert '<html lang="en">' in html
    assert "Innovation Contest" in html

    client.post(reverse("set_language"), {"language": "zh-hans", "next": page})
    html = client.get(page).content.decode()
    assert '<html lang="zh-Hans">' in html
    assert "创新大赛" in html


@pytest.mark.django_db
def test_default_language_is_chinese_and_accept_language_is_honoured(client):
    assert '<html lang="zh-Hans">' in client.get("/").content.decode()
    assert '<html lang="en">' in client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url_name", "signed_in"),
    [
        ("core:home", False),
        ("account_login", False),
        ("account_signup", False),
        ("account_reset_password", False),
        ("core:dashboard", True),
        ("accounts:profile", True),
        ("account_change_password", True),
    ],
)
def test_every_page_has_the_language_switch(client, url_name, signed_in):
    if signed_in:
        client.force_login(UserFactory())
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'action="{reverse("set_language")}"' in html
    assert 'name="language"' in html
    assert 'value="en"' in html
    assert 'value="zh-hans"' in html


def test_chinese_catalogue_is_complete_and_compiled():
    po_path = LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "django.po"
    catalogue = polib.pofile(str(po_path))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert untranslated == []
    assert fuzzy == []
    compiled = polib.mofile(str(po_path.with_suffix(".mo")))
    compiled_ids = {entry.msgid for entry in compiled}
    missing = [entry.msgid for entry in catalogue.translated_entries() if entry.msgid not in compiled_ids]
    assert missing == []


@pytest.mark.django_db
def test_chinese_ui_strings_are_translated(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "海智活动" in html
    assert "Published events" not in html
