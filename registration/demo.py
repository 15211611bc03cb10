"""Demo registration (see core.demo): tracks, questions, a registration window, showcase
entries with generated logos and pitch decks, and volume entries (``40 × scale``) made
with bulk_create so that benchmarks reach thousands of entries quickly.

Idempotent: set-up rows are looked up by natural keys, showcase entries by owner and
title, and volume entries are only added until the event has the wanted number.
"""

import io
import random
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw

from core.demo import DemoContext
from events.models import EventRole, Role

from . import services
from .files import image_check, pdf_check
from .models import (
    Answer,
    Attachment,
    Entry,
    Question,
    RegistrationSettings,
    Status,
    StatusChange,
    TeamMember,
    Track,
)

CONTEST = "haicheng-innovation-contest-2026"
CHINA = ZoneInfo("Asia/Shanghai")
ENTRIES_PER_SCALE = 40
WINDOW_OPENS = datetime(2026, 6, 1, 9, 0, tzinfo=CHINA)
WINDOW_CLOSES = datetime(2026, 12, 15, 23, 59, tzinfo=CHINA)

TRACKS = [
    ("biomed", "生物医药", "Biomedicine", "创新药、医疗器械、基因与细胞治疗", "Drugs, devices, gene and cell therapy"),
    ("it", "新一代信息技术", "Next-generation IT", "人工智能、集成电路、工业软件", "AI, chips, industrial software"),
    ("equipment", "高端装备", "Advanced equipment", "机器人、精密仪器、航空航天", "Robotics, instruments, aerospace"),
    ("materials", "新材料", "New materials", "复合材料、半导体材料、纳米材料", "Composite, chip and nano materials"),
    ("energy", "新能源", "New energy", "储能、氢能、光伏与智能电网", "Storage, hydrogen, solar, smart grids"),
]

YES_NO = [{"value": "yes", "zh": "是", "en": "Yes"}, {"value": "no", "zh": "否", "en": "No"}]
COMPANY = [
    {"value": "none", "zh": "尚未注册", "en": "Not registered yet"},
    {"value": "abroad", "zh": "已在海外注册", "en": "Registered abroad"},
    {"value": "china", "zh": "已在国内注册", "en": "Registered in China"},
]
MARKETS = [
    {"value": "china", "zh": "中国", "en": "China"},
    {"value": "europe", "zh": "欧洲", "en": "Europe"},
    {"value": "north-america", "zh": "北美", "en": "North America"},
    {"value": "asia-pacific", "zh": "亚太", "en": "Asia-Pacific"},
]
QUESTIONS = [
    {
        "label_zh": "您是否在海外学习或工作三年以上？",
        "label_en": "Have you studied or worked abroad for three years or more?",
        "kind": "single",
        "choices": YES_NO,
        "is_eligibility": True,
        "eligible_choices": ["yes"],
        "required": True,
    },
    {
        "label_zh": "公司注册情况",
        "label_en": "Company registration",
        "kind": "single",
        "choices": COMPANY,
        "required": True,
    },
    {"label_zh": "目标市场", "label_en": "Target markets", "kind": "multiple", "choices": MARKETS},
    {
        "label_zh": "全职团队人数",
        "label_en": "Full-time team size",
        "kind": "number",
        "min_value": Decimal(0),
        "max_value": Decimal(10000),
    },
    {
        "label_zh": "推荐信（可选）",
        "label_en": "Letter of recommendation (optional)",
        "kind": "file",
        "help_zh": "PDF 或图片",
        "help_en": "PDF or image",
    },
]

