"""The data migration that reads proposals' reasons, stored as text in one language, back into parts."""

import importlib

import pytest
from django.apps import apps
from django.utils import translation

from docking.models import MeetingProposal
from docking.services.proposal_reasons import proposal_reason
from events.models import Role
from tests.docking.conftest import member
from tests.docking.proposals_setup import make_judged
from tests.factories import NeedFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("docking.migrations.0003_meeting_proposal_reasons")


def stored(judged, text, key="battery"):
    return MeetingProposal.objects.create(
        event=judged.contest.event,
        round=judged.round,
        entry=judged.contest.projects[key],
        person=member(judged.contest.event, Role.ENTERPRISE),
        old_reason=text,
        created_by=judged.contest.organiser,
    )


def test_text_in_either_language_becomes_parts_and_the_rest_stays_text():
    judged = make_judged()
    other_need = NeedFactory(
        event=judged.contest.event, enterprise=judged.contest.enterprise, title_zh="机器人", title_en="Robots; arms"
    )
    english = stored(
        judged,
        "Declared interest (Entered by hand); "
        "Need “Solid-state battery cells”: Same field; shares: solid-state battery, BMS, 电池, 固态; "
        "Need “Robots; arms”: Same field",
    )
    chinese = stored(judged, "技术需求“固态电池电芯”：共同关键词：电池, 固态; 已表达意向（在路演间标记了意向）")
    # The generator cut the text at 1000 characters: a full-length one may end in half a reason
    # (here half the need's shared terms, which would otherwise read as a whole reason).
    full = "Need “Solid-state battery cells”: Same field; shares: solid-state battery, BMS, 电池, 固态"
    cut_off = stored(judged, ("Declared interest (Entered by hand); " * 25 + full)[:1000])
    unknown_need = stored(judged, "Need “Gone”: Same field")
    not_ours = stored(judged, "Met at the fair")

    migration.reasons_to_parts(apps, None)

    battery = {"kind": "need", "need_id": judged.need.pk, "title_zh": "固态电池电芯"}
    battery["title_en"] = "Solid-state battery cells"
    english.refresh_from_db()
    assert english.old_reason == ""
    assert english.reasons == [
        {"kind": "interest", "source": "manual"},
        {**battery, "same_field": True, "shared_terms": ["solid-state battery", "BMS", "电池", "固态"]},
        {
            "kind": "need",
            "need_id": other_need.pk,
            "title_zh": "机器人",
            "title_en": "Robots; arms",
            "same_field": True,
            "shared_terms": [],
        },
    ]
    chinese.refresh_from_db()
    assert (chinese.old_reason, chinese.reasons) == (
        "",
        [{**battery, "same_field": False, "shared_terms": ["电池", "固态"]}, {"kind": "interest", "source": "room"}],
    )
    with translation.override("en"):
        assert proposal_reason(chinese) == (
            "Need “Solid-state battery cells”: Shares: 电池, 固态; "
            "Declared interest (Marked interest in a roadshow room)"
        )
    for proposal in (unknown_need, not_ours, cut_off):
        text = proposal.old_reason
        proposal.refresh_from_db()
        assert (proposal.reasons, proposal.old_reason, proposal_reason(proposal)) == ([], text, text)


def test_going_back_writes_the_parts_out_in_the_sites_language(settings):
    judged = make_judged()
    proposal = stored(judged, "")
    proposal.reasons = [{"kind": "interest", "source": "room"}]
    proposal.save()

    migration.parts_to_reasons(apps, None)

    proposal.refresh_from_db()
    assert proposal.old_reason == "已表达意向（在路演间标记了意向）"
