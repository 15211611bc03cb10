"""Demo ledger (see core.demo): landed companies of the Haicheng contest in every colour — two
red, two yellow, two blue and one in an offshore incubation base — linked to demo projects
and their signed deals, kept by the park officer, with milestones, an inspection with a
photo, and cadence checks of the current and two past half-months, some left overdue.
``ctx.scale`` above 1 adds volume companies (``COMPANIES_PER_SCALE × scale`` in all) for
benchmarks.

Idempotent: companies are looked up by their credit code; checks are unique per period.
"""

import io
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone
from PIL import Image, ImageDraw

from core.demo import DemoContext
from docking.models import Deal
from registration.models import Entry, Status

from . import services
from .models import CadenceTask, LandedCompany, LedgerStatus
from .validators import credit_code_complete

CONTEST = "haicheng-innovation-contest-2026"
COMPANIES_PER_SCALE = 7
ENTRY_PREFERENCE = [Status.AWARDED, Status.FINALIST, Status.IN_ROUND, Status.SCREENED_IN, Status.SUBMITTED]
PARKS = ["海城高新区创新园", "海城临港产业园", "海城生物医药港"]
OFFSHORE_BASE = "海城（硅谷）离岸创新创业基地 / Haicheng Silicon Valley Offshore Incubation Base"


@dataclass(frozen=True)
class Showcase:
    name_zh: str
    name_en: str
    status: str
    park: str
    district: str
    capital: int
    investment: int
    employees: int
    incorporated_on: date
    history: tuple[tuple[str, str], ...] = ()
    offshore: bool = False


SHOWCASE = [
    Showcase(
        "海城固锂新能源科技有限公司",
        "Haicheng SolidLi New Energy Technology Co., Ltd.",
        LedgerStatus.BLUE,
        PARKS[0],
        "高新区",
        30_000_000,
        8_000_000,
        46,
        date(2026, 6, 18),
        (("yellow", "厂房装修开工 / Workshop fit-out started"), ("blue", "中试线投产 / Pilot line in production")),
    ),
    Showcase(
        "海城明眸基因医药有限公司",
        "Haicheng ClearSight Gene Medicine Co., Ltd.",
        LedgerStatus.YELLOW,
        PARKS[2],
        "临港新区",
        20_000_000,
        3_500_000,
        18,
        date(2026, 7, 2),
        (("yellow", "GMP 车间在建 / GMP suite under construction"),),
    ),
    Showcase(
        "海城智巡机器人有限公司",
        "Haicheng SmartPatrol Robotics Co., Ltd.",
        LedgerStatus.RED,
        PARKS[1],
        "临港新区",
        10_000_000,
        0,
        4,
        date(2026, 9, 9),
    ),
    Showcase(
        "海城芯测科技有限公司",
        "Haicheng ChipProbe Technology Co., Ltd.",
        LedgerStatus.YELLOW,
        PARKS[0],
        "高新区",
        15_000_000,
        2_000_000,
        11,
        date(2026, 7, 20),
        (("yellow", "设备进场安装 / Equipment being installed"),),
    ),
    Showcase(
        "海城纳膜材料有限公司",
        "Haicheng NanoMembrane Materials Co., Ltd.",
        LedgerStatus.RED,
        PARKS[1],
        "临港新区",
        5_000_000,
        0,
        3,
        date(2026, 8, 28),
    ),
    Showcase(
        "海城氢途能源有限公司",
        "Haicheng HydroWay Energy Co., Ltd.",
        LedgerStatus.BLUE,
        PARKS[0],
        "高新区",
        50_000_000,
        12_000_000,
        63,
        date(2026, 6, 5),
        (
            ("yellow", "电解槽产线在建 / Electrolyser line under construction"),
            ("blue", "首批订单交付 / First orders shipped"),
        ),
    ),
    Showcase(
        "海城离岸智能传感有限公司",
        "Haicheng Offshore Smart Sensing Co., Ltd.",
        LedgerStatus.YELLOW,
        "",
        "",
        8_000_000,
        1_000_000,
        9,
        date(2026, 7, 12),
        (("yellow", "离岸基地研发团队到位 / R&D team in place at the offshore base"),),
        offshore=True,
    ),
]


def _credit_code(series: str, number: int) -> str:
    return credit_code_complete(f"91330201M{series}{number:06d}")


def _free_entries(event):
    """The contest's projects without a company: those with signed deals first, then by how far they got."""
    preference = Case(
        *(When(status=status, then=Value(rank)) for rank, status in enumerate(ENTRY_PREFERENCE)),
        default=Value(len(ENTRY_PREFERENCE)),
        output_field=IntegerField(),
    )
    signed = Deal.objects.filter(stage=Deal.Stage.SIGNED).values("entry_id")
    with_deals = Case(When(pk__in=signed, then=Value(0)), default=Value(1), output_field=IntegerField())
    return (
        Entry.objects.filter(event=event, status__in=ENTRY_PREFERENCE, landed_company__isnull=True)
        .annotate(with_deals=with_deals, preference=preference)
        .order_by("with_deals", "preference", "pk")
    )