# owner, track, title (zh, en), summary, stage, status, round, funding (CNY), city, park, team
SHOWCASE = [
    (
        "entrant1",
        "energy",
        "高安全固态锂电池",
        "High-safety solid-state lithium battery",
        "基于硫化物固态电解质的动力电池，能量密度 420 Wh/kg，针刺不起火。"
        " A sulfide solid-electrolyte cell with 420 Wh/kg that does not burn when punctured.",
        "prototype",
        Status.IN_ROUND,
        1,
        30_000_000,
        "海城",
        "海城高新区创新园",
        [("Anna Schmidt", "首席技术官 CTO", "anna.schmidt@example.de", "Technical University of Munich", "DE", 9)],
    ),
    (
        "entrant2",
        "biomed",
        "CRISPR 精准基因编辑治疗平台",
        "CRISPR precision gene-editing therapy platform",
        "面向遗传性眼病的体内基因编辑疗法，已完成动物实验。"
        " In-vivo gene editing for inherited eye disease; animal studies completed.",
        "prototype",
        Status.SCREENED_IN,
        None,
        50_000_000,
        "海城",
        "生物医药产业园",
        [("Oliver Brown", "Head of biology", "o.brown@example.co.uk", "University College London", "GB", 12)],
    ),
    (
        "entrant3",
        "materials",
        "可拉伸柔性电子皮肤",
        "Stretchable flexible electronic skin",
        "用于机器人触觉与健康监测的柔性传感阵列。",
        "idea",
        Status.DRAFT,
        None,
        None,
        "",
        "",
        [],
    ),
    (
        "entrant4",
        "equipment",
        "微创手术机器人",
        "Minimally invasive surgical robot",
        "A five-arm surgical robot with force feedback; CE marking in progress.",
        "revenue",
        Status.SUBMITTED,
        None,
        80_000_000,
        "海城",
        "临港智能制造基地",
        [("Maria Garcia", "VP Engineering", "maria@example.com", "Stanford University", "US", 15)],
    ),
]

ZH_SUBJECTS = [
    "固态电池",
    "基因治疗",
    "工业机器人",
    "碳纤维",
    "光伏组件",
    "医学影像",
    "芯片设计",
    "氢燃料电池",
    "纳米涂层",
    "智能传感器",
]
EN_SUBJECTS = [
    "solid-state battery",
    "gene therapy",
    "industrial robot",
    "carbon fibre",
    "solar module",
    "medical imaging",
    "chip design",
    "hydrogen fuel cell",
    "nano coating",
    "smart sensor",
]
ZH_QUALIFIERS = ["高效", "低成本", "新一代", "智能", "绿色", "高精度", "可穿戴", "模块化"]
EN_QUALIFIERS = [
    "High-efficiency",
    "Low-cost",
    "Next-generation",
    "Intelligent",
    "Green",
    "High-precision",
    "Wearable",
    "Modular",
]
CITIES = ["海城", "海城", "海城", "临港", "东湾"]
PARKS = ["海城高新区创新园", "生物医药产业园", "临港智能制造基地", "海智离岸创新基地", ""]
COUNTRIES = ["DE", "GB", "US", "SG", "JP", "CA", "AU", "FR", "NL", "KR"]
# How volume entries spread over the statuses (weights out of 100).
STATUS_MIX = [
    (Status.DRAFT, 15),
    (Status.SUBMITTED, 30),
    (Status.SCREENED_IN, 18),
    (Status.SCREENED_OUT, 10),
    (Status.IN_ROUND, 12),
    (Status.FINALIST, 5),
    (Status.AWARDED, 3),
    (Status.WITHDRAWN, 7),
]
# The status path an entry walks to reach each status (for its history).
PATHS = {
    Status.DRAFT: [Status.DRAFT],
    Status.SUBMITTED: [Status.DRAFT, Status.SUBMITTED],
    Status.SCREENED_IN: [Status.DRAFT, Status.SUBMITTED, Status.SCREENED_IN],
    Status.SCREENED_OUT: [Status.DRAFT, Status.SUBMITTED, Status.SCREENED_OUT],
    Status.IN_ROUND: [Status.DRAFT, Status.SUBMITTED, Status.SCREENED_IN, Status.IN_ROUND],
    Status.FINALIST: [Status.DRAFT, Status.SUBMITTED, Status.SCREENED_IN, Status.IN_ROUND, Status.FINALIST],
    Status.AWARDED: [
        Status.DRAFT,
        Status.SUBMITTED,
        Status.SCREENED_IN,
        Status.IN_ROUND,
        Status.FINALIST,
        Status.AWARDED,
    ],
    Status.WITHDRAWN: [Status.DRAFT, Status.SUBMITTED, Status.WITHDRAWN],
}
REASONS = {
    Status.SCREENED_OUT: "不符合赛道方向 / Outside the contest's tracks",
    Status.AWARDED: "一等奖 / First prize",
    Status.WITHDRAWN: "团队已加入其他项目 / The team joined another programme",
}


def _colour(seed: int) -> tuple[int, int, int]:
    rng = random.Random(seed)
    return rng.randint(20, 200), rng.randint(60, 200), rng.randint(80, 220)


