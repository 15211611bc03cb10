"""Forms for deals. They only parse input; ``docking.services.deals`` checks the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Deal, EnterpriseProfile, Lead, Meeting
from ..selectors.meetings import docking_entries
from .meetings import EntryChoiceField

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EnterpriseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.organisation.name


class DealForm(forms.Form):
    entry = EntryChoiceField(label=_("Project"), queryset=None)
    enterprise = EnterpriseChoiceField(label=_("Enterprise or investor"), queryset=None, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Deal.Kind.choices)
    stage = forms.ChoiceField(
        label=_("Stage"),
        choices=[(Deal.Stage.INTENT, Deal.Stage.INTENT.label), (Deal.Stage.SIGNED, Deal.Stage.SIGNED.label)],
    )
    amount_cny = forms.DecimalField(label=_("Amount (CNY)"), required=False, max_digits=16, decimal_places=2)
    parties = forms.CharField(
        label=_("Other parties"),
        required=False,
        max_length=500,
        help_text=_("Parties besides the project and the enterprise."),
    )
    signed_on = forms.DateField(label=_("Signing date"), required=False, widget=DATE_INPUT)
    meeting = forms.ModelChoiceField(label=_("Meeting"), queryset=None, required=False)
    lead = forms.ModelChoiceField(label=_("Lead"), queryset=None, required=False)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, event, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].queryset = docking_entries(event).order_by("title_en", "pk")
        self.fields["enterprise"].queryset = EnterpriseProfile.objects.select_related("organisation").order_by(
            "organisation__name_en"
        )
        self.fields["meeting"].queryset = Meeting.objects.filter(event=event).select_related("entry")
        self.fields["lead"].queryset = Lead.objects.filter(event=event).select_related("entry", "person")
        if editing:
            del self.fields["stage"]

    @staticmethod
    def initial_of(deal: Deal) -> dict:
        return {
            "entry": deal.entry_id,
            "enterprise": deal.enterprise_id,
            "kind": deal.kind,
            "amount_cny": deal.amount_cny,
            "parties": deal.parties,
            "signed_on": deal.signed_on,
            "meeting": deal.meeting_id,
            "lead": deal.lead_id,
            "notes": deal.notes,
        }


class DealStageForm(forms.Form):
    to_stage = forms.ChoiceField(
        label=_("New stage"),
        choices=[(Deal.Stage.SIGNED, Deal.Stage.SIGNED.label), (Deal.Stage.CANCELLED, Deal.Stage.CANCELLED.label)],
    )
    signed_on = forms.DateField(label=_("Signing date"), required=False, widget=DATE_INPUT)
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DealDocumentForm(forms.Form):
    file = forms.FileField(
        label=_("Document (PDF or image)"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/*"}),
    )