def _photo(label: str) -> SimpleUploadedFile:
    image = Image.new("RGB", (640, 400), (88, 130, 170))
    ImageDraw.Draw(image).text((24, 24), label, fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return SimpleUploadedFile("inspection.jpg", buffer.getvalue(), content_type="image/jpeg")


def _showcase(ctx: DemoContext, event, officer, today: date) -> list[LandedCompany]:
    companies = []
    for index, spec in enumerate(SHOWCASE):
        code = _credit_code("A", index + 1)
        company = LandedCompany.objects.filter(credit_code=code).first()
        if company is not None:
            companies.append(company)
            continue
        entry = _free_entries(event).first()
        deals = list(Deal.objects.filter(entry=entry, stage=Deal.Stage.SIGNED)) if entry else []
        company = services.company_create(
            event=event,
            created_by=officer,
            name_zh=spec.name_zh,
            name_en=spec.name_en,
            credit_code=code,
            incorporated_on=spec.incorporated_on,
            park=spec.park,
            district=spec.district,
            base=LandedCompany.Base.OFFSHORE if spec.offshore else LandedCompany.Base.LOCAL,
            base_name=OFFSHORE_BASE if spec.offshore else "",
            registered_capital_cny=Decimal(spec.capital),
            investment_received_cny=Decimal(spec.investment),
            employees=spec.employees,
            responsible=officer,
            entry=entry,
            talent=entry.owner if entry else None,
            deals=deals,
        )
        for to_status, note in spec.history:
            services.company_status_change(company=company, changed_by=officer, to_status=to_status, note=note)
        _milestones(company, officer, spec, today)
        ctx.count("landed companies")
        companies.append(company)
    return companies


def _milestones(company: LandedCompany, officer, spec: Showcase, today: date) -> None:
    plan = [
        ("完成工商注册", "Company incorporated", spec.incorporated_on, True),
        ("厂房装修完成", "Workshop fitted out", spec.incorporated_on + timedelta(days=90), spec.status != "red"),
        ("首条产线投产", "First line in production", spec.incorporated_on + timedelta(days=180), spec.status == "blue"),
    ]
    for title_zh, title_en, due_on, reached in plan:
        milestone = services.milestone_add(
            company=company, added_by=officer, title_zh=title_zh, title_en=title_en, due_on=due_on
        )
        if reached:
            services.milestone_complete(
                milestone=milestone, completed_by=officer, done_on=min(due_on, today), today=today
            )


def _cadence(companies: list[LandedCompany], officer, today: date, *, with_inspection: bool) -> None:
    """This period's checks and two past half-months'; blue companies' past checks are done, the
    others' stay overdue. The first company's last past check was done by an inspection with a photo."""
    for day in (today - timedelta(days=31), today - timedelta(days=16), today):
        services.cadence_tasks_create(today=day, companies=companies)
    past_open = CadenceTask.objects.filter(company__in=companies, due_on__lt=today, done_at__isnull=True)
    if with_inspection and companies:
        first = companies[0]
        task = past_open.filter(company=first, kind=CadenceTask.Kind.HALF_MONTHLY_CHECK).order_by("-due_on").first()
        if task is not None:
            services.inspection_record(
                company=first,
                recorded_by=officer,
                inspected_on=task.due_on,
                inspectors="刘建国、海城高新区管委会 / Liu Jianguo, Haicheng High-tech Zone office",
                findings="中试线运行正常，月产 2 万只电芯；消防验收已通过。"
                " The pilot line runs normally (20,000 cells a month); fire safety approved.",
                photos=[_photo("Pilot line · 2026")],
                task=task,
                today=today,
            )
    past_open.filter(company__status=LedgerStatus.BLUE).update(done_at=timezone.now(), done_by=officer)


def _volume(ctx: DemoContext, event, officer, target: int) -> list[LandedCompany]:
    """Add generated companies (bulk) until the event has ``target``; returns the new ones."""
    existing = LandedCompany.objects.filter(event=event).count()
    if existing >= target:
        return []
    entries = list(_free_entries(event)[: target - existing])
    statuses = LedgerStatus.values
    new = [
        LandedCompany(
            event=event,
            entry=entry,
            talent=entry.owner,
            name_zh=f"海城{entry.pk}号科技有限公司",
            name_en=f"Haicheng Technology No. {entry.pk} Co., Ltd.",
            credit_code=_credit_code("B", entry.pk),
            incorporated_on=date(2026, 6, 1) + timedelta(days=number % 120),
            park=PARKS[number % len(PARKS)],
            base=LandedCompany.Base.OFFSHORE if number % 9 == 0 else LandedCompany.Base.LOCAL,
            base_name=OFFSHORE_BASE if number % 9 == 0 else "",
            registered_capital_cny=Decimal((number % 20 + 1) * 1_000_000),
            employees=number % 50 + 2,
            status=statuses[number % len(statuses)],
            status_changed_at=timezone.now(),
            responsible=officer,
            created_by=officer,
        )
        for number, entry in enumerate(entries, start=existing)
    ]
    LandedCompany.objects.bulk_create(new, batch_size=500)
    created = list(LandedCompany.objects.filter(credit_code__in=[company.credit_code for company in new]))
    ctx.count("landed companies", len(created))
    return created


def seed(ctx: DemoContext) -> None:
    event = ctx.events.get(CONTEST)
    officer = ctx.users.get("park_officer")
    if event is None or officer is None:
        return
    today = timezone.localdate()
    showcase = _showcase(ctx, event, officer, today)
    _cadence(showcase, officer, today, with_inspection=not showcase[0].inspections.exists())
    if ctx.scale > 1:
        volume = _volume(ctx, event, officer, COMPANIES_PER_SCALE * ctx.scale)
        _cadence(volume, officer, today, with_inspection=False)
