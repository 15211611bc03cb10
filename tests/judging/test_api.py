"""Judging API: a judge's assignments and own cards (blind-safe), organisers' results, the schema."""

import json

import pytest
import yaml

from judging import services
from judging.models import Scorecard

from .conftest import assign, make_entry, open_round, scores_for

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
BLIND_ENTRY_FIELDS = {
    "id",
    "reference",
    "title",
    "track",
    "stage",
    "summary",
    "technology",
    "ip_summary",
    "patent_count",
    "funding_sought",
    "planned_city",
    "planned_park",
}


def card_url(round_, entry):
    return f"/api/v1/events/{round_.event.slug}/judging/rounds/{round_.number}/scorecards/{entry.pk}/"


def test_assignments_list_only_the_judges_own_and_blind_rounds_hide_identity(
    client, event, organiser, judges, entries, round_
):
    blind = open_round(event, organiser, name_en="Blind round", blind=True)
    assign(round_, entries[0], judges[0])
    assign(blind, entries[1], judges[0])
    assign(blind, entries[2], judges[1])
    services.scorecard_save_draft(round=blind, entry=entries[1], judge=judges[0], scores=scores_for(blind, 5, "", ""))
    client.force_login(judges[0])
    response = client.get(f"/api/v1/events/{event.slug}/judging/assignments/", **EN)
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(row["round"]["number"], row["entry"]["id"], row["card_status"]) for row in rows] == [
        (1, entries[0].pk, "todo"),
        (2, entries[1].pk, "draft"),
    ]
    assert set(rows[1]["entry"]) == BLIND_ENTRY_FIELDS
    assert set(rows[0]["entry"]) == BLIND_ENTRY_FIELDS | {"video_url", "team"}
    blind_json = json.dumps(rows[1], ensure_ascii=False)
    for identity in [entries[1].owner.name_en, entries[1].owner.email, "TUM", "Technische Universität München"]:
        assert identity not in blind_json
    assert {m["organisation"] for m in rows[0]["entry"]["team"]} == {"TUM", "Technische Universität München"}


def test_assignments_need_the_judge_role(client, event, entries, round_):
    assert client.get(f"/api/v1/events/{event.slug}/judging/assignments/").status_code == 403
    client.force_login(entries[0].owner)
    assert client.get(f"/api/v1/events/{event.slug}/judging/assignments/").status_code == 403


@pytest.mark.parametrize("count", [1, 3])
def test_assignment_list_query_count_is_constant(
    client, event, judges, tracks, round_, count, django_assert_num_queries
):
    for _ in range(count):
        entry = make_entry(event, tracks[0])
        assign(round_, entry, judges[0])
    client.force_login(judges[0])
    with django_assert_num_queries(8):
        response = client.get(f"/api/v1/events/{event.slug}/judging/assignments/")
    assert response.json()["count"] == count


