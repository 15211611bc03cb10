"""Demo: the finished 2025 edition of the Haicheng contest (see core.demo), so that outcome
analytics and the programme dashboard's per-year funnel have a whole edition to read.

Same organiser, organisation, tracks and criteria as 2026. Twenty-eight projects submitted
by alumni (their own demo accounts, so they never join the 2026 contest's docking); four
screened out, the rest judged in a preliminary round by the five demo judges (four a
project, one conflict of interest declared and reassigned), closed, advancement confirmed
(the top eight became finalists, the top three awarded) and results released — all through
the registration and judging services, then dated back to 2025. What became of the projects
(docking meetings held, deals through the docking services — signed, intents, one cancelled
— and companies in the landing ledger through the landing services, some in production,
with milestones and the ledger's checks, the past ones done)
follows from each project's qualities: the landing plan and the team predict landing well,
the market and maturity predict signing, innovation barely predicts anything. Every quality
and every score comes from generators seeded by the project's title, so every run and every
database gives the same data.

Idempotent: the event, tracks and people are looked up by natural keys; the projects by
title; once the round's results are released judging is skipped; deals, meetings and
companies are looked up by project (and credit code) before anything is created.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import User
from core.demo import DemoContext
from docking.demo.meetings import record_held_meeting
from docking.models import Deal, EnterpriseProfile, Meeting
from docking.services import deals as deal_services
from events.models import Event, EventRole, Role
from judging import selectors as judging_selectors
from judging import services as judging_services
from judging.demo import CRITERIA, JUDGES, LENIENCY
from judging.models import Assignment, Round, RoundOutcome, Scorecard
from judging.services import CriterionInput
from landing import services as landing_services
from landing.models import CadenceTask, LandedCompany, LedgerChange, LedgerStatus
from landing.validators import credit_code_complete
from registration import services as registration_services
from registration.demo import demo_tracks
from registration.models import Entry, RegistrationSettings, Status, StatusChange, TeamMember, Track

SLUG = "haicheng-innovation-contest-2025"
CHINA = ZoneInfo("Asia/Shanghai")
EVENT = {
    "kind": Event.Kind.CONTEST,
    "title_zh": "2025 海城海外人才创新创业大赛",
    "title_en": "2025 Haicheng Overseas Talent Innovation Contest",
    "description_zh": (
        "上一届海城海外人才创新创业大赛（已结束）：五个赛道，初赛评审后八个项目进入决赛，"
        "优秀项目对接企业与投资机构，多个项目已在海城落地投产。"
    ),
    "description_en": (
        "The previous edition of the Haicheng contest (finished): five tracks, eight finalists after the "
        "preliminary round, docking with enterprises and investors, and several projects landed and in "
        "production in Haicheng."
    ),
    "location_zh": "海城市 · 线上",
    "location_en": "Haicheng and online",
    "starts_on": date(2025, 9, 1),
    "ends_on": date(2025, 12, 20),
    "is_published": True,
}
ROLES = [
    ("organiser", Role.ORGANISER),
    ("park_officer", Role.LEDGER_EDITOR),
    *((judge, Role.JUDGE) for judge in JUDGES),
]
WINDOW = (datetime(2025, 6, 1, 9, 0, tzinfo=CHINA), datetime(2025, 8, 31, 23, 59, tzinfo=CHINA))
ROUND_OPENS = datetime(2025, 9, 15, 9, 0, tzinfo=CHINA)
ROUND_CLOSES = datetime(2025, 10, 10, 18, 0, tzinfo=CHINA)
SCREENED_ON = datetime(2025, 9, 8, 10, 0, tzinfo=CHINA)
CONFIRMED_ON = datetime(2025, 10, 13, 10, 0, tzinfo=CHINA)
RELEASED_ON = datetime(2025, 10, 15, 10, 0, tzinfo=CHINA)
AWARDED_ON = datetime(2025, 12, 20, 16, 0, tzinfo=CHINA)
FINALISTS = 8
AWARDED = 3
SIGNED = 9
INTENTS = 2
LANDED = 6
IN_PRODUCTION = 3


@dataclass(frozen=True)
class Project:
    track: str
    title_zh: str
    title_en: str
    lead_zh: str
    lead_en: str
    country: str
    stage: str
    screened_out: bool = False


# Twenty-eight projects; the last four were screened out.
PROJECTS = [
    Project(
        "energy",
        "钠离子储能电池系统",
        "Sodium-ion battery storage system",
        "施密特",
        "Lukas Schmidt",
        "DE",
        "prototype",
    ),
    Project(
        "biomed",
        "阿尔茨海默病早筛血检",
        "Blood test for early Alzheimer's screening",
        "陈嘉欣",
        "Grace Chen",
        "US",
        "prototype",
    ),
    Project(
        "it",
        "工业质检视觉大模型",
        "Vision foundation model for factory inspection",
        "林浩然",
        "Haoran Lin",
        "SG",
        "revenue",
    ),
    Project(
        "equipment",
        "协作机器人关节模组",
        "Joint modules for collaborative robots",
        "佐藤健",
        "Ken Sato",
        "JP",
        "revenue",
    ),
    Project(
        "materials", "钙钛矿叠层光伏薄膜", "Perovskite tandem solar film", "马丁", "Claire Martin", "FR", "prototype"
    ),
    Project(
        "biomed",
        "可降解心血管支架",
        "Bioresorbable cardiovascular stent",
        "奥布莱恩",
        "Sean O'Brien",
        "IE",
        "prototype",
    ),
    Project("it", "RISC-V 车规级芯片", "Automotive-grade RISC-V chip", "王一鸣", "Yiming Wang", "US", "prototype"),
    Project(
        "energy",
        "绿氢电解槽催化剂",
        "Catalysts for green-hydrogen electrolysers",
        "范德堡",
        "Pieter van der Berg",
        "NL",
        "prototype",
    ),
    Project(
        "equipment",
        "航空发动机叶片检测仪",
        "Inspection rig for aero-engine blades",
        "史密斯",
        "Olivia Smith",
        "GB",
        "revenue",
    ),
    Project(
        "materials",
        "碳化硅功率器件衬底",
        "Silicon-carbide substrates for power devices",
        "金敏俊",
        "Minjun Kim",
        "KR",
        "prototype",
    ),
    Project("biomed", "CAR-T 实体瘤疗法", "CAR-T therapy for solid tumours", "科恩", "Noa Cohen", "IL", "prototype"),
    Project("it", "隐私计算数据平台", "Privacy-preserving data platform", "李思远", "Siyuan Li", "CA", "revenue"),
    Project("energy", "智能电网负荷预测", "Load forecasting for smart grids", "汉森", "Erik Hansen", "SE", "revenue"),
    Project(
        "equipment",
        "高精度光刻对准平台",
        "High-precision lithography alignment stage",
        "穆勒",
        "Anna Müller",
        "CH",
        "prototype",
    ),
    Project(
        "materials", "自修复防腐涂层", "Self-healing anti-corrosion coating", "罗西", "Marco Rossi", "IT", "prototype"
    ),
    Project("biomed", "便携式超声影像仪", "Portable ultrasound imager", "威尔逊", "Emma Wilson", "AU", "revenue"),
    Project(
        "it",
        "工业软件低代码平台",
        "Low-code platform for industrial software",
        "张子涵",
        "Zihan Zhang",
        "DE",
        "revenue",
    ),
    Project("energy", "固态氢储运罐", "Solid-state hydrogen storage tank", "田中裕子", "Yuko Tanaka", "JP", "idea"),
    Project(
        "equipment", "农业采摘机器人", "Fruit-picking robot for orchards", "加西亚", "Lucía García", "ES", "prototype"
    ),
    Project("materials", "石墨烯导热膜", "Graphene thermal film", "刘晓东", "Xiaodong Liu", "GB", "revenue"),
    Project("biomed", "mRNA 疫苗递送系统", "mRNA vaccine delivery system", "贝克尔", "Jonas Becker", "DE", "prototype"),
    Project("it", "毫米波雷达感知芯片", "Millimetre-wave radar sensing chip", "黄佳", "Jia Huang", "US", "prototype"),
    Project(
        "energy",
        "海上风电运维无人机",
        "Drones for offshore wind-farm maintenance",
        "尼尔森",
        "Sofie Nielsen",
        "NL",
        "idea",
    ),
    Project("equipment", "微型核磁共振仪", "Benchtop NMR spectrometer", "拉森", "Mikael Larsen", "FI", "prototype"),
    Project("it", "区块链供应链溯源", "Blockchain supply-chain tracing", "泰勒", "Jack Taylor", "NZ", "idea", True),
    Project(
        "materials", "纳米银抗菌纤维", "Nano-silver antibacterial fibre", "杜邦", "Louis Dupont", "BE", "idea", True
    ),
    Project("biomed", "中草药 AI 配方", "AI formulas for herbal medicine", "赵明", "Ming Zhao", "AT", "idea", True),
    Project(
        "energy",
        "家用光储一体机",
        "All-in-one home solar and storage unit",
        "帕克",
        "Liam Parker",
        "CA",
        "revenue",
        True,
    ),
]
SCREEN_OUT_REASON = "不符合本届赛道方向或材料不全 / Outside this edition's tracks or incomplete"
AWARD_REASON = "2025 年度一等奖 / First prize 2025"
CONFLICT_REASON = "曾在该团队所在实验室访学。 I was a visiting researcher in this team's lab."
PARKS = ["海城高新区创新园", "海城临港产业园", "海城生物医药港"]
DEAL_KINDS = ["investment", "cooperation", "cooperation", "investment"]


def _alumnus(ctx: DemoContext, index: int, project: Project) -> User:
    """The project's lead: their own account (alumni of 2025 are not 2026 entrants)."""
    email = f"alumni{index + 1:02d}@haizhi.example"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create(
            email=email,
            password=ctx.users["organiser"].password,  # the demo password, hashed once by the accounts demo
            name_zh=project.lead_zh,
            name_en=project.lead_en,
            country=project.country,
            language="zh-hans" if index % 3 == 0 else "en",
        )
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        ctx.count("users")
    return user


