"""The awards demo: a published best-overseas-team award with a winner, and an open audience vote with a burst flag."""

import pytest

from awards.models import AudienceVote, Award, VoteFlag
from core.demo import SEEDERS, seed_demo
from registration.demo import CONTEST

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def test_the_demo_seeds_awards_once():
    assert SEEDERS.index("awards.demo.seed") > SEEDERS.index("judging.demo.seed")
    ctx = seed_demo(scale=1)
    event = ctx.events[CONTEST]
    overseas = Award.objects.get(event=event, name_en="Best overseas team")
    assert (overseas.kind, overseas.overseas_only, overseas.is_published) == ("overseas", True, True)
    assert sorted(c.name_en for c in overseas.criteria.all()) == ["Innovation", "Market", "Technical maturity"]
    (winner,) = overseas.winners.select_related("entry")
    lead = winner.entry.team.get(is_lead=True)
    assert lead.country.code not in ("", "CN")

    people = Award.objects.get(event=event, name_en="People's choice")
    assert people.vote_is_open is True
    assert AudienceVote.objects.filter(award=people).count() == 13
    flag = VoteFlag.objects.get(award=people)
    assert (flag.details["ip_address"], flag.details["votes"]) == ("203.0.113.50", 5)

    seed_demo(scale=1)
    assert Award.objects.filter(event=event).count() == 2
    assert AudienceVote.objects.count() == 13