def test_a_judge_reads_and_writes_only_their_own_card(client, round_, judges, entries):
    assign(round_, entries[0], judges[0], judges[1])
    criteria = list(round_.criteria.order_by("position"))
    services.scorecard_submit(round=round_, entry=entries[0], judge=judges[1], scores=scores_for(round_, 1, 1, 1))
    client.force_login(judges[0])
    response = client.get(card_url(round_, entries[0]), **EN)
    assert response.status_code == 200
    body = response.json()
    assert (body["card_status"], body["scores"], body["total"]) == ("todo", {}, None)
    assert [c["name"] for c in body["criteria"]] == ["Innovation", "Market", "Team"]

    response = client.put(
        card_url(round_, entries[0]),
        {"scores": {str(criteria[0].pk): "8.5"}, "feedback_to_entrant": "Promising"},
        content_type="application/json",
        **EN,
    )
    assert response.status_code == 200
    assert (response.json()["card_status"], response.json()["scores"]) == ("draft", {str(criteria[0].pk): "8.50"})
    response = client.put(
        card_url(round_, entries[0]),
        {"scores": {str(criteria[1].pk): "11", str(criteria[2].pk): "x"}, "submit": True},
        content_type="application/json",
        **EN,
    )
    assert response.status_code == 400
    assert response.json() == {
        "errors": {
            f"score_{criteria[1].pk}": ["Enter a score from 0 to 10."],
            f"score_{criteria[2].pk}": ["Enter a number."],
        }
    }
    response = client.put(
        card_url(round_, entries[0]),
        {"scores": {str(criteria[1].pk): 7, str(criteria[2].pk): "6"}, "submit": True},
        content_type="application/json",
        **EN,
    )
    assert response.status_code == 200
    assert (response.json()["card_status"], response.json()["total"]) == ("submitted", "7.3000")
    # Judge 2's card is untouched, and judge 1 never sees it.
    other = Scorecard.objects.get(judge=judges[1])
    assert [s.value for s in other.scores.order_by("criterion_id")] == [1, 1, 1]
    assert client.get(card_url(round_, entries[1])).status_code == 404
    assert client.put(card_url(round_, entries[1]), {}, content_type="application/json").status_code == 404


def test_editing_a_locked_card_through_the_api_is_refused_clearly(client, round_, judges, entries, organiser):
    assign(round_, entries[0], judges[0])
    services.scorecard_submit(round=round_, entry=entries[0], judge=judges[0], scores=scores_for(round_, 5, 5, 5))
    services.round_close(round=round_, closed_by=organiser)
    client.force_login(judges[0])
    response = client.put(
        card_url(round_, entries[0]), {"scores": {}, "submit": True}, content_type="application/json", **EN
    )
    assert response.status_code == 400
    assert response.json() == {
        "errors": {
            "non_field_errors": [
                "This card is locked: the round has closed. Ask an organiser to reopen it if something must change."
            ]
        }
    }
    response = client.put(card_url(round_, entries[0]), {"scores": "nope"}, content_type="application/json", **EN)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["scores"]


def test_results_are_for_organisers_only(client, round_, judges, entries, organiser):
    assign(round_, entries[0], judges[0], judges[1])
    services.scorecard_submit(round=round_, entry=entries[0], judge=judges[0], scores=scores_for(round_, 8, 8, 8))
    services.scorecard_submit(round=round_, entry=entries[0], judge=judges[1], scores=scores_for(round_, 6, 6, 6))
    results_url = f"/api/v1/events/{round_.event.slug}/judging/rounds/1/results/"
    for person in (judges[0], entries[0].owner):
        client.force_login(person)
        assert client.get(results_url).status_code == 403
    client.logout()
    assert client.get(results_url).status_code == 403
    client.force_login(organiser)
    body = client.get(results_url + "?method=median", **EN).json()
    assert body["method"] == "median"
    assert [(r["rank"], r["track_rank"], r["entry_id"], r["value"], r["card_count"]) for r in body["ranking"]] == [
        (1, 1, entries[0].pk, 7.0, 2)
    ]
    assert body["ranking"][0]["judge_totals"] == {str(judges[0].pk): 8.0, str(judges[1].pk): 6.0}
    assert [(j["name"], j["leniency"]) for j in body["judges"]] == [("Judge 1", 1.0), ("Judge 2", -1.0)]
    assert client.get(results_url + "?method=mode").status_code == 400


def test_schema_describes_the_judging_endpoints(client):
    spec = yaml.safe_load(client.get("/api/schema/").content)
    assert set(spec["paths"]["/api/v1/events/{slug}/judging/assignments/"]) == {"get"}
    assert set(spec["paths"]["/api/v1/events/{slug}/judging/rounds/{number}/scorecards/{entry_id}/"]) == {
        "get",
        "put",
    }
    assert set(spec["paths"]["/api/v1/events/{slug}/judging/rounds/{number}/results/"]) == {"get"}
