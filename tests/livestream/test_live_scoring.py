"""Live judging in a roadshow room: judges score the pitch on stage, the organiser reveals the aggregate."""

import json
from decimal import Decimal

import pytest
from channels.db import database_sync_to_async
from django.utils import translation

from events.models import Role
from judging.models import Score, Scorecard
from livestream import services
from livestream.models import RoomEvent
from tests.factories import AgendaSlotFactory, CriterionFactory, EventRoleFactory, RoundFactory, UserFactory

from .conftest import receive, send

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]


@pytest.fixture
def live_round(room):
    round_ = RoundFactory(event=room.event, live=True, method="trimmed_mean")
    room.judging_round = round_
    room.save(update_fields=["judging_round"])
    return round_


@pytest.fixture
def criteria(live_round):
    return (
        CriterionFactory(round=live_round, name_en="Innovation", name_zh="创新", weight=60),
        CriterionFactory(round=live_round, name_en="Market", name_zh="市场", weight=40),
    )


@pytest.fixture
def judges(room):
    people = [UserFactory(name_en=f"Judge {n}") for n in range(3)]
    for person in people:
        EventRoleFactory(event=room.event, user=person, role=Role.JUDGE)
    return people


@pytest.fixture
def on_stage(room, organiser):
    slot = AgendaSlotFactory(room=room)
    services.pitch_start(room=room, user=organiser)
    return slot


def _stored(round_, entry_id):
    scores = Score.objects.filter(
        scorecard__round=round_, scorecard__entry_id=entry_id, scorecard__status=Scorecard.Status.SUBMITTED
    )
    return sorted((s.scorecard.judge_id, s.criterion_id, s.value) for s in scores.select_related("scorecard"))


# (innovation, market) per judge: totals 7.20, 5.60, 9.00; the trimmed mean keeps 7.20.
SCORES = [(8, 6), (6, 5), (9, 9)]
TOTALS = ["7.20", "5.60", "9.00"]


def test_judges_scores_are_stored_and_nobody_else_sees_a_value_before_the_reveal(
    live, room, organiser, viewer, live_round, criteria, judges, on_stage
):
    innovation, market = criteria

    async def scenario(sockets):
        audience, audience_state = await sockets.join(room, viewer)
        anonymous, anonymous_state = await sockets.join(room)
        console, console_state = await sockets.join(room, organiser)
        assert audience_state["scoring"] is None and anonymous_state["scoring"] is None
        assert console_state["scoring"]["can_score"] is False
        for judge, (first, second), total in zip(judges, SCORES, TOTALS, strict=True):
            socket, state = await sockets.join(room, judge)
            card = state["scoring"]
            assert (card["round_id"], card["scale_min"], card["scale_max"], card["method"]) == (
                live_round.pk,
                "0",
                "10",
                "trimmed_mean",
            )
            assert [(c["id"], c["name_en"], c["name_zh"], c["weight"]) for c in card["criteria"]] == [
                (innovation.pk, "Innovation", "创新", "60"),
                (market.pk, "Market", "市场", "40"),
            ]
            assert (card["can_score"], card["scored_entries"]) == (True, [])
            scores = {str(innovation.pk): first, str(market.pk): second}
            await send(socket, {"type": "score.submit", "slot_id": on_stage.pk, "scores": scores, "client_id": "c1"})
            answer = await receive(socket)
            assert answer == {
                "type": "score.submitted",
                "slot_id": on_stage.pk,
                "entry_id": on_stage.entry_id,
                "status": "submitted",
                "total": total,
                "client_id": "c1",
            }
        # The organisers learn how many judges scored, never the values.
        progress = [await receive(console) for _ in judges]
        assert progress == [
            {"type": "score.progress", "slot_id": on_stage.pk, "entry_id": on_stage.entry_id, "scored": n}
            for n in (1, 2, 3)
        ]
        stored = await database_sync_to_async(_stored)(live_round, on_stage.entry_id)
        assert stored == sorted(
            (judge.pk, criterion.pk, Decimal(value))
            for judge, values in zip(judges, SCORES, strict=True)
            for criterion, value in zip(criteria, values, strict=True)
        )

        await send(console, {"type": "score.reveal", "slot_id": on_stage.pk})
        revealed = None
        for socket in (audience, anonymous):
            before = []
            while True:
                text = await socket.receive_from(timeout=10)
                frame = json.loads(text)
                if frame["type"] == "score.revealed":
                    break
                before.append(text)
            # Everything the audience got before the reveal: no score frame and no score value at all.
            assert not [text for text in before if "score" in text or any(t in text for t in TOTALS)]
            assert revealed is None or frame == revealed
            revealed = frame
        assert revealed == {
            "type": "score.revealed",
            "seq": revealed["seq"],
            "slot_id": on_stage.pk,
            "entry": {
                "id": on_stage.entry_id,
                "title_zh": on_stage.entry.title_zh,
                "title_en": on_stage.entry.title_en,
            },
            "value": "7.20",
            "method": "trimmed_mean",
            "card_count": 3,
            "scale_max": "10",
        }
        assert await receive(console) == revealed

        # Reconnecting with the seq before the reveal replays it; a fresh connect lists it in the state.
        again, state = await sockets.join(room, viewer, since=revealed["seq"] - 1)
        assert state["resume"] is True
        assert await receive(again) == revealed
        _fresh_socket, fresh_state = await sockets.join(room, viewer)
        assert fresh_state["revealed_scores"] == [revealed]

    live(scenario)
    assert RoomEvent.objects.get(room=room, type="score.revealed").visibility == "all"


