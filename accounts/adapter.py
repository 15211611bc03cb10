from allauth.account.adapter import DefaultAccountAdapter
from django.utils import translation

from .models import User


class AccountAdapter(DefaultAccountAdapter):
    """Sends every account e-mail in the recipient's language and records it at sign-up."""

    def save_user(self, request, user, form, commit=True):
        lang = translation.get_language() or ""
        user.language = "en" if lang.startswith("en") else "zh-hans"
        return super().save_user(request, user, form, commit=commit)

    def send_mail(self, template_prefix, email, context):
        recipient = User.objects.filter(email__iexact=email).only("language").first()
        language = recipient.language if recipient else translation.get_language()
        with translation.override(language):
            super().send_mail(template_prefix, email, context)
