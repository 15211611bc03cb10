"""Demo expert pool (see core.demo): profiles for the five demo judges, two experts who do not
judge yet, and one pending invitation to the 2026 contest. Idempotent: profiles are kept per
user, and the invitation is made only while the expert has none to the contest."""

from django.contrib.auth.hashers import make_password

from accounts.demo import _ensure_user
from core.demo import DEMO_PASSWORD, DemoContext
from core.fields import TechField
from registration.demo import CONTEST

from . import services
from .models import ExpertProfile, JudgeInvitation

PROFILES = {
    "judge1": ([TechField.BIOMEDICINE, TechField.DIGITAL], ["zh", "en"]),
    "judge2": ([TechField.DIGITAL, TechField.NEW_ENERGY], ["zh"]),
    "judge3": ([TechField.NEW_ENERGY, TechField.MANUFACTURING], ["en", "de"]),
    "judge4": ([TechField.NEW_MATERIALS, TechField.MANUFACTURING], ["zh", "en"]),
    "judge5": ([TechField.BIOMEDICINE, TechField.ENVIRONMENT], ["en", "zh"]),
}
# (key, e-mail, Chinese name, English name, organisation key, fields, languages, bio)
NEW_EXPERTS = [
    (
        "expert1",
        "expert1@haizhi.example",
        "何海洋",
        "He Haiyang",
        "haicheng_u",
        [TechField.MARINE, TechField.ENVIRONMENT],
        ["zh", "en"],
        "海洋工程教授，曾任多届创新创业大赛评委。 Professor of ocean engineering; judged several innovation contests.",
    ),
    (
        "expert2",
        "expert2@haizhi.example",
        "Claire Dubois",
        "Claire Dubois",
        "ucl",
        [TechField.BIOMEDICINE, TechField.NEW_MATERIALS],
        ["en", "fr"],
        "Biomaterials researcher and start-up mentor.",
    ),
]


def seed(ctx: DemoContext) -> None:
    for key, (fields, languages) in PROFILES.items():
        user = ctx.users[key]
        if not ExpertProfile.objects.filter(user=user).exists():
            services.expert_profile_set(user=user, changed_by=user, fields=fields, languages=languages)
            ctx.count("expert profiles")
    password_hash = make_password(DEMO_PASSWORD)
    for key, email, name_zh, name_en, org_key, fields, languages, bio in NEW_EXPERTS:
        user = _ensure_user(
            ctx,
            email,
            password_hash,
            name_zh=name_zh,
            name_en=name_en,
            organisation=ctx.organisations[org_key],
            language="zh-hans" if "zh" in languages else "en",
        )
        ctx.users[key] = user
        ctx.logins.append((email, "expert"))
        if not ExpertProfile.objects.filter(user=user).exists():
            services.expert_profile_set(user=user, changed_by=user, fields=fields, languages=languages, bio=bio)
            ctx.count("expert profiles")
    event = ctx.events[CONTEST]
    invitee = ctx.users["expert2"]
    if not JudgeInvitation.objects.filter(event=event, expert=invitee).exists():
        services.judge_invite(
            event=event,
            round=None,
            expert=invitee,
            invited_by=ctx.users["organiser"],
            message="We would value your view on the biomedicine finalists.",
        )
        ctx.count("judge invitations")