def make_logo(text: str, seed: int) -> bytes:
    """A round logo with the project's initials."""
    image = Image.new("RGB", (256, 256), "white")
    draw = ImageDraw.Draw(image)
    draw.ellipse((16, 16, 240, 240), fill=_colour(seed))
    draw.text((128, 128), text[:3].upper(), fill="white", anchor="mm", font_size=72)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def make_deck(title: str, lines: list[str], seed: int) -> bytes:
    """A small pitch deck: one slide a line, each an image page of a PDF."""
    slides = []
    for number, line in enumerate([title, *lines], start=1):
        slide = Image.new("RGB", (960, 540), _colour(seed + number))
        draw = ImageDraw.Draw(slide)
        draw.rectangle((40, 40, 920, 500), fill="white")
        draw.text((80, 220), line[:60], fill="black", font_size=36)
        draw.text((860, 470), str(number), fill="grey", font_size=20)
        slides.append(slide)
    out = io.BytesIO()
    slides[0].save(out, format="PDF", save_all=True, append_images=slides[1:], resolution=96)
    return out.getvalue()


def _attach(entry: Entry, kind: str, checked, name: str) -> None:
    attachment = Attachment(
        entry=entry,
        kind=kind,
        original_name=name,
        content_type=checked.content_type,
        size=checked.size,
        page_count=checked.page_count,
        width=checked.width,
        height=checked.height,
        uploaded_by=entry.owner,
    )
    attachment.file.save(checked.content.name, checked.content, save=False)
    if checked.thumbnail is not None:
        attachment.thumbnail.save(checked.thumbnail.name, checked.thumbnail, save=False)
    attachment.save()


def _add_files(entry: Entry, seed: int) -> None:
    if entry.attachments.exists():
        return
    initials = "".join(word[0] for word in entry.title_en.split()[:3]) or "HZ"
    logo = image_check(upload=ContentFile(make_logo(initials, seed), name="logo.png"), max_bytes=5_000_000, name="logo")
    _attach(entry, Attachment.Kind.LOGO, logo, "logo.png")
    deck_bytes = make_deck(entry.title_en, ["Problem", "Technology", "Team", "Market", "Funding plan"], seed)
    deck = pdf_check(upload=ContentFile(deck_bytes, name="deck.pdf"), max_bytes=20_000_000, name="deck")
    _attach(entry, Attachment.Kind.DECK, deck, "pitch-deck.pdf")


def demo_window(now: datetime) -> tuple[datetime, datetime]:
    """The contest's registration window: June to mid-December 2026, stretched so that it is
    open for at least another two weeks whenever the demo is seeded, so it can always be tried."""
    opens_at = min(WINDOW_OPENS, now - timedelta(days=1))
    closes_at = max(WINDOW_CLOSES, now + timedelta(days=14))
    return opens_at, closes_at


def demo_tracks(ctx: DemoContext, event) -> dict[str, Track]:
    """The demo's five tracks on ``event`` (the 2026 contest and the finished 2025 edition), by key."""
    tracks = {}
    for position, (key, name_zh, name_en, description_zh, description_en) in enumerate(TRACKS, start=1):
        track, created = Track.objects.get_or_create(
            event=event,
            name_en=name_en,
            defaults={
                "name_zh": name_zh,
                "description_zh": description_zh,
                "description_en": description_en,
                "position": position,
            },
        )
        tracks[key] = track
        if created:
            ctx.count("tracks")
    return tracks


def _setup(ctx: DemoContext):
    event = ctx.events[CONTEST]
    opens_at, closes_at = demo_window(timezone.now())
    window, created = RegistrationSettings.objects.get_or_create(
        event=event,
        defaults={
            "opens_at": opens_at,
            "closes_at": closes_at,
            "require_deck": True,
            "max_team_members": 8,
            "reminder_days_before": 3,
            "notes_zh": (
                "报名对象：在海外学习或工作三年以上的人才及其团队。"
                "每个项目需提交中英文名称、项目简介、团队信息和路演 PDF。"
            ),
            "notes_en": (
                "Open to people who have studied or worked abroad for three years or more, and their teams. "
                "Each project needs a title, a summary, its team and a pitch deck in PDF."
            ),
        },
    )
    if created:
        ctx.count("registration windows")
    tracks = demo_tracks(ctx, event)
    questions = []
    for position, spec in enumerate(QUESTIONS, start=1):
        question, created = Question.objects.get_or_create(
            event=event, label_en=spec["label_en"], defaults={**spec, "position": position}
        )
        questions.append(question)
        if created:
            ctx.count("questions")
    return event, window, tracks, questions