def _event(ctx: DemoContext) -> Event:
    event, created = Event.objects.get_or_create(
        slug=SLUG, defaults={**EVENT, "organiser_organisation": ctx.organisations["assoc"]}
    )
    ctx.events[SLUG] = event
    if created:
        ctx.count("events")
    for user_key, role in ROLES:
        _grant, created = EventRole.objects.get_or_create(
            event=event, user=ctx.users[user_key], role=role, defaults={"granted_by": ctx.users["admin"]}
        )
        if created:
            ctx.count("event roles")
    RegistrationSettings.objects.get_or_create(
        event=event, defaults={"opens_at": WINDOW[0], "closes_at": WINDOW[1], "require_deck": True}
    )
    return event


def _entries(ctx: DemoContext, event: Event, tracks: dict[str, Track]) -> list[Entry]:
    """The submitted projects (written as history: the window closed in 2025), in PROJECTS order."""
    existing = {entry.title_en: entry for entry in Entry.objects.filter(event=event)}
    entries = []
    for index, project in enumerate(PROJECTS):
        entry = existing.get(project.title_en)
        if entry is None:
            owner = _alumnus(ctx, index, project)
            rng = random.Random(project.title_en)
            submitted_at = datetime(2025, 7, 1, 10, 0, tzinfo=CHINA) + timedelta(days=index * 2, minutes=index * 37)
            entry = Entry.objects.create(
                event=event,
                owner=owner,
                track=tracks[project.track],
                title_zh=project.title_zh,
                title_en=project.title_en,
                title_zh_key=registration_services.normalise_title(project.title_zh),
                title_en_key=registration_services.normalise_title(project.title_en),
                summary=(
                    f"{project.title_zh}：{project.lead_zh}团队研发，计划落地海城。"
                    f" {project.title_en}, by {project.lead_en}'s team, to land in Haicheng."
                ),
                stage=project.stage,
                technology=f"{project.title_en}: {rng.randint(2, 9)} years of research.",
                patent_count=rng.randint(0, 8),
                funding_sought=Decimal(rng.randrange(4, 120) * 500_000),
                planned_city="海城",
                planned_park=PARKS[index % len(PARKS)],
                status=Status.SUBMITTED,
                lead_email=owner.email,
                submitted_at=submitted_at,
            )
            TeamMember.objects.create(
                entry=entry,
                is_lead=True,
                name=project.lead_en,
                role="项目负责人 Project lead",
                email=owner.email,
                country=project.country,
                years_abroad=rng.randint(4, 18),
            )
            StatusChange.objects.bulk_create(
                [
                    StatusChange(
                        entry=entry,
                        to_status=Status.DRAFT,
                        changed_by=owner,
                        changed_at=submitted_at - timedelta(days=5),
                    ),
                    StatusChange(
                        entry=entry,
                        from_status=Status.DRAFT,
                        to_status=Status.SUBMITTED,
                        changed_by=owner,
                        changed_at=submitted_at,
                    ),
                ]
            )
            EventRole.objects.get_or_create(event=event, user=owner, role=Role.ENTRANT)
            ctx.count("entries")
        entries.append(entry)
    return entries