def test_only_judges_score_and_only_organisers_reveal(
    live, room, organiser, viewer, live_round, criteria, judges, on_stage
):
    innovation, market = criteria
    scores = {str(innovation.pk): 7, str(market.pk): 7}

    async def scenario(sockets):
        audience, _ = await sockets.join(room, viewer)
        console, _ = await sockets.join(room, organiser)
        judge, _ = await sockets.join(room, judges[0])
        for socket in (audience, console):
            await send(socket, {"type": "score.submit", "slot_id": on_stage.pk, "scores": scores})
            refused = await receive(socket)
            assert (refused["type"], refused["code"], refused["for"]) == ("error", "not_allowed", "score.submit")
        for socket in (audience, judge):
            await send(socket, {"type": "score.reveal", "slot_id": on_stage.pk})
            refused = await receive(socket)
            assert (refused["type"], refused["code"], refused["for"]) == ("error", "not_allowed", "score.reveal")
        # Nothing scored yet: the organiser is told, nobody else hears anything.
        await send(console, {"type": "score.reveal", "slot_id": on_stage.pk})
        assert (await receive(console))["code"] == "no_scores"

    live(scenario)
    assert Scorecard.objects.count() == 0
    assert not RoomEvent.objects.filter(type="score.revealed").exists()


def test_scoring_refusals_name_the_problem(live, room, organiser, viewer, live_round, criteria, judges, on_stage):
    innovation, market = criteria
    waiting = AgendaSlotFactory(room=room)

    async def scenario(sockets):
        judge, _ = await sockets.join(room, judges[0])
        frames = [
            ({"slot_id": waiting.pk, "scores": {str(innovation.pk): 5, str(market.pk): 5}}, "not_presenting"),
            ({"slot_id": on_stage.pk, "scores": "8"}, "bad_request"),
            ({"slot_id": on_stage.pk, "scores": {str(innovation.pk): 11, str(market.pk): 5}}, "bad_request"),
        ]
        for fields, code in frames:
            await send(judge, {"type": "score.submit", **fields})
            refused = await receive(judge)
            assert (refused["type"], refused["code"]) == ("error", code)
        assert "10" in refused["message"]  # the judging rules' own message about the scale

    live(scenario)
    assert Scorecard.objects.filter(status=Scorecard.Status.SUBMITTED).count() == 0


def test_a_room_without_a_live_round_refuses_scores(live, room, organiser, judges, on_stage):
    async def scenario(sockets):
        judge, state = await sockets.join(room, judges[0])
        assert state["scoring"] is None
        await send(judge, {"type": "score.submit", "slot_id": on_stage.pk, "scores": {"1": 5}})
        assert (await receive(judge))["code"] == "no_round"
        console, _ = await sockets.join(room, organiser)
        await send(console, {"type": "score.reveal", "slot_id": on_stage.pk})
        assert (await receive(console))["code"] == "no_round"

    live(scenario)


