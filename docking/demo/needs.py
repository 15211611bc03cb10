"""Demo enterprises, technology needs and the fair's match list (see core.demo).

Blue Sea New Energy (contact: the demo enterprise user) and the Haizhi fund (contact: the demo
investor) get profiles, three more enterprises are added, and eight needs in Chinese, English or
both are posted on the contest and the docking fair, each clearly related to a demo project.
The fair gets the two talents' projects (they bring their contest projects to it) and a match
list built from the ranking. Records are looked up by natural keys, so a second run adds nothing.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from accounts.models import Organisation
from core.demo import DemoContext
from core.fields import TechField
from registration.models import Entry, Status, Track

from ..models import CuratedMatch, EnterpriseProfile, Need
from ..selectors import needs as selectors
from ..services import matching

CONTEST = "haicheng-innovation-contest-2026"
FAIR = "talent-docking-fair-2026"
CHINA = ZoneInfo("Asia/Shanghai")

# The contest's tracks (registration.demo) by English name → technology field.
TRACK_FIELDS = {
    "Biomedicine": TechField.BIOMEDICINE,
    "Next-generation IT": TechField.DIGITAL,
    "Advanced equipment": TechField.MANUFACTURING,
    "New materials": TechField.NEW_MATERIALS,
    "New energy": TechField.NEW_ENERGY,
}

# key, existing organisation key or None, (name zh, name en, kind), field, description zh, en, region, contacts
ENTERPRISES = [
    (
        "bluesea",
        "bluesea",
        None,
        TechField.NEW_ENERGY,
        "动力电池与储能系统集成商，为新能源汽车和电网储能提供电池包。",
        "Integrator of traction batteries and energy-storage systems for electric vehicles and grids.",
        "海城",
        ["enterprise"],
    ),
    (
        "fund",
        "fund",
        None,
        "",
        "专注早期硬科技项目的创业投资基金，单笔投资 500 万至 5000 万元。",
        "A venture fund for early deep-tech projects, investing CNY 5–50 million per deal.",
        "海城",
        ["investor"],
    ),
    (
        "biopharma",
        None,
        ("海城生物制药股份有限公司", "Haicheng Biopharma Co.", Organisation.Kind.ENTERPRISE),
        TechField.BIOMEDICINE,
        "眼科与罕见病创新药企业。",
        "Maker of innovative drugs for eye and rare diseases.",
        "海城生物医药产业园",
        [],
    ),
    (
        "robotics",
        None,
        ("东海智能装备有限公司", "Donghai Intelligent Equipment Co.", Organisation.Kind.ENTERPRISE),
        TechField.MANUFACTURING,
        "精密减速器与医疗设备整机制造。",
        "Precision gearboxes and complete medical devices.",
        "临港智能制造基地",
        [],
    ),
    (
        "materials",
        None,
        ("海城先进材料科技有限公司", "Haicheng Advanced Materials Co.", Organisation.Kind.ENTERPRISE),
        TechField.NEW_MATERIALS,
        "碳纤维复合材料与功能涂层。",
        "Carbon-fibre composites and functional coatings.",
        "海城",
        [],
    ),
]

# event, enterprise key, title zh, title en, field, description zh, description en, keywords,
# budget from, budget up to (CNY), region, deadline, status
NEEDS = [
    (
        CONTEST,
        "bluesea",
        "固态电池热管理与电池管理系统",
        "Thermal management and BMS for solid-state batteries",
        TechField.NEW_ENERGY,
        "寻找硫化物固态电池的热管理方案和电池管理系统（BMS），用于新一代动力电池包，要求针刺不起火。",
        "We look for thermal management and a battery management system (BMS) for sulfide solid-state cells "
        "in our next traction battery pack.",
        "固态电池, 热管理, BMS, solid-state battery",
        Decimal(2_000_000),
        Decimal(8_000_000),
        "海城",
        date(2027, 3, 31),
        Need.Status.OPEN,
    ),
    (
        CONTEST,
        "biopharma",
        "遗传性眼病基因编辑疗法合作",
        "",
        TechField.BIOMEDICINE,
        "寻求体内基因编辑（CRISPR）治疗遗传性眼病的合作团队，可共建临床前研究平台。",
        "",
        "基因编辑, CRISPR, 眼病",
        Decimal(5_000_000),
        Decimal(20_000_000),
        "海城生物医药产业园",
        date(2027, 6, 30),
        Need.Status.OPEN,
    ),
    (
        CONTEST,
        "robotics",
        "",
        "Force-feedback control for a surgical robot",
        TechField.MANUFACTURING,
        "",
        "We build the arms of a minimally invasive surgical robot and need force feedback and motion control.",
        "surgical robot, force feedback",
        Decimal(3_000_000),
        None,
        "临港",
        date(2027, 4, 30),
        Need.Status.OPEN,
    ),
    (
        CONTEST,
        "fund",
        "储能与固态电池早期项目投资",
        "Early-stage investment in energy storage and solid-state batteries",
        TechField.NEW_ENERGY,
        "基金计划投资 2–3 个储能或固态电池早期项目。",
        "The fund plans to invest in two or three early energy-storage or solid-state battery projects.",
        "固态电池, 储能, solid-state battery, investment",
        Decimal(10_000_000),
        Decimal(50_000_000),
        "",
        date(2027, 12, 31),
        Need.Status.OPEN,
    ),
    (
        CONTEST,
        "materials",
        "碳纤维复合材料轻量化",
        "Lightweight carbon-fibre composites",
        TechField.NEW_MATERIALS,
        "寻找低成本碳纤维复合材料成型工艺。",
        "Looking for a low-cost forming process for carbon-fibre composites.",
        "碳纤维, carbon fibre",
        None,
        Decimal(4_000_000),
        "海城",
        date(2027, 2, 28),
        Need.Status.CLOSED,
    ),
    (
        FAIR,
        "bluesea",
        "硫化物固态电解质量产合作",
        "Mass production of sulfide solid electrolytes",
        TechField.NEW_ENERGY,
        "在海城共建固态电解质中试线，目标能量密度 400 Wh/kg 以上的固态锂电池。",
        "A pilot line in Haicheng for solid electrolytes, aiming at solid-state lithium cells above 400 Wh/kg.",
        "固态电解质, 固态电池, solid electrolyte",
        Decimal(10_000_000),
        Decimal(30_000_000),
        "海城",
        date(2027, 1, 31),
        Need.Status.OPEN,
    ),
    (
        FAIR,
        "robotics",
        "微创手术机器人整机制造伙伴",
        "Manufacturing partner for a minimally invasive surgical robot",
        TechField.MANUFACTURING,
        "我们提供精密减速器与整机装配产线，寻找手术机器人团队联合申报医疗器械注册。",
        "We offer precision gearboxes and an assembly line, and look for a surgical-robot team to certify a device.",
        "手术机器人, surgical robot",
        Decimal(5_000_000),
        Decimal(15_000_000),
        "临港智能制造基地",
        date(2027, 2, 28),
        Need.Status.OPEN,
    ),
    (
        FAIR,
        "fund",
        "",
        "Deep-tech projects ready to incorporate in Haicheng",
        TechField.OTHER,
        "",
        "Projects that will incorporate a company in Haicheng within a year: solid-state batteries, robots, biotech.",
        "solid-state battery, surgical robot, gene editing",
        Decimal(5_000_000),
        Decimal(50_000_000),
        "海城",
        date(2027, 6, 30),
        Need.Status.OPEN,
    ),
]

# The talents bring their contest projects to the fair: owner key, contest title (en), fair track (en).
FAIR_TRACKS = [
    ("新能源", "New energy", TechField.NEW_ENERGY),
    ("高端装备", "Advanced equipment", TechField.MANUFACTURING),
]
FAIR_PROJECTS = [
    ("entrant1", "High-safety solid-state lithium battery", "New energy"),
    ("entrant4", "Minimally invasive surgical robot", "Advanced equipment"),
]


def _track_fields(ctx: DemoContext) -> None:
    for name_en, field in TRACK_FIELDS.items():
        updated = Track.objects.filter(event=ctx.events[CONTEST], name_en=name_en, field="").update(field=field)
        if updated:
            ctx.count("track fields", updated)


def _enterprises(ctx: DemoContext) -> dict[str, EnterpriseProfile]:
    profiles = {}
    for key, org_key, new_org, field, description_zh, description_en, region, contact_keys in ENTERPRISES:
        if org_key is not None:
            organisation = ctx.organisations[org_key]
        else:
            name_zh, name_en, kind = new_org
            organisation, created = Organisation.objects.get_or_create(
                name_en=name_en, defaults={"name_zh": name_zh, "kind": kind, "country": "CN"}
            )
            if created:
                ctx.count("organisations")
        profile, created = EnterpriseProfile.objects.get_or_create(
            organisation=organisation,
            defaults={
                "field": field,
                "description_zh": description_zh,
                "description_en": description_en,
                "region": region,
            },
        )
        if created:
            profile.contacts.set([ctx.users[contact] for contact in contact_keys])
            ctx.count("enterprise profiles")
        profiles[key] = profile
    return profiles


def _needs(ctx: DemoContext, profiles: dict[str, EnterpriseProfile]) -> list[Need]:
    needs = []
    organiser = ctx.users["organiser"]
    for spec in NEEDS:
        slug, enterprise_key, title_zh, title_en, field, desc_zh, desc_en, keywords, low, high, region, due, state = (
            spec
        )
        enterprise = profiles[enterprise_key]
        need, created = Need.objects.get_or_create(
            event=ctx.events[slug],
            enterprise=enterprise,
            title_zh=title_zh,
            title_en=title_en,
            defaults={
                "field": field,
                "description_zh": desc_zh,
                "description_en": desc_en,
                "keywords": keywords,
                "budget_min_cny": low,
                "budget_max_cny": high,
                "region": region,
                "deadline": due,
                "status": state,
                "posted_by": enterprise.contacts.order_by("pk").first() or organiser,
            },
        )
        if created:
            ctx.count("needs")
        needs.append(need)
    return needs


def _fair_projects(ctx: DemoContext) -> None:
    fair, contest = ctx.events[FAIR], ctx.events[CONTEST]
    tracks = {}
    for position, (name_zh, name_en, field) in enumerate(FAIR_TRACKS, start=1):
        tracks[name_en], created = Track.objects.get_or_create(
            event=fair, name_en=name_en, defaults={"name_zh": name_zh, "field": field, "position": position}
        )
        if created:
            ctx.count("tracks")
    submitted_at = datetime(2026, 11, 20, 10, 0, tzinfo=CHINA)
    for index, (owner_key, title_en, track_name) in enumerate(FAIR_PROJECTS):
        owner = ctx.users[owner_key]
        if Entry.objects.filter(event=fair, owner=owner, title_en=title_en).exists():
            continue
        source = Entry.objects.filter(event=contest, owner=owner, title_en=title_en).first()
        if source is None:
            continue
        lead = source.team.filter(is_lead=True).first()
        # The same project, registered for the fair: a copy of the contest entry and its team lead.
        entry = source
        entry.pk = None
        entry._state.adding = True
        entry.event, entry.track = fair, tracks[track_name]
        entry.status, entry.round_number, entry.status_reason = Status.SUBMITTED, None, ""
        entry.submitted_at = submitted_at + timedelta(hours=index)
        entry.save()
        if lead is not None:
            lead.pk = None
            lead._state.adding = True
            lead.entry = entry
            lead.save()
        ctx.count("entries")


def _match_list(ctx: DemoContext, needs: list[Need]) -> None:
    """The best-ranked fair project for each open fair need, and the best talent for the first one."""
    fair = ctx.events[FAIR]
    entries = [(entry, matching.entry_document(entry)) for entry in selectors.matchable_entries(fair)]
    organiser = ctx.users["organiser"]
    fair_needs = [need for need in needs if need.event_id == fair.pk and need.status == Need.Status.OPEN]
    for index, need in enumerate(fair_needs):
        suggestions = matching.rank(matching.need_document(need), entries, limit=1)
        if index == 0:
            talents = [(t, matching.talent_document(t)) for t in selectors.talents()]
            suggestions += matching.rank(matching.need_document(need), talents, limit=1)
        for position, suggestion in enumerate(suggestions):
            target = {"entry": suggestion.item} if isinstance(suggestion.item, Entry) else {"talent": suggestion.item}
            _match, created = CuratedMatch.objects.get_or_create(
                need=need,
                **target,
                defaults={
                    "event": fair,
                    "score": suggestion.score,
                    "explanation": suggestion.explanation[:500],
                    "position": position,
                    "added_by": organiser,
                },
            )
            if created:
                ctx.count("curated matches")


def seed(ctx: DemoContext) -> None:
    _track_fields(ctx)
    profiles = _enterprises(ctx)
    needs = _needs(ctx, profiles)
    _fair_projects(ctx)
    _match_list(ctx, needs)