@dataclass(frozen=True)
class Quality:
    """A project's true strength on each criterion (0–10), in CRITERIA order, and what became of it."""

    by_criterion: tuple[float, ...]
    signing: float
    landing: float


def quality(project: Project) -> Quality:
    """Seeded by the title. Innovation is nearly independent of the rest; the landing plan and the
    team drive landing, the market and maturity drive signing, each with noise."""
    rng = random.Random(f"2025-quality-{project.title_en}")
    base = rng.uniform(4.5, 8.0)
    innovation = 6.5 + rng.gauss(0, 1.3) + 0.15 * (base - 6.25)
    maturity, market, team, plan = (base + rng.gauss(0, 1.0) for _ in range(4))
    clip = [min(9.5, max(2.0, value)) for value in (innovation, maturity, market, team, plan)]
    signing = 0.35 * clip[2] + 0.3 * clip[1] + 0.2 * clip[3] + 0.15 * clip[4] + rng.gauss(0, 0.7)
    landing = 0.45 * clip[4] + 0.35 * clip[3] + 0.2 * clip[2] + rng.gauss(0, 0.7)
    return Quality(tuple(clip), signing, landing)


def _half(value: float) -> Decimal:
    return min(Decimal(10), max(Decimal(0), (Decimal(str(value)) * 2).to_integral_value() / 2))