def _history(entry: Entry, status: str, round_number, organiser, when: datetime) -> list[StatusChange]:
    path = PATHS[status]
    if status == Status.WITHDRAWN and entry.submitted_at is None:
        path = [Status.DRAFT, Status.WITHDRAWN]  # withdrawn before it was ever submitted
    changes = []
    for step, (before, after) in enumerate(zip(["", *path[:-1]], path, strict=True)):
        by_entrant = after in (Status.DRAFT, Status.SUBMITTED, Status.WITHDRAWN)
        changes.append(
            StatusChange(
                entry=entry,
                from_status=before,
                to_status=after,
                round_number=round_number if after == Status.IN_ROUND else None,
                reason=REASONS.get(after, "") if after == status else "",
                changed_by=entry.owner if by_entrant else organiser,
                changed_at=when + timedelta(days=3 * step),
            )
        )
    return changes


def _answers(entry: Entry, questions: list[Question], rng: random.Random) -> list[Answer]:
    eligible, company, markets, team_size = questions[:4]
    return [
        Answer(entry=entry, question=eligible, value="yes"),
        Answer(entry=entry, question=company, value=rng.choice(["none", "abroad", "china"])),
        Answer(entry=entry, question=markets, value=rng.sample([c["value"] for c in MARKETS], 2)),
        Answer(entry=entry, question=team_size, value=str(rng.randint(2, 40))),
    ]


def _showcase(ctx: DemoContext, event, tracks, questions) -> None:
    organiser = ctx.users["organiser"]
    start = datetime(2026, 8, 20, 10, 0, tzinfo=CHINA)
    for index, spec in enumerate(SHOWCASE):
        owner_key, track_key, title_zh, title_en, summary, stage, status, round_number, funding, city, park, team = spec
        owner = ctx.users[owner_key]
        entry = Entry.objects.filter(event=event, owner=owner, title_en=title_en).first()
        if entry is not None:
            continue
        when = start + timedelta(days=index)
        entry = Entry.objects.create(
            event=event,
            owner=owner,
            track=tracks[track_key],
            title_zh=title_zh,
            title_en=title_en,
            title_zh_key=services.normalise_title(title_zh),
            title_en_key=services.normalise_title(title_en),
            summary=summary,
            stage=stage,
            technology=summary,
            ip_summary="3 项发明专利 / 3 invention patents" if status != Status.DRAFT else "",
            patent_count=3 if status != Status.DRAFT else 0,
            funding_sought=funding,
            planned_city=city,
            planned_park=park,
            video_url=f"https://video.haizhi.example/pitch/{index}" if status != Status.DRAFT else "",
            status=status,
            round_number=round_number,
            status_reason=REASONS.get(status, ""),
            lead_email=owner.email,
            submitted_at=when + timedelta(days=3) if status != Status.DRAFT else None,
        )
        TeamMember.objects.create(
            entry=entry,
            is_lead=True,
            name=owner.name_zh or owner.name_en,
            role="项目负责人 Project lead",
            email=owner.email,
            organisation=owner.organisation.name_en if owner.organisation else "",
            country=owner.country,
            years_abroad=8,
        )
        for position, (name, role, email, organisation, country, years) in enumerate(team, start=1):
            TeamMember.objects.create(
                entry=entry,
                name=name,
                role=role,
                email=email,
                organisation=organisation,
                country=country,
                years_abroad=years,
                position=position,
            )
        StatusChange.objects.bulk_create(_history(entry, status, round_number, organiser, when))
        if status != Status.DRAFT:
            Answer.objects.bulk_create(_answers(entry, questions, random.Random(index)))
            _add_files(entry, index)
        ctx.count("entries")


