"""Forms of the ledger pages. They parse input; the rules (credit code, amounts, dates, links
within the event) stay in ``services``, whose errors the views put back on these forms."""

from django import forms
from django.core.validators import MinValueValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from events.models import EventRole, Role
from registration.models import Entry

from . import selectors
from .models import TEXT_MAX, CadenceTask, LandedCompany, LedgerStatus
from .services import COMPANY_FIELDS, MAX_PHOTOS_PER_INSPECTION

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CompanyForm(forms.Form):
    """A landed company's details and links (project, talent, deals of this event)."""

    def __init__(self, *args, event, company: LandedCompany | None = None, **kwargs):
        if company is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                **{name: getattr(company, name) for name in COMPANY_FIELDS},
                "entry": company.entry_id,
                "talent": company.talent_id,
                "deals": [deal.pk for deal in company.deals.all()],
            }
        super().__init__(*args, **kwargs)
        self.fields.update(forms.fields_for_model(LandedCompany, fields=[*COMPANY_FIELDS, "entry", "talent", "deals"]))
        people = EventRole.objects.filter(event=event)
        self.fields["responsible"].queryset = User.objects.filter(
            pk__in=people.filter(role__in=[Role.LEDGER_EDITOR, Role.ORGANISER]).values("user_id")
        ).order_by("name_en", "pk")
        # The talent is one of the event's entrants (project owners included) or whoever is linked already.
        self.fields["talent"].queryset = User.objects.filter(
            Q(pk__in=people.filter(role=Role.ENTRANT).values("user_id"))
            | Q(pk__in=Entry.objects.filter(event=event).values("owner_id"))
            | Q(pk=company.talent_id if company else None)
        ).order_by("name_en", "pk")
        self.fields["entry"].queryset = selectors.entries_for_ledger(event, company).order_by("title_en", "pk")
        self.fields["deals"].widget = forms.CheckboxSelectMultiple()
        self.fields["deals"].queryset = selectors.deals_for_ledger(event)
        self.fields["incorporated_on"].widget = DATE
        for name in ("registered_capital_cny", "investment_received_cny"):
            # A negative amount reaches the service, which refuses it with the ledger's own message.
            field = self.fields[name]
            field.validators = [v for v in field.validators if not isinstance(v, MinValueValidator)]
            field.widget.attrs.update({"min": "0", "step": "1000"})
        self.fields["credit_code"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["deals"] = list(data.get("deals") or [])
        return data


class StatusForm(forms.Form):
    to_status = forms.ChoiceField(label=_("New status"), choices=LedgerStatus.choices)
    note = forms.CharField(
        label=_("Why (required)"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several files in one input; each is checked by the service, by its content."""

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class InspectionForm(forms.Form):
    inspected_on = forms.DateField(label=_("Date"), widget=DATE)
    inspectors = forms.CharField(label=_("Who inspected"), max_length=300, required=False)
    findings = forms.CharField(
        label=_("Findings"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    task = forms.ModelChoiceField(
        label=_("For the scheduled check"), queryset=CadenceTask.objects.none(), required=False
    )
    photos = PhotosField(
        label=_("Photos"),
        required=False,
        widget=MultipleImageInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
        help_text=_("Up to %(count)s JPEG, PNG, WebP or GIF images of at most 5 MB each.")
        % {"count": MAX_PHOTOS_PER_INSPECTION},
    )

    def __init__(self, *args, company: LandedCompany | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if company is not None:
            self.fields["task"].queryset = selectors.open_tasks_of(company)
        self.fields["task"].empty_label = _("None")


class MilestoneForm(forms.Form):
    title_zh = forms.CharField(label=_("Title (Chinese)"), max_length=200, required=False)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    due_on = forms.DateField(label=_("Due on"), widget=DATE)
    notes = forms.CharField(
        label=_("Notes"), max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class TaskDoneForm(forms.Form):
    notes = forms.CharField(label=_("Notes"), max_length=TEXT_MAX, required=False)


class BoardFilterForm(forms.Form):
    park = forms.ChoiceField(label=_("Park"), required=False)
    base = forms.ChoiceField(
        label=_("Base"), required=False, choices=[("", _("All bases")), *LandedCompany.Base.choices]
    )
    overdue = forms.BooleanField(label=_("Only with overdue checks"), required=False)

    def __init__(self, *args, parks: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["park"].choices = [("", _("All parks")), *((park, park) for park in parks)]