def _judging(ctx: DemoContext, event: Event, entries: list[Entry]) -> Round | None:
    organiser = ctx.users["organiser"]
    round_ = judging_selectors.round_of(event, 1)
    if round_ is not None and round_.results_released_at is not None:
        return round_
    judged = [entry for entry, project in zip(entries, PROJECTS, strict=True) if not project.screened_out]
    out = [entry for entry, project in zip(entries, PROJECTS, strict=True) if project.screened_out]
    registration_services.entries_status_change(
        entries=out, to_status=Status.SCREENED_OUT, changed_by=organiser, reason=SCREEN_OUT_REASON
    )
    registration_services.entries_status_change(entries=judged, to_status=Status.SCREENED_IN, changed_by=organiser)
    registration_services.entries_status_change(
        entries=judged, to_status=Status.IN_ROUND, changed_by=organiser, round_number=1
    )
    # Scoring happens now (the services accept cards only while a round is open); the round's
    # dates are then set to 2025 and every timestamp is dated back (``_date_back``).
    now = datetime.now(tz=CHINA)
    round_ = judging_services.round_create(
        event=event,
        created_by=organiser,
        number=1,
        name_zh="初赛",
        name_en="Preliminary round",
        pool=Round.Pool.SCREENED_IN,
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(hours=1),
        scale_min=Decimal(0),
        scale_max=Decimal(10),
        method="weighted_mean",
        judges_per_entry=4,
        advancement_rule=Round.AdvancementRule.TOP_OVERALL,
        advancement_count=FINALISTS,
        advance_to=Round.AdvanceTo.FINALIST,
    )
    ctx.count("judging rounds")
    judging_services.criteria_set(
        round=round_,
        changed_by=organiser,
        criteria=[
            CriterionInput(name_zh=zh, name_en=en, weight=weight, guidance_zh=gzh, guidance_en=gen)
            for zh, en, weight, gzh, gen in CRITERIA
        ],
        tie_break=0,
    )
    judging_services.assignment_auto(round=round_, assigned_by=organiser, seed=2025)
    # Judge 4 declares a conflict on their first project; it goes to another judge.
    judge4 = ctx.users["judge4"]
    first = Assignment.objects.filter(round=round_, judge=judge4).select_related("entry").order_by("entry__title_en")
    if first.exists():
        judging_services.conflict_declare(judge=judge4, entry=first.first().entry, reason=CONFLICT_REASON)
        ctx.count("conflicts declared")
    _score(ctx, round_, judged)
    judging_services.round_update(round=round_, changed_by=organiser, opens_at=ROUND_OPENS, closes_at=ROUND_CLOSES)
    judging_services.round_close(round=round_, closed_by=organiser)
    judging_services.advancement_confirm(round=round_, confirmed_by=organiser)
    with_feedback = Scorecard.objects.filter(round=round_).exclude(feedback_to_entrant="").order_by("pk")
    judging_services.results_release(
        round=round_, released_by=organiser, feedback_card_ids=list(with_feedback.values_list("pk", flat=True)[:8])
    )
    winners = RoundOutcome.objects.filter(round=round_, advanced=True).order_by("rank", "entry__title_en")[:AWARDED]
    registration_services.entries_status_change(
        entries=[outcome.entry for outcome in winners],
        to_status=Status.AWARDED,
        changed_by=organiser,
        reason=AWARD_REASON,
    )
    _date_back(round_, event)
    return round_