def seed_volume(*, event, tracks: list[Track], questions: list[Question], owners: list, organiser, target: int) -> int:
    """Add generated entries (with teams, answers and history) until ``event`` has ``target``
    entries in all; returns how many were added. Bulk inserts keep tens of thousands quick."""
    existing = Entry.objects.filter(event=event).count()
    if existing >= target or not owners:
        return 0
    start = datetime(2026, 7, 1, 9, 0, tzinfo=CHINA)
    statuses = [s for s, weight in STATUS_MIX for _ in range(weight)]
    new_entries = []
    for number in range(existing, target):
        rng = random.Random(number)
        owner = owners[number % len(owners)]
        subject = rng.randrange(len(ZH_SUBJECTS))
        qualifier = rng.randrange(len(ZH_QUALIFIERS))
        # A stride coprime with 100 spreads every status over even a few dozen entries.
        status = statuses[(number * 37) % len(statuses)]
        title_zh = f"{ZH_QUALIFIERS[qualifier]}{ZH_SUBJECTS[subject]}项目 {number + 1}号"
        title_en = f"{EN_QUALIFIERS[qualifier]} {EN_SUBJECTS[subject]} project no. {number + 1}"
        english_only = number % 4 == 0
        chinese_only = number % 7 == 3 and not english_only  # never neither: every project has a title
        submitted = status != Status.DRAFT and not (status == Status.WITHDRAWN and number % 2)
        new_entries.append(
            Entry(
                event=event,
                owner=owner,
                track=tracks[number % len(tracks)],
                title_zh="" if english_only else title_zh,
                title_en="" if chinese_only else title_en,
                title_zh_key="" if english_only else services.normalise_title(title_zh),
                title_en_key="" if chinese_only else services.normalise_title(title_en),
                summary=(
                    f"{title_zh}：海外团队研发，计划落地海城。"
                    if chinese_only
                    else f"{title_en}: a project by an overseas team, ready to land in Haicheng."
                ),
                stage=rng.choice(["idea", "prototype", "revenue"]),
                technology=f"{title_en.split(' project')[0]} technology, {rng.randint(1, 9)} years of research.",
                patent_count=rng.randint(0, 9),
                funding_sought=Decimal(rng.randrange(1, 200) * 500_000),
                planned_city=rng.choice(CITIES),
                planned_park=rng.choice(PARKS),
                status=status,
                round_number=rng.randint(1, 3) if status == Status.IN_ROUND else None,
                status_reason=REASONS.get(status, ""),
                # Owners with several projects mostly name another lead; every tenth keeps their own
                # e-mail, which the screening list flags as a likely duplicate.
                lead_email=owner.email
                if number < len(owners) or number % 10 == 0
                else f"lead{number}@team.haizhi.example",
                submitted_at=start + timedelta(days=number % 120, minutes=number) if submitted else None,
            )
        )
    created = Entry.objects.bulk_create(new_entries, batch_size=1000)
    if not created or created[0].pk is None:  # backends that do not return ids
        created = list(Entry.objects.filter(event=event).order_by("id")[existing:target])
    members, changes, answers = [], [], []
    for entry in created:
        rng = random.Random(entry.pk)
        members.append(
            TeamMember(
                entry=entry,
                is_lead=True,
                name=(entry.owner.name_zh if rng.random() < 0.5 else entry.owner.name_en)
                if entry.lead_email == entry.owner.email
                else f"Lead of project {entry.reference}",
                role="Project lead",
                email=entry.lead_email,
                organisation="",
                country=entry.owner.country,
                years_abroad=rng.randint(3, 20),
            )
        )
        for position in range(1, rng.randint(1, 4)):
            members.append(
                TeamMember(
                    entry=entry,
                    name=f"Member {position} of {entry.reference}",
                    role=rng.choice(["CTO", "COO", "Engineer", "Scientist"]),
                    email=f"member{position}.{entry.pk}@team.haizhi.example",
                    country=rng.choice(COUNTRIES),
                    years_abroad=rng.randint(1, 15),
                    position=position,
                )
            )
        when = entry.submitted_at or start
        changes += _history(entry, entry.status, entry.round_number, organiser, when - timedelta(days=1))
        if entry.status != Status.DRAFT:
            answers += _answers(entry, questions, rng)
    # The first few dozen submitted entries get a generated logo and pitch deck too.
    for entry in created[: max(0, ENTRIES_PER_SCALE - existing)]:
        if entry.status != Status.DRAFT:
            _add_files(entry, entry.pk)
    TeamMember.objects.bulk_create(members, batch_size=2000)
    StatusChange.objects.bulk_create(changes, batch_size=2000)
    Answer.objects.bulk_create(answers, batch_size=2000)
    owner_ids = {entry.owner_id for entry in created}
    roles = EventRole.objects.filter(event=event, role=Role.ENTRANT, user_id__in=owner_ids)
    have_role = set(roles.values_list("user_id", flat=True))
    EventRole.objects.bulk_create(
        [EventRole(event=event, user_id=uid, role=Role.ENTRANT) for uid in owner_ids - have_role], batch_size=2000
    )
    return len(created)


def seed(ctx: DemoContext) -> None:
    event, _window, tracks, questions = _setup(ctx)
    _showcase(ctx, event, tracks, questions)
    added = seed_volume(
        event=event,
        tracks=list(tracks.values()),
        questions=questions,
        owners=ctx.users.get("talents", []),
        organiser=ctx.users["organiser"],
        target=ENTRIES_PER_SCALE * ctx.scale,
    )
    if added:
        ctx.count("entries", added)
