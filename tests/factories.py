import datetime as dt

import factory
from allauth.account.models import EmailAddress

from accounts.models import Organisation, User
from events.models import Event, EventRole, Role

DEFAULT_PASSWORD = "Str0ng-pass-phrase!"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name_zh = factory.Sequence(lambda n: f"机构{n}")
    name_en = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organisation.Kind.UNIVERSITY
    country = "DE"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name_zh = factory.Sequence(lambda n: f"用户{n}")
    name_en = factory.Sequence(lambda n: f"Person {n}")
    country = "CN"
    language = "zh-hans"

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or DEFAULT_PASSWORD)
        if create:
            obj.save(update_fields=["password"])

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    slug = factory.Sequence(lambda n: f"event-{n}")
    kind = Event.Kind.CONTEST
    title_zh = factory.Sequence(lambda n: f"创新大赛{n}")
    title_en = factory.Sequence(lambda n: f"Innovation Contest {n}")
    description_zh = "大赛介绍"
    description_en = "About the contest"
    starts_on = dt.date(2026, 9, 1)
    ends_on = dt.date(2026, 12, 20)
    is_published = True


class EventRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventRole

    event = factory.SubFactory(EventFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.ORGANISER


# --- Registration ------------------------------------------------------------------------


class TrackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "registration.Track"

    event = factory.SubFactory(EventFactory)
    name_zh = factory.Sequence(lambda n: f"赛道{n}")
    name_en = factory.Sequence(lambda n: f"Track {n}")
    position = factory.Sequence(lambda n: n)


class RegistrationSettingsFactory(factory.django.DjangoModelFactory):
    """An open registration window: opened ten days ago, closes in ten days."""

    class Meta:
        model = "registration.RegistrationSettings"

    event = factory.SubFactory(EventFactory)
    opens_at = factory.LazyFunction(lambda: dt.datetime.now(dt.UTC) - dt.timedelta(days=10))
    closes_at = factory.LazyFunction(lambda: dt.datetime.now(dt.UTC) + dt.timedelta(days=10))
    require_deck = False
    require_logo = False
    max_team_members = 5


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "registration.Question"

    event = factory.SubFactory(EventFactory)
    kind = "text"
    label_zh = factory.Sequence(lambda n: f"问题{n}")
    label_en = factory.Sequence(lambda n: f"Question {n}")
    position = factory.Sequence(lambda n: n)


class EntryFactory(factory.django.DjangoModelFactory):
    """A draft with every required field filled and a complete team lead."""

    class Meta:
        model = "registration.Entry"
        skip_postgeneration_save = True

    event = factory.SubFactory(EventFactory)
    owner = factory.SubFactory(UserFactory)
    track = factory.SubFactory(TrackFactory, event=factory.SelfAttribute("..event"))
    title_zh = factory.Sequence(lambda n: f"固态电池项目{n}")
    title_en = factory.Sequence(lambda n: f"Solid-state battery project {n}")
    title_zh_key = factory.LazyAttribute(lambda o: "".join(ch for ch in o.title_zh.casefold() if ch.isalnum()))
    title_en_key = factory.LazyAttribute(lambda o: "".join(ch for ch in o.title_en.casefold() if ch.isalnum()))
    summary = "A safer battery for electric vehicles."
    stage = "prototype"
    technology = "Sulfide solid electrolyte."
    funding_sought = 5_000_000
    planned_city = "海城"
    lead_email = factory.LazyAttribute(lambda o: o.owner.email)
    lead = factory.RelatedFactory(
        "tests.factories.TeamMemberFactory",
        factory_related_name="entry",
        is_lead=True,
        name=factory.SelfAttribute("..owner.name_en"),
        email=factory.SelfAttribute("..owner.email"),
        country="DE",
    )


class TeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "registration.TeamMember"

    entry = factory.SubFactory(EntryFactory)
    name = factory.Sequence(lambda n: f"Member {n}")
    role = "CTO"
    email = factory.Sequence(lambda n: f"member{n}@example.org")
    organisation = "TUM"
    country = "DE"
    years_abroad = 5


class RoadshowRoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "livestream.RoadshowRoom"

    event = factory.SubFactory(EventFactory)
    slug = factory.Sequence(lambda n: f"room-{n}")
    title_zh = factory.Sequence(lambda n: f"决赛路演{n}")
    title_en = factory.Sequence(lambda n: f"Final roadshow {n}")
    visibility = "public"
    status = "live"


# --- Judging --------------------------------------------------------------------------------


class RoundFactory(factory.django.DjangoModelFactory):
    """A judging round open for scoring now (opened a day ago, closes in a day), scale 0–10."""

    class Meta:
        model = "judging.Round"

    event = factory.SubFactory(EventFactory)
    number = factory.Sequence(lambda n: n + 1)
    name_zh = factory.LazyAttribute(lambda o: f"第{o.number}轮")
    name_en = factory.LazyAttribute(lambda o: f"Round {o.number}")
    opens_at = factory.LazyFunction(lambda: dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
    judges_per_entry = 2
    advancement_rule = "top_overall"
    advancement_count = 2


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "judging.Criterion"

    round = factory.SubFactory(RoundFactory)
    name_zh = factory.Sequence(lambda n: f"标准{n}")
    name_en = factory.Sequence(lambda n: f"Criterion {n}")
    weight = 100
    position = factory.Sequence(lambda n: n)


# --- Roadshow agenda and interest ------------------------------------------------------------


class AgendaSlotFactory(factory.django.DjangoModelFactory):
    """A pending pitch of a finalist of the room's event."""

    class Meta:
        model = "livestream.AgendaSlot"

    room = factory.SubFactory(RoadshowRoomFactory)
    entry = factory.SubFactory(
        EntryFactory,
        event=factory.SelfAttribute("..room.event"),
        status="finalist",
        submitted_at=factory.LazyFunction(lambda: dt.datetime.now(dt.UTC) - dt.timedelta(days=30)),
    )
    position = factory.Sequence(lambda n: n)
    duration_minutes = 8


class RoomInterestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "livestream.RoomInterest"

    slot = factory.SubFactory(
        AgendaSlotFactory, state="done", started_at=factory.LazyFunction(lambda: dt.datetime.now(dt.UTC))
    )
    room = factory.SelfAttribute("slot.room")
    entry = factory.SelfAttribute("slot.entry")
    user = factory.SubFactory(UserFactory)


# --- Docking -----------------------------------------------------------------------------


class EnterpriseProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "docking.EnterpriseProfile"

    organisation = factory.SubFactory(OrganisationFactory, kind=Organisation.Kind.ENTERPRISE, country="CN")
    field = "new_energy"
    description_zh = "新能源汽车零部件企业"
    description_en = "Maker of electric-vehicle parts"
    region = "海城"


class NeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "docking.Need"

    event = factory.SubFactory(EventFactory)
    enterprise = factory.SubFactory(EnterpriseProfileFactory)
    title_zh = factory.Sequence(lambda n: f"技术需求{n}")
    title_en = factory.Sequence(lambda n: f"Technology need {n}")
    field = "new_energy"
    description_zh = "寻找动力电池热管理技术"
    description_en = "Looking for battery thermal management"
    budget_min_cny = 1_000_000
    budget_max_cny = 5_000_000
    deadline = dt.date(2027, 3, 31)


class LeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "docking.Lead"

    entry = factory.SubFactory(EntryFactory, status="finalist", submitted_at=dt.datetime(2026, 9, 10, tzinfo=dt.UTC))
    event = factory.SelfAttribute("entry.event")
    person = factory.SubFactory(UserFactory)
    source = "manual"


class FairTableFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "docking.FairTable"

    event = factory.SubFactory(EventFactory, kind=Event.Kind.FAIR)
    label = factory.Sequence(lambda n: f"T{n:02d}")


class MeetingFactory(factory.django.DjangoModelFactory):
    """A scheduled online meeting about a finalist's project, tomorrow 10:00–10:30 UTC."""

    class Meta:
        model = "docking.Meeting"

    entry = factory.SubFactory(EntryFactory, status="finalist", submitted_at=dt.datetime(2026, 9, 10, tzinfo=dt.UTC))
    event = factory.SelfAttribute("entry.event")
    starts_at = factory.LazyFunction(
        lambda: dt.datetime.combine(dt.date.today() + dt.timedelta(days=1), dt.time(10), tzinfo=dt.UTC)
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(minutes=30))
    mode = "online"
    online_url = "https://meet.example.org/room"


class MeetingParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "docking.MeetingParticipant"

    meeting = factory.SubFactory(MeetingFactory)
    user = factory.SubFactory(UserFactory)


class DealFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "docking.Deal"

    entry = factory.SubFactory(EntryFactory, status="finalist", submitted_at=dt.datetime(2026, 9, 10, tzinfo=dt.UTC))
    event = factory.SelfAttribute("entry.event")
    enterprise = factory.SubFactory(EnterpriseProfileFactory)
    kind = "investment"
    stage = "intent"
    amount_cny = 2_000_000


# --- Landing ledger ----------------------------------------------------------------------

# Valid unified social credit codes (GB 32100-2015 check character), one per factory row.
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def credit_code_with_check(first16: str) -> str:
    """Complete 16 characters into a valid code: the organisation code's check (GB 11714), then the code's."""
    org = first16[8:16]
    org_total = sum(int(ch, 36) * w for ch, w in zip(org, ORG_CODE_WEIGHTS, strict=True))
    org_check = {10: "X", 11: "0"}.get(11 - org_total % 11, str(11 - org_total % 11))
    first17 = first16 + org_check
    total = sum(CREDIT_CODE_CHARS.index(ch) * w for ch, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return first17 + CREDIT_CODE_CHARS[(31 - total % 31) % 31]


class LandedCompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "landing.LandedCompany"

    entry = factory.SubFactory(EntryFactory, status="awarded", submitted_at=dt.datetime(2026, 9, 10, tzinfo=dt.UTC))
    event = factory.SelfAttribute("entry.event")
    name_zh = factory.Sequence(lambda n: f"海城新能源科技有限公司{n}")
    name_en = factory.Sequence(lambda n: f"Haicheng New Energy Tech Co. {n}")
    credit_code = factory.Sequence(lambda n: credit_code_with_check(f"91330200MA{n:06d}"))
    incorporated_on = dt.date(2026, 10, 8)
    park = "海城高新区"
    district = "高新区"
    registered_capital_cny = 10_000_000
    employees = 12
    status = "red"


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "landing.Milestone"

    company = factory.SubFactory(LandedCompanyFactory)
    title_zh = "完成厂房装修"
    title_en = "Workshop fitted out"
    due_on = dt.date(2027, 1, 31)