def test_the_room_form_offers_only_live_rounds_of_the_rooms_event(room):
    from django.core.exceptions import ValidationError

    from livestream.forms import RoomForm

    live_here = RoundFactory(event=room.event, live=True)
    RoundFactory(event=room.event, live=False)
    elsewhere = RoundFactory(live=True)
    form = RoomForm(instance=room)
    assert list(form.fields["judging_round"].queryset) == [live_here]
    room.judging_round = elsewhere
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            room.full_clean()
        assert refused.value.message_dict["judging_round"] == ["Choose a round of this event that is scored live."]


def test_the_console_offers_the_reveal_only_in_a_room_with_a_live_round(client, room, organiser):
    from django.urls import reverse

    client.force_login(organiser)
    console = reverse("livestream:console", kwargs={"slug": room.slug})
    assert 'id="score-reveal"' not in client.get(console).content.decode()
    room.judging_round = RoundFactory(event=room.event, live=True)
    room.save(update_fields=["judging_round"])
    html = client.get(console).content.decode()
    assert 'id="score-reveal"' in html
    assert (
        '<section class="card mb-3 border-primary" id="score-card" aria-labelledby="score-card-title" hidden>' in html
    )


BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.mark.browser
@pytest.mark.daphne_server("livestream")  # it starts a pitch the agenda flow expects not started
def test_in_the_browser_a_judge_scores_and_the_audience_sees_only_the_revealed_score(daphne_server):
    import re
    from pathlib import Path

    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Chromium not found at /usr/bin/chromium")
    from playwright.sync_api import expect, sync_playwright

    from core.demo import DEMO_PASSWORD

    room_url = daphne_server.url("/rooms/haicheng-2026-final-roadshow/")

    def signed_in(browser, email):
        context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.goto(daphne_server.url("/accounts/login/"))
        form = page.locator('main form[action^="/accounts/login/"]')
        form.locator("input[name=login]").fill(email)
        form.locator("input[name=password]").fill(DEMO_PASSWORD)
        form.locator("button[type=submit]").click()
        page.wait_for_url("**/dashboard/")
        return page

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=BROWSER_ARGS)
        try:
            console = signed_in(browser, "organiser@haizhi.example")
            judge = signed_in(browser, "judge1@haizhi.example")
            viewer = signed_in(browser, "audience@haizhi.example")
            console.goto(room_url + "console/")
            judge.goto(room_url)
            viewer.goto(room_url)
            for page in (console, judge, viewer):
                expect(page.locator("#room-connection")).to_have_text("Connected")
            expect(judge.locator("#score-card")).to_be_hidden()

            console.get_by_role("button", name="Next pitch").click()
            title = console.locator("#presenting-title")
            expect(judge.locator("#score-card")).to_be_visible()
            expect(judge.locator("#score-entry")).to_have_text(title.inner_text())
            expect(judge.locator("#score-scale")).to_have_text("0 to 100")
            fields = judge.locator("#score-fields input")
            expect(fields).to_have_count(5)
            expect(judge.locator("#score-fields label").first).to_have_text("Innovation (30 %)")
            for index in range(5):
                fields.nth(index).fill("80")
            judge.get_by_role("button", name="Submit score").click()
            expect(judge.locator("#score-note")).to_have_text("Score submitted. Your total: 80.00")
            expect(console.locator("#score-progress")).to_have_text("Judges who scored this pitch: 1")
            expect(viewer.locator("#score-card")).to_be_hidden()
            expect(viewer.locator("#revealed-scores")).to_be_hidden()

            console.get_by_role("button", name="Reveal score").click()
            revealed = viewer.locator("#revealed-list li").first
            expect(revealed).to_have_text(re.compile(r": 80\.00 of 100 \(trimmed mean; judges: 1\)$"))
            expect(revealed).to_contain_text(title.inner_text())
            expect(judge.locator("#revealed-list li").first).to_have_text(revealed.inner_text())
        finally:
            browser.close()