FEEDBACK = [
    "落地计划扎实，建议尽早与园区对接厂房。 A solid landing plan; talk to the park about premises early.",
    "Promising technology; the market section needs named pilot customers.",
    "团队完整，商业模式需进一步验证。 A complete team; the business model needs more validation.",
]


def _score(ctx: DemoContext, round_: Round, judged: list[Entry]) -> None:
    criteria = judging_selectors.criteria_of(round_)
    keys = {ctx.users[key].pk: key for key in JUDGES}
    projects = {project.title_en: project for project in PROJECTS}
    assignments = Assignment.objects.filter(round=round_).select_related("entry", "judge")
    for assignment in sorted(assignments, key=lambda a: (a.entry.title_en, keys.get(a.judge_id, ""))):
        judge_key = keys.get(assignment.judge_id)
        if judge_key is None:
            continue
        truth = quality(projects[assignment.entry.title_en])
        rng = random.Random(f"2025-card-{assignment.entry.title_en}-{judge_key}")
        leniency = float(LENIENCY[judge_key])
        scores = {
            criterion.pk: _half(value + leniency + rng.gauss(0, 0.8))
            for criterion, value in zip(criteria, truth.by_criterion, strict=True)
        }
        judging_services.scorecard_submit(
            round=round_,
            entry=assignment.entry,
            judge=assignment.judge,
            scores=scores,
            feedback_to_entrant=rng.choice(FEEDBACK) if rng.random() < 0.3 else "",
        )
        ctx.count("scorecards")


def _date_back(round_: Round, event: Event) -> None:
    """The services stamp what they do with the current time; this edition happened in 2025."""
    Round.objects.filter(pk=round_.pk).update(
        closed_at=ROUND_CLOSES, advancement_confirmed_at=CONFIRMED_ON, results_released_at=RELEASED_ON
    )
    RoundOutcome.objects.filter(round=round_).update(decided_at=CONFIRMED_ON)
    cards = Scorecard.objects.filter(round=round_).order_by("entry__title_en", "judge_id")
    for number, card_id in enumerate(cards.values_list("pk", flat=True)):
        Scorecard.objects.filter(pk=card_id).update(
            submitted_at=ROUND_OPENS + timedelta(days=2 + number % 20, hours=number % 7)
        )
    changes = StatusChange.objects.filter(entry__event=event, changed_at__gte=datetime(2026, 1, 1, tzinfo=CHINA))
    for status, when in (
        (Status.SCREENED_IN, SCREENED_ON),
        (Status.SCREENED_OUT, SCREENED_ON),
        (Status.IN_ROUND, SCREENED_ON + timedelta(days=1)),
        (Status.FINALIST, CONFIRMED_ON),
        (Status.AWARDED, AWARDED_ON),
    ):
        changes.filter(to_status=status).update(changed_at=when)


