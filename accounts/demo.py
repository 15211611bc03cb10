"""Demo people and organisations (see core.demo)."""

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password

from core.demo import DEMO_PASSWORD, DemoContext

from .models import Organisation, User

ORGANISATIONS = [
    ("assoc", "海城市科学技术协会", "Haicheng Association for Science and Technology", "association", "CN"),
    ("park", "海城高新区创新园", "Haicheng Hi-Tech Innovation Park", "park", "CN"),
    ("bluesea", "蓝海新能源科技有限公司", "Blue Sea New Energy Technology Co.", "enterprise", "CN"),
    ("fund", "海智创业投资基金", "Haizhi Venture Capital Fund", "investor", "CN"),
    ("tum", "慕尼黑工业大学", "Technical University of Munich", "university", "DE"),
    ("ucl", "伦敦大学学院", "University College London", "university", "GB"),
    ("nus", "新加坡国立大学", "National University of Singapore", "university", "SG"),
    ("stanford", "斯坦福大学", "Stanford University", "university", "US"),
    ("kit", "卡尔斯鲁厄理工学院", "Karlsruhe Institute of Technology", "university", "DE"),
    ("haicheng_u", "海城大学", "Haicheng University", "university", "CN"),
]

# key, e-mail, Chinese name, English name, organisation, country, expertise, staff, role shown in the login list
PEOPLE = [
    ("admin", "admin@haizhi.example", "平台管理员", "Site Admin", "assoc", "CN", "", True, "site staff (all events)"),
    ("organiser", "organiser@haizhi.example", "王海燕", "Wang Haiyan", "assoc", "CN", "", False, "organiser"),
    ("park_officer", "park@haizhi.example", "刘建国", "Liu Jianguo", "park", "CN", "", False, "ledger editor"),
    (
        "judge1",
        "judge1@haizhi.example",
        "陈立新",
        "Chen Lixin",
        "haicheng_u",
        "CN",
        "生物医药 biomedicine",
        False,
        "judge",
    ),
    ("judge2", "judge2@haizhi.example", "赵敏", "Zhao Min", "fund", "CN", "投资 venture investment", False, "judge"),
    (
        "judge3",
        "judge3@haizhi.example",
        "汉斯·穆勒",
        "Hans Müller",
        "kit",
        "DE",
        "高端装备 advanced manufacturing",
        False,
        "judge",
    ),
    ("judge4", "judge4@haizhi.example", "孙悦", "Sun Yue", "park", "CN", "新材料 new materials", False, "judge"),
    (
        "judge5",
        "judge5@haizhi.example",
        "艾米丽·克拉克",
        "Emily Clark",
        "ucl",
        "GB",
        "人工智能 artificial intelligence",
        False,
        "judge",
    ),
    (
        "entrant1",
        "entrant1@haizhi.example",
        "李明",
        "Li Ming",
        "tum",
        "DE",
        "固态电池 solid-state batteries",
        False,
        "entrant",
    ),
    (
        "entrant2",
        "entrant2@haizhi.example",
        "张雪",
        "Zhang Xue",
        "ucl",
        "GB",
        "基因编辑 gene editing",
        False,
        "entrant",
    ),
    (
        "entrant3",
        "entrant3@haizhi.example",
        "陈嘉欣",
        "Chen Jiaxin",
        "nus",
        "SG",
        "柔性电子 flexible electronics",
        False,
        "entrant",
    ),
    (
        "entrant4",
        "entrant4@haizhi.example",
        "大卫·王",
        "David Wang",
        "stanford",
        "US",
        "医疗机器人 medical robotics",
        False,
        "entrant",
    ),
    ("audience", "audience@haizhi.example", "周晓", "Zhou Xiao", None, "CN", "", False, "audience"),
    (
        "enterprise",
        "enterprise@haizhi.example",
        "黄志强",
        "Huang Zhiqiang",
        "bluesea",
        "CN",
        "储能 energy storage",
        False,
        "enterprise",
    ),
    (
        "investor",
        "investor@haizhi.example",
        "林嘉怡",
        "Lin Jiayi",
        "fund",
        "CN",
        "硬科技投资 deep-tech investment",
        False,
        "investor (enterprise role)",
    ),
]

COUNTRIES = ["DE", "GB", "US", "SG", "JP", "CA", "AU", "FR", "NL", "KR"]


def _ensure_user(ctx: DemoContext, email: str, password_hash: str, **fields) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create(email=email, password=password_hash, **fields)
        ctx.count("users")
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def seed(ctx: DemoContext) -> None:
    for key, name_zh, name_en, kind, country in ORGANISATIONS:
        org, created = Organisation.objects.get_or_create(
            name_en=name_en, defaults={"name_zh": name_zh, "kind": kind, "country": country}
        )
        ctx.organisations[key] = org
        if created:
            ctx.count("organisations")

    password_hash = make_password(DEMO_PASSWORD)
    for key, email, name_zh, name_en, org_key, country, expertise, staff, role in PEOPLE:
        ctx.users[key] = _ensure_user(
            ctx,
            email,
            password_hash,
            name_zh=name_zh,
            name_en=name_en,
            organisation=ctx.organisations.get(org_key) if org_key else None,
            country=country,
            expertise=expertise,
            is_staff=staff,
            is_superuser=staff,
            language="en" if country not in ("CN",) else "zh-hans",
        )
        ctx.logins.append((email, role))

    # Extra entrants and audience for volume (the registration and livestream demos use them).
    extra = 20 * ctx.scale
    existing = set(
        User.objects.filter(email__startswith="talent", email__endswith="@haizhi.example").values_list(
            "email", flat=True
        )
    )
    new_users = []
    for i in range(1, extra + 1):
        email = f"talent{i:05d}@haizhi.example"
        if email in existing:
            continue
        new_users.append(
            User(
                email=email,
                password=password_hash,
                name_en=f"Talent {i}",
                name_zh=f"人才{i}号",
                country=COUNTRIES[i % len(COUNTRIES)],
                language="en" if i % 3 else "zh-hans",
            )
        )
    if new_users:
        User.objects.bulk_create(new_users, batch_size=500)
        created = User.objects.filter(email__in=[u.email for u in new_users])
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in created], batch_size=500
        )
        ctx.count("users", len(new_users))
    ctx.users["talents"] = list(
        User.objects.filter(email__startswith="talent", email__endswith="@haizhi.example").order_by("email")[:extra]
    )
