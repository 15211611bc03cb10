"""Forms for meeting proposals. They only parse input; conflicts and double booking are checked
by ``docking.services.proposals``."""

from collections.abc import Iterable

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User

from ..services.proposals import DEFAULT_PER_ENTRY, DEFAULT_TOP_N, MAX_PER_ENTRY, MAX_TOP_N
from .meetings import PersonChoiceField, enterprise_side, moment_field


class GenerateForm(forms.Form):
    top_n = forms.IntegerField(label=_("Top entries"), min_value=1, max_value=MAX_TOP_N, initial=DEFAULT_TOP_N)
    per_entry = forms.IntegerField(
        label=_("Contacts per entry"), min_value=1, max_value=MAX_PER_ENTRY, initial=DEFAULT_PER_ENTRY
    )


def contact_choices(event, proposed: Iterable[int] = ()) -> QuerySet[User]:
    """The enterprise side of the event, and the proposed contacts even if they hold no role there."""
    people = Q(pk__in=enterprise_side(event).values("pk")) | Q(pk__in=list(proposed))
    return User.objects.filter(people).select_related("organisation").order_by("name_en", "email")


class ProposalEditForm(forms.Form):
    """Change a draft's contact and time; leave both times empty to propose none yet."""

    person = PersonChoiceField(label=_("Enterprise or investor contact"), queryset=None)
    starts_at = moment_field(_("Starts"))
    ends_at = moment_field(_("Ends"))

    def __init__(self, *args, event, current=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = contact_choices(event, current)
        self.fields["starts_at"].required = self.fields["ends_at"].required = False

    def clean(self):
        data = super().clean()
        if bool(data.get("starts_at")) != bool(data.get("ends_at")) and "ends_at" not in self.errors:
            self.add_error("ends_at", _("Give both a start and an end, the end after the start."))
        return data
