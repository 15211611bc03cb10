"""The profile page: sign-in required, saving, organisations, bad input."""

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import Organisation
from tests.factories import OrganisationFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

URL = "/accounts/profile/"


def profile_data(**overrides):
    data = {
        "name_zh": "张雪",
        "name_en": "Zhang Xue",
        "organisation": "",
        "organisation_other": "",
        "country": "GB",
        "expertise": "gene editing",
        "bio": "Postdoc in London, building a gene-therapy start-up.",
        "language": "en",
    }
    data.update(overrides)
    return {f"profile-{key}": value for key, value in data.items()}


def test_profile_requires_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={URL}"


def test_profile_page_shows_the_current_profile(client):
    org = OrganisationFactory(name_zh="伦敦大学学院", name_en="University College London")
    user = UserFactory(name_en="Zhang Xue", organisation=org, expertise="gene editing")
    client.force_login(user)

    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    form = response.context["form"]
    assert (form["name_en"].value(), form["organisation"].value(), form["expertise"].value()) == (
        "Zhang Xue",
        org.pk,
        "gene editing",
    )
    html = response.content.decode()
    assert f'<option value="{org.pk}" selected>University College London</option>' in html
    assert 'aria-current="page" href="/accounts/profile/"' in html


def test_saving_the_profile(client):
    org = OrganisationFactory()
    user = UserFactory(language="zh-hans")
    client.force_login(user)

    response = client.post(URL, profile_data(organisation=org.pk))

    assert response.status_code == 302
    assert response.url == URL
    user.refresh_from_db()
    assert (user.name_zh, user.name_en, user.organisation, user.country.code, user.expertise, user.language) == (
        "张雪",
        "Zhang Xue",
        org,
        "GB",
        "gene editing",
        "en",
    )
    assert user.bio == "Postdoc in London, building a gene-therapy start-up."
    # The preferred language becomes the site language too.
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get(URL)
    assert '<html lang="en">' in page.content.decode()
    assert [str(m) for m in page.context["messages"]] == ["Your profile was saved."]


@pytest.mark.parametrize(
    ("typed", "field", "expected"),
    [
        ("慕尼黑工业大学", "name_zh", "慕尼黑工业大学"),
        ("Technical University of Munich", "name_en", "Technical University of Munich"),
    ],
)
def test_typing_an_unlisted_organisation_adds_it(client, typed, field, expected):
    user = UserFactory()
    client.force_login(user)

    client.post(URL, profile_data(organisation_other=typed))

    user.refresh_from_db()
    assert getattr(user.organisation, field) == expected
    assert Organisation.objects.count() == 1


def test_typing_a_listed_organisation_reuses_it(client):
    org = OrganisationFactory(name_en="Stanford University")
    user = UserFactory()
    client.force_login(user)

    client.post(URL, profile_data(organisation_other="stanford university"))

    user.refresh_from_db()
    assert user.organisation == org
    assert Organisation.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"bio": "x" * 2001}, {"bio": ["Ensure this value has at most 2000 characters (it has 2001)."]}),
        ({"name_zh": "", "name_en": ""}, {"name_zh": ["Enter your name in Chinese or in English (or both)."]}),
        ({"name_en": "N" * 101}, {"name_en": ["Ensure this value has at most 100 characters (it has 101)."]}),
        ({"country": "XX"}, {"country": ["Select a valid choice. XX is not one of the available choices."]}),
        ({"language": "fr"}, {"language": ["Select a valid choice. fr is not one of the available choices."]}),
        (
            {"organisation": "999999"},
            {"organisation": ["Select a valid choice. That choice is not one of the available choices."]},
        ),
    ],
)
def test_bad_profile_input_is_refused_and_nothing_changes(client, overrides, errors):
    user = UserFactory(name_zh="原名", name_en="Old Name", bio="old bio", language="en")
    client.force_login(user)

    response = client.post(URL, profile_data(**overrides), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.context["form"].errors == errors
    html = response.content.decode()
    for field in errors:
        assert f'id="id_profile-{field}-errors"' in html
    user.refresh_from_db()
    assert (user.name_zh, user.name_en, user.bio, user.language) == ("原名", "Old Name", "old bio", "en")
    # The navigation still shows the stored name, not the refused one.
    assert response.context["user"].name_en == "Old Name"


def test_choosing_and_typing_an_organisation_is_refused(client):
    org = OrganisationFactory()
    user = UserFactory()
    client.force_login(user)

    response = client.post(
        URL, profile_data(organisation=org.pk, organisation_other="Another Org"), HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "organisation_other": ["Choose an organisation from the list or type one, not both."]
    }
    assert Organisation.objects.count() == 1