def _ranked(judged: list[tuple[Entry, Quality]], key) -> list[Entry]:
    return [entry for entry, truth in sorted(judged, key=lambda pair: (-key(pair[1]), pair[0].title_en))]


def _outcomes(ctx: DemoContext, event: Event, entries: list[Entry]) -> None:
    judged = [
        (entry, quality(project)) for entry, project in zip(entries, PROJECTS, strict=True) if not project.screened_out
    ]
    by_signing = _ranked(judged, lambda truth: truth.signing)
    signed = by_signing[:SIGNED]
    intents = by_signing[SIGNED : SIGNED + INTENTS]
    cancelled = by_signing[SIGNED + INTENTS]
    # Landing: the best landing prospects among the signed, and one landed with the park's help alone.
    by_landing = _ranked(judged, lambda truth: truth.landing)
    landed = [entry for entry in by_landing if entry in signed][: LANDED - 1]
    landed.append(next(entry for entry in by_landing if entry not in signed))
    met = {entry.pk: entry for entry in [*signed, *intents, cancelled, *by_landing[:14]]}
    enterprises = list(EnterpriseProfile.objects.select_related("organisation").order_by("pk")[:6])
    if not enterprises:
        return
    for number, entry in enumerate(sorted(met.values(), key=lambda entry: entry.title_en)):
        _held_meeting(ctx, event, entry, enterprises[number % len(enterprises)], number)
    deals = _deals(ctx, event, signed, intents, cancelled, enterprises)
    _companies(ctx, event, landed, deals)


def _held_meeting(ctx: DemoContext, event: Event, entry: Entry, enterprise: EnterpriseProfile, number: int) -> None:
    """A docking talk held at the 2025 fair (history, written as it stands: the services book future meetings only)."""
    if Meeting.objects.filter(event=event, entry=entry, status=Meeting.Status.HELD).exists():
        return
    starts_at = datetime.combine(date(2025, 11, 3) + timedelta(days=number % 12), time(9 + number % 8), tzinfo=CHINA)
    record_held_meeting(
        ctx,
        event=event,
        entry=entry,
        people=[entry.owner, *enterprise.contacts.order_by("pk")[:1]],
        starts_at=starts_at,
        online_url="https://meeting.example.org/haizhi-2025",
        notes="双方交流了合作方向。 Both sides discussed how to work together.",
    )


def _deals(ctx: DemoContext, event, signed, intents, cancelled, enterprises) -> dict[int, list[Deal]]:
    organiser = ctx.users["organiser"]
    existing = set(Deal.objects.filter(event=event).values_list("entry_id", flat=True))
    for number, entry in enumerate(signed):
        if entry.pk in existing:
            continue
        deal_services.deal_create(
            event=event,
            recorded_by=organiser,
            entry=entry,
            enterprise=enterprises[number % len(enterprises)],
            kind=DEAL_KINDS[number % len(DEAL_KINDS)],
            stage=Deal.Stage.SIGNED,
            amount_cny=Decimal(random.Random(entry.title_en).randrange(6, 60) * 500_000),
            signed_on=date(2025, 11, 20) + timedelta(days=17 * number),
            notes="2025 年大赛对接签约 / Signed after the 2025 contest's docking",
        )
        ctx.count("deals")
    for number, entry in enumerate(intents):
        if entry.pk in existing:
            continue
        deal_services.deal_create(
            event=event,
            recorded_by=organiser,
            entry=entry,
            enterprise=enterprises[(number + 3) % len(enterprises)],
            kind="cooperation",
            amount_cny=Decimal(3_000_000 + 1_000_000 * number),
            notes="合作意向，待完成尽调 / Letter of intent; due diligence under way",
        )
        ctx.count("deals")
    if cancelled.pk not in existing:
        deal = deal_services.deal_create(
            event=event,
            recorded_by=organiser,
            entry=cancelled,
            enterprise=enterprises[-1],
            kind="investment",
            amount_cny=Decimal(5_000_000),
        )
        deal_services.deal_transition(
            deal=deal,
            to_stage=Deal.Stage.CANCELLED,
            changed_by=organiser,
            reason="投资方调整投资方向 / The investor changed its focus",
        )
        ctx.count("deals")
    deals: dict[int, list[Deal]] = {}
    for deal in Deal.objects.filter(event=event, stage=Deal.Stage.SIGNED).order_by("pk"):
        deals.setdefault(deal.entry_id, []).append(deal)
    return deals


