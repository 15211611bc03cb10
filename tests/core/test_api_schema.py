"""The OpenAPI schema and the Swagger UI page, which must work inside a closed network."""

import json
import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from openapi_spec_validator import OpenAPIV30SpecValidator, validate

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture
def spec(client) -> dict:
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.oai.openapi; charset=utf-8"
    return yaml.safe_load(response.content)


def test_schema_is_valid_openapi_3(spec):
    assert spec["openapi"] == "3.0.3"
    assert spec["info"] == {
        "title": "Haizhi Events API",
        "version": "1.0.0",
        "description": "Contest, roadshow, docking and landing programme API.",
    }
    validate(spec, cls=OpenAPIV30SpecValidator)


def test_schema_as_json_is_the_same_document(client, spec):
    response = client.get("/api/schema/?format=json")
    assert response["Content-Type"] == "application/vnd.oai.openapi+json"
    assert json.loads(response.content) == spec


def test_schema_describes_the_events_endpoints(spec):
    assert set(spec["paths"]["/api/v1/events/"]) == {"get"}
    assert set(spec["paths"]["/api/v1/events/{slug}/"]) == {"get"}
    assert [
        (p["in"], p["name"], p["required"]) for p in spec["paths"]["/api/v1/events/{slug}/"]["get"]["parameters"]
    ] == [("path", "slug", True)]
    assert spec["paths"]["/api/v1/events/"]["get"]["operationId"] == "v1_events_list"
    assert spec["paths"]["/api/v1/events/{slug}/"]["get"]["operationId"] == "v1_events_retrieve"
    event = spec["components"]["schemas"]["Event"]
    assert list(event["properties"]) == [
        "slug",
        "kind",
        "title",
        "title_zh",
        "title_en",
        "description_zh",
        "description_en",
        "location_zh",
        "location_en",
        "starts_on",
        "ends_on",
        "organiser_organisation",
        "url",
    ]
    assert event["properties"]["organiser_organisation"] == {"type": "string", "nullable": True, "readOnly": True}


def test_schema_offers_token_and_session_auth_and_me_requires_one(spec):
    assert spec["components"]["securitySchemes"] == {
        "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "sessionid"},
        "tokenAuth": {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Token-based authentication with required prefix "Token"',
        },
    }
    # me/ needs a signed-in user: no anonymous ({}) entry; the public event list allows one.
    assert spec["paths"]["/api/v1/me/"]["get"]["security"] == [{"cookieAuth": []}, {"tokenAuth": []}]
    assert spec["paths"]["/api/v1/events/"]["get"]["security"] == [{"cookieAuth": []}, {"tokenAuth": []}, {}]


def test_swagger_ui_uses_only_local_assets(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sorted(assets) == [
        "/static/drf_spectacular_sidecar/swagger-ui-dist/favicon-32x32.png",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-standalone-preset.js",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css",
    ]
    for asset in assets:
        assert finders.find(asset.removeprefix("/static/")) is not None, asset
    # No outside host anywhere on the page, and Swagger UI's online validator is switched off.
    assert re.findall(r"(?:https?:)?//[\w.-]+\.\w+", page) == []
    assert '"validatorUrl": null' in page
    assert 'url: "/api/schema/"' in page
