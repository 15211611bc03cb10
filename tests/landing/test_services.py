"""Ledger rules: creating and editing companies (audited), status moves, milestones, inspections."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from events.models import Role
from landing import services
from landing.models import CadenceTask, Inspection, InspectionPhoto, LandedCompany, LedgerChange
from notifications.models import Notification
from tests.factories import (
    DealFactory,
    EntryFactory,
    EventFactory,
    LandedCompanyFactory,
    MilestoneFactory,
    UserFactory,
)

from .conftest import person

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

VALID = "91350100M000100Y43"
SUBMITTED = dt.datetime(2026, 9, 10, tzinfo=dt.UTC)


def photo(name="site.jpg", size=(64, 48), fmt="JPEG"):
    buffer = io.BytesIO()
    Image.new("RGB", size, "orange").save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def create(event, user, **fields):
    data = {"name_zh": "海城氢能科技有限公司", "credit_code": VALID, "incorporated_on": dt.date(2026, 10, 1), **fields}
    return services.company_create(event=event, created_by=user, **data)


def test_editor_records_a_company_linked_to_entry_deal_and_talent(event, editor):
    entry = EntryFactory(event=event, status="awarded", submitted_at=SUBMITTED)
    deal = DealFactory(entry=entry, event=event, stage="signed", signed_on=dt.date(2026, 10, 2))
    company = create(
        event,
        editor,
        credit_code=" 91350100m000100y43 ",
        entry=entry,
        talent=entry.owner,
        deals=[deal],
        registered_capital_cny=Decimal("5000000"),
        responsible=editor,
    )
    assert company.credit_code == VALID
    assert company.status == "red"
    assert list(company.deals.all()) == [deal]
    change = LedgerChange.objects.get(company=company)
    assert (change.changed_by, change.from_status, change.to_status) == (editor, "", "red")
    assert change.changes["credit_code"] == [None, VALID]
    assert change.changes["registered_capital_cny"] == [None, "5000000"]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"credit_code": "91350100M000100Y44"},
            "credit_code",
            "The check character of this credit code is wrong; check for a typo.",
        ),
        ({"registered_capital_cny": Decimal("-1")}, "registered_capital_cny", "An amount cannot be negative."),
        ({"investment_received_cny": Decimal("-0.01")}, "investment_received_cny", "An amount cannot be negative."),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_stored(event, editor, fields, field, message):
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        create(event, editor, **fields)
    assert exc.value.message_dict[field] == [message]
    assert LandedCompany.objects.count() == 0
    assert LedgerChange.objects.count() == 0


def test_links_must_belong_to_the_same_event(event, editor):
    other = EventFactory()
    entry = EntryFactory(event=other, status="finalist", submitted_at=SUBMITTED)
    deal = DealFactory(event=other, entry=entry)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        create(event, editor, entry=entry, deals=[deal], responsible=UserFactory())
    assert exc.value.message_dict == {
        "entry": ["The project must belong to this event."],
        "deals": ["Every deal must belong to this event."],
        "responsible": ["The responsible person must be a ledger editor or organiser of this event."],
    }
    assert LandedCompany.objects.count() == 0


def test_a_credit_code_is_used_once(event, editor):
    create(event, editor)
    with pytest.raises(ValidationError) as exc:
        create(event, editor, name_zh="另一家")
    assert list(exc.value.message_dict) == ["credit_code"]
    assert LandedCompany.objects.count() == 1


@pytest.mark.parametrize("role", [Role.ENTRANT, Role.ENTERPRISE, Role.JUDGE, Role.AUDIENCE])
def test_only_organisers_and_ledger_editors_write(event, role):
    user = person(event, role)
    with pytest.raises(PermissionDenied):
        create(event, user)


def test_ledger_editor_of_another_event_cannot_write(event, company):
    outsider = person(EventFactory(), Role.LEDGER_EDITOR)
    with pytest.raises(PermissionDenied):
        services.company_update(company=company, changed_by=outsider, employees=3)
    with pytest.raises(PermissionDenied):
        services.company_status_change(company=company, changed_by=outsider, to_status="yellow", note="x")


def test_update_audits_only_the_changed_fields(event, organiser, company):
    deal = DealFactory(entry=company.entry, event=event)
    services.company_update(
        company=company, changed_by=organiser, employees=30, park=company.park, deals=[deal], base_name=""
    )
    change = LedgerChange.objects.get(company=company)
    assert change.changed_by == organiser
    assert change.changes == {"employees": [12, 30], "deals": [[], [str(deal)]]}
    company.refresh_from_db()
    assert company.employees == 30
    services.company_update(company=company, changed_by=organiser, employees=30)
    assert LedgerChange.objects.filter(company=company).count() == 1


def test_update_with_a_negative_amount_keeps_the_old_value(organiser, company):
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.company_update(company=company, changed_by=organiser, investment_received_cny=Decimal("-5"))
    assert exc.value.message_dict == {"investment_received_cny": ["An amount cannot be negative."]}
    company.refresh_from_db()
    assert company.investment_received_cny is None
    assert LedgerChange.objects.count() == 0


def test_status_change_is_audited_and_the_responsible_editor_told(
    organiser, editor, company, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        change = services.company_status_change(
            company=company, changed_by=organiser, to_status="yellow", note="厂房开始装修"
        )
    company.refresh_from_db()
    assert company.status == "yellow"
    assert company.status_changed_at == change.changed_at
    assert (change.from_status, change.to_status, change.note, change.changed_by) == (
        "red",
        "yellow",
        "厂房开始装修",
        organiser,
    )
    note = Notification.objects.get(user=editor)
    assert note.kind == "ledger.status"
    assert note.url == company.get_absolute_url()
    assert [m.to for m in mail.outbox] == [[editor.email]]
    assert company.name in mail.outbox[0].subject
    # Any direction is allowed: blue straight back to red.
    services.company_status_change(company=company, changed_by=organiser, to_status="blue", note="投产")
    services.company_status_change(company=company, changed_by=organiser, to_status="red", note="停产")
    assert list(LedgerChange.objects.filter(company=company).values_list("from_status", "to_status")) == [
        ("red", "yellow"),
        ("yellow", "blue"),
        ("blue", "red"),
    ]


def test_status_change_needs_a_note_and_a_different_status(editor, company, django_capture_on_commit_callbacks):
    with translation.override("en"):
        with pytest.raises(ValidationError) as exc:
            services.company_status_change(company=company, changed_by=editor, to_status="yellow", note="  ")
        assert exc.value.message_dict == {"note": ["Say why the status changes (e.g. what the inspection found)."]}
        with pytest.raises(ValidationError) as exc:
            services.company_status_change(company=company, changed_by=editor, to_status="red", note="x")
        assert exc.value.message_dict == {"to_status": ["The company already has this status."]}
    company.refresh_from_db()
    assert company.status == "red"
    assert LedgerChange.objects.count() == 0
    # The editor changed it themselves: nobody else to tell.
    with django_capture_on_commit_callbacks(execute=True):
        services.company_status_change(company=company, changed_by=editor, to_status="yellow", note="开工")
    assert Notification.objects.count() == 0


def test_milestones_are_added_and_completed_not_in_the_future(editor, company):
    milestone = services.milestone_add(
        company=company, added_by=editor, title_zh="完成装修", due_on=dt.date(2026, 12, 31)
    )
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.milestone_complete(
            milestone=milestone, completed_by=editor, done_on=dt.date(2026, 11, 2), today=dt.date(2026, 11, 1)
        )
    assert exc.value.message_dict == {"done_on": ["The date cannot be in the future."]}
    services.milestone_complete(milestone=milestone, completed_by=editor, today=dt.date(2026, 11, 1))
    milestone.refresh_from_db()
    assert milestone.done_on == dt.date(2026, 11, 1)
    with pytest.raises(ValidationError):
        services.milestone_add(company=company, added_by=editor, due_on=dt.date(2026, 12, 31))
    assert MilestoneFactory._meta.model.objects.count() == 1


def test_inspection_with_photos_marks_its_check_done(editor, company):
    task = CadenceTask.objects.create(
        company=company, kind="check", period_start=dt.date(2026, 11, 1), due_on=dt.date(2026, 11, 15)
    )
    inspection = services.inspection_record(
        company=company,
        recorded_by=editor,
        inspected_on=dt.date(2026, 11, 10),
        findings="设备已进场",
        inspectors="刘建国、王芳",
        photos=[photo(), photo("b.png", fmt="PNG")],
        task=task,
        today=dt.date(2026, 11, 12),
    )
    assert inspection.inspector == editor
    assert inspection.photos.count() == 2
    assert all(p.image.name.startswith(f"inspections/{company.pk}/") for p in inspection.photos.all())
    task.refresh_from_db()
    assert task.done_by == editor
    assert task.done_at is not None
    assert task.notes == "设备已进场"


def test_inspection_refuses_future_dates_missing_findings_and_bad_photos(editor, company):
    bad = SimpleUploadedFile("fake.jpg", b"not an image", content_type="image/jpeg")
    with translation.override("en"):
        with pytest.raises(ValidationError) as exc:
            services.inspection_record(
                company=company,
                recorded_by=editor,
                inspected_on=dt.date(2026, 11, 13),
                findings=" ",
                today=dt.date(2026, 11, 12),
            )
        assert exc.value.message_dict == {
            "inspected_on": ["The inspection date cannot be in the future."],
            "findings": ["Write down what the inspection found."],
        }
        with pytest.raises(ValidationError) as exc:
            services.inspection_record(
                company=company,
                recorded_by=editor,
                inspected_on=dt.date(2026, 11, 12),
                findings="ok",
                photos=[photo(), bad],
                today=dt.date(2026, 11, 12),
            )
        assert exc.value.message_dict == {
            "photos": ["fake.jpg: The file is not a valid image. Upload a JPEG, PNG, WebP or GIF image."]
        }
    assert Inspection.objects.count() == 0
    assert InspectionPhoto.objects.count() == 0


def test_inspection_photo_size_limit(editor, company, monkeypatch):
    monkeypatch.setattr(services, "PHOTO_MAX_BYTES", 100)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.inspection_record(
            company=company, recorded_by=editor, inspected_on=dt.date(2026, 11, 1), findings="ok", photos=[photo()]
        )
    assert exc.value.message_dict["photos"][0].startswith("site.jpg: The file is too large")
    assert Inspection.objects.count() == 0


def test_a_check_is_marked_done_once(editor, company):
    task = CadenceTask.objects.create(
        company=company, kind="review", period_start=dt.date(2026, 10, 1), due_on=dt.date(2026, 12, 31)
    )
    services.cadence_task_complete(task=task, done_by=editor, notes="季度复盘会已开")
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.cadence_task_complete(task=task, done_by=editor)
    assert exc.value.messages == ["This check is already done."]
    task.refresh_from_db()
    assert task.notes == "季度复盘会已开"


def test_inspection_task_of_another_company_is_refused(editor, company, event):
    other = LandedCompanyFactory(entry__event=event, event=event)
    task = CadenceTask.objects.create(
        company=other, kind="check", period_start=dt.date(2026, 11, 1), due_on=dt.date(2026, 11, 15)
    )
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.inspection_record(
            company=company, recorded_by=editor, inspected_on=dt.date(2026, 11, 1), findings="ok", task=task
        )
    assert exc.value.message_dict == {"task": ["The scheduled check must belong to this company."]}
