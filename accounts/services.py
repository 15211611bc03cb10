"""Account rules: profile changes, avatars, and e-mails in the recipient's language."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation

from core.images import image_sanitize

from .models import Organisation, User

PROFILE_FIELDS = {"name_zh", "name_en", "organisation", "country", "expertise", "bio", "language"}


def profile_update(*, user: User, **fields) -> User:
    """Change the profile fields of ``user``; unknown fields are a programming error."""
    unknown = set(fields) - PROFILE_FIELDS
    if unknown:
        raise ValueError(f"Not profile fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password", "avatar"])
    user.save(update_fields=sorted(fields))
    return user


def avatar_set(*, user: User, upload) -> User:
    """Store a sanitised, re-encoded copy of ``upload`` as the avatar (max 512 px a side).

    Raises ``ValidationError`` for files that are too large, not images, or have too many
    pixels (decompression bombs); the previous avatar is kept in that case.
    """
    clean = image_sanitize(
        upload=upload,
        max_bytes=settings.AVATAR_MAX_BYTES,
        max_pixels=settings.IMAGE_MAX_PIXELS,
        max_side=512,
        name=f"avatar-{user.pk}",
    )
    old = user.avatar.name if user.avatar else ""
    user.avatar.save(clean.content.name, clean.content, save=False)
    user.save(update_fields=["avatar"])
    if old and old != user.avatar.name:
        user.avatar.storage.delete(old)
    return user


def avatar_remove(*, user: User) -> User:
    if user.avatar:
        user.avatar.delete(save=False)
    user.avatar = ""
    user.save(update_fields=["avatar"])
    return user


def organisation_get_or_create(
    *, name_zh: str = "", name_en: str = "", kind: str = "other", country: str = ""
) -> Organisation:
    """Find an organisation by either of its names, or create it."""
    if not (name_zh or name_en):
        raise ValidationError("An organisation needs a name.")
    qs = Organisation.objects.all()
    match = (qs.filter(name_zh=name_zh).first() if name_zh else None) or (
        qs.filter(name_en__iexact=name_en).first() if name_en else None
    )
    if match:
        return match
    org = Organisation(name_zh=name_zh, name_en=name_en, kind=kind, country=country)
    org.full_clean()
    org.save()
    return org


def email_user(*, user: User, template: str, context: dict) -> None:
    """Send ``template`` (``<template>_subject.txt``, ``_message.txt``, optional ``_message.html``)
    to ``user`` in the user's own language."""
    with translation.override(user.language or settings.LANGUAGE_CODE):
        ctx = {"user": user, **context}
        subject = " ".join(render_to_string(f"{template}_subject.txt", ctx).splitlines()).strip()
        body = render_to_string(f"{template}_message.txt", ctx)
        message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        try:
            html = render_to_string(f"{template}_message.html", ctx)
        except TemplateDoesNotExist:  # the HTML part is optional
            html = ""
        if html:
            message.attach_alternative(html, "text/html")
        message.send()