def _companies(ctx: DemoContext, event: Event, landed: list[Entry], deals: dict[int, list[Deal]]) -> None:
    officer = ctx.users["park_officer"]
    production = sorted(
        landed[: LANDED - 1], key=lambda entry: (-quality(_project(entry)).by_criterion[1], entry.title_en)
    )[:IN_PRODUCTION]
    created = []
    for number, entry in enumerate(landed):
        code = credit_code_complete(f"91330201MC{number + 1:06d}")
        if LandedCompany.objects.filter(credit_code=code).exists():
            continue
        project = _project(entry)
        incorporated_on = date(2026, 1, 12) + timedelta(days=23 * number)
        name = project.title_en.split(" for ")[0]
        company = landing_services.company_create(
            event=event,
            created_by=officer,
            name_zh=f"海城{project.title_zh[:6]}科技有限公司",
            name_en=f"Haicheng {name} Technology Co., Ltd.",
            credit_code=code,
            incorporated_on=incorporated_on,
            park=PARKS[number % len(PARKS)],
            district="高新区" if number % 2 == 0 else "临港新区",
            registered_capital_cny=Decimal((number % 4 + 1) * 5_000_000),
            investment_received_cny=Decimal(sum((deal.amount_cny or 0) for deal in deals.get(entry.pk, []))),
            employees=8 + 7 * number,
            responsible=officer,
            entry=entry,
            talent=entry.owner,
            deals=deals.get(entry.pk, []),
        )
        in_production = entry in production
        landing_services.company_status_change(
            company=company, changed_by=officer, to_status=LedgerStatus.YELLOW, note="厂房装修开工 / Fit-out started"
        )
        if in_production:
            landing_services.company_status_change(
                company=company, changed_by=officer, to_status=LedgerStatus.BLUE, note="产线投产 / Line in production"
            )
        plan = [
            ("完成工商注册", "Company incorporated", incorporated_on, True),
            ("厂房装修完成", "Workshop fitted out", incorporated_on + timedelta(days=90), True),
            ("首条产线投产", "First line in production", incorporated_on + timedelta(days=180), in_production),
        ]
        today = timezone.localdate()
        for title_zh, title_en, due_on, reached in plan:
            milestone = landing_services.milestone_add(
                company=company, added_by=officer, title_zh=title_zh, title_en=title_en, due_on=due_on
            )
            if reached:
                landing_services.milestone_complete(
                    milestone=milestone, completed_by=officer, done_on=min(due_on, today), today=today
                )
        recorded = datetime.combine(incorporated_on, time(10), tzinfo=CHINA)
        LedgerChange.objects.filter(company=company).update(changed_at=recorded)
        LandedCompany.objects.filter(pk=company.pk).update(status_changed_at=recorded)
        created.append(company)
        ctx.count("landed companies")
    _cadence(created, officer)


def _cadence(companies: list[LandedCompany], officer: User) -> None:
    """The ledger still follows these companies: this period's checks are open, the past ones done."""
    if not companies:
        return
    today = timezone.localdate()
    for day in (today - timedelta(days=31), today - timedelta(days=16), today):
        landing_services.cadence_tasks_create(today=day, companies=companies)
    past = CadenceTask.objects.filter(company__in=companies, due_on__lt=today, done_at__isnull=True)
    for task in past.select_related("company__event").order_by("company_id", "due_on", "kind"):
        landing_services.cadence_task_complete(
            task=task, done_by=officer, notes="例行走访，运行正常 / Routine visit, all normal"
        )


def _project(entry: Entry) -> Project:
    return next(project for project in PROJECTS if project.title_en == entry.title_en)


def seed(ctx: DemoContext) -> None:
    event = _event(ctx)
    tracks = demo_tracks(ctx, event)
    entries = _entries(ctx, event, tracks)
    _judging(ctx, event, entries)
    _outcomes(ctx, event, entries)
