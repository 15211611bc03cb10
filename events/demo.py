"""Demo events and roles (see core.demo)."""

from datetime import date

from core.demo import DemoContext

from .models import Event, EventRole, Role

EVENTS = [
    {
        "slug": "haicheng-innovation-contest-2026",
        "kind": Event.Kind.CONTEST,
        "title_zh": "2026 海城海外人才创新创业大赛",
        "title_en": "2026 Haicheng Overseas Talent Innovation Contest",
        "description_zh": (
            "面向全球海外高层次人才的创新创业大赛，设生物医药、新一代信息技术、高端装备、新材料、新能源五个赛道。"
            "项目线上报名，经初赛、复赛、决赛多轮评审，决赛在线路演，优秀项目对接企业与投资机构并落地海城。"
        ),
        "description_en": (
            "An innovation and entrepreneurship contest for overseas talent, with five tracks: biomedicine, "
            "next-generation IT, advanced equipment, new materials and new energy. Projects register online and "
            "are judged over preliminary, semi-final and final rounds; finalists pitch online, meet enterprises "
            "and investors, and land in Haicheng."
        ),
        "location_zh": "海城市 · 线上",
        "location_en": "Haicheng and online",
        "starts_on": date(2026, 9, 1),
        "ends_on": date(2026, 12, 20),
        "org": "assoc",
        "is_published": True,
    },
    {
        "slug": "talent-docking-fair-2026",
        "kind": Event.Kind.FAIR,
        "title_zh": "2026 海智人才项目对接会",
        "title_en": "2026 Haizhi Talent and Project Docking Fair",
        "description_zh": "海外人才与本地企业、投资机构一对一洽谈，现场签约，推动项目落地。",
        "description_en": (
            "One-to-one meetings between overseas talent, local enterprises and investors, with on-the-spot "
            "signing to help projects land."
        ),
        "location_zh": "海城国际会展中心",
        "location_en": "Haicheng International Expo Centre",
        "starts_on": date(2026, 12, 10),
        "ends_on": date(2026, 12, 11),
        "org": "park",
        "is_published": True,
    },
    {
        "slug": "biomedicine-camp-2027",
        "kind": Event.Kind.CONTEST,
        "title_zh": "2027 生物医药专题赛（筹备中）",
        "title_en": "2027 Biomedicine Special Contest (in preparation)",
        "description_zh": "筹备中的专题赛，尚未发布。",
        "description_en": "A special contest in preparation, not yet published.",
        "location_zh": "海城市",
        "location_en": "Haicheng",
        "starts_on": date(2027, 3, 1),
        "ends_on": date(2027, 6, 30),
        "org": "assoc",
        "is_published": False,
    },
]

ROLES = [
    ("haicheng-innovation-contest-2026", "organiser", Role.ORGANISER),
    ("haicheng-innovation-contest-2026", "park_officer", Role.LEDGER_EDITOR),
    ("haicheng-innovation-contest-2026", "judge1", Role.JUDGE),
    ("haicheng-innovation-contest-2026", "judge2", Role.JUDGE),
    ("haicheng-innovation-contest-2026", "judge3", Role.JUDGE),
    ("haicheng-innovation-contest-2026", "judge4", Role.JUDGE),
    ("haicheng-innovation-contest-2026", "judge5", Role.JUDGE),
    ("haicheng-innovation-contest-2026", "entrant1", Role.ENTRANT),
    ("haicheng-innovation-contest-2026", "entrant2", Role.ENTRANT),
    ("haicheng-innovation-contest-2026", "entrant3", Role.ENTRANT),
    ("haicheng-innovation-contest-2026", "entrant4", Role.ENTRANT),
    ("haicheng-innovation-contest-2026", "audience", Role.AUDIENCE),
    ("haicheng-innovation-contest-2026", "enterprise", Role.ENTERPRISE),
    ("haicheng-innovation-contest-2026", "investor", Role.ENTERPRISE),
    ("talent-docking-fair-2026", "organiser", Role.ORGANISER),
    ("talent-docking-fair-2026", "park_officer", Role.LEDGER_EDITOR),
    ("talent-docking-fair-2026", "enterprise", Role.ENTERPRISE),
    ("talent-docking-fair-2026", "investor", Role.ENTERPRISE),
    ("talent-docking-fair-2026", "entrant1", Role.ENTRANT),
    ("talent-docking-fair-2026", "entrant4", Role.ENTRANT),
    ("biomedicine-camp-2027", "organiser", Role.ORGANISER),
    ("biomedicine-camp-2027", "judge1", Role.JUDGE),
]


def seed(ctx: DemoContext) -> None:
    for spec in EVENTS:
        spec = dict(spec)
        org_key = spec.pop("org")
        event, created = Event.objects.get_or_create(
            slug=spec.pop("slug"), defaults={**spec, "organiser_organisation": ctx.organisations[org_key]}
        )
        ctx.events[event.slug] = event
        if created:
            ctx.count("events")
    admin = ctx.users["admin"]
    for slug, user_key, role in ROLES:
        _grant, created = EventRole.objects.get_or_create(
            event=ctx.events[slug], user=ctx.users[user_key], role=role, defaults={"granted_by": admin}
        )
        if created:
            ctx.count("event roles")
