"""Pages of the postal module (bưu chính công ích, docs/postal.md "Staff screens") and the carrier's webhook.

| URL | page |
| --- | --- |
| ``/can-bo/buu-chinh/`` | the shipments of the user's units (personal data masked) and the form registering a lodging |
| ``/can-bo/buu-chinh/dang-ky/`` (POST) | :func:`~motcua.postal.services.postal_lodging_create` |
| ``/can-bo/buu-chinh/<id>/ban-giao/`` | the hand-over minutes of a delivered lodging shipment: procedure, applicant, |
| | components, instant → :func:`~motcua.postal.services.postal_lodge` → the new dossier's page |
| ``/can-bo/buu-chinh/<id>/dong-bo/`` (POST) | :func:`~motcua.postal.services.shipment_sync` |
| ``/can-bo/buu-chinh/ho-so/<id>/`` | a dossier's shipments and the "result by post" form (also on the dossier page, |
| | through ``{% dossier_postal dossier %}``) |
| ``/can-bo/buu-chinh/ho-so/<id>/gui-ket-qua/`` (POST) | :func:`~motcua.postal.services.postal_return_create` |
| ``/buu-chinh/webhook/`` (POST) | the carrier's signed status events |

Every staff page needs a signed-in user; a shipment or dossier outside the user's units is a 404, and a write by
someone who is not a desk officer (or admin) of the unit a 403, before anything is written. Each form is a plain
POST answered by a redirect; with htmx, the dossier section is swapped in place. A form that does not pass comes
back with what was typed and the error next to its field; a refusal of the services is told in Vietnamese, with
the service's own message as detail.

The webhook accepts one event per request, signed with HMAC-SHA256 over ``"<timestamp>.<body>"`` with the shared
secret (``MOTCUA_POSTAL_WEBHOOK_SECRET``); a missing or wrong signature, or a timestamp more than five minutes
away, is 401 and writes nothing. An event already recorded (same ``EventId``) is answered 200 with
``"duplicate": true`` and changes nothing.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.accounts.models import User
from motcua.catalogue.models import Unit
from motcua.catalogue.selectors import procedure_in_force
from motcua.core.errors import ApplicationError, Conflict, FieldError, Forbidden, NotFound, StateError
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import ComponentIn
from motcua.postal import selectors, services
from motcua.postal.carrier import Address, CarrierError, parse_event, postal_setting, verify
from motcua.postal.models import Direction, Shipment, ShipmentStatus
from motcua.postal.services import shipment_record_event
from motcua.web import choices
from motcua.web.errors import field_message
from motcua.web.forms import DATETIME_LOCAL, IntakeForm, applicant_from
from motcua.web.intake import FORM_FIELDS as APPLICANT_FIELDS
from motcua.web.labels import STATE_LABELS, label
from motcua.web.present import local_datetime, money
from motcua.web.views import base_context, dossier_or_404, is_partial, signed_in_user

__all__ = [
    "dossier_postal_page",
    "hand_over",
    "lodging_create",
    "return_create",
    "section_context",
    "shipments",
    "sync",
    "webhook",
]

TOLERANCE_SECONDS = 300


# -- forms -----------------------------------------------------------------------------------------------------


def _phone(value: str) -> str:
    """A phone number's shape (the services' rule for an applicant's phone: 9 to 12 digits, spaces allowed)."""
    value = (value or "").strip()
    digits = value.replace(" ", "").replace(".", "").lstrip("+")
    if value and not (digits.isdigit() and 9 <= len(digits) <= 12):
        raise forms.ValidationError(_("Số điện thoại phải gồm 9 đến 12 chữ số."), code="phone")
    return value


def _text(label: Any, max_length: int, *, required: bool = True, **attrs: str) -> forms.CharField:
    widget_attrs = {"autocomplete": "off", **attrs}
    if required:
        widget_attrs["required"] = "required"
    return forms.CharField(
        label=label, max_length=max_length, required=required, widget=forms.TextInput(attrs=widget_attrs)
    )


class LodgingForm(forms.Form):
    """A citizen's dossier handed to the post office, addressed to a center (the sender is the citizen)."""

    unit = forms.ChoiceField(label=gettext_lazy("Trung tâm nhận hồ sơ"), required=False)
    sender_name = _text(gettext_lazy("Họ và tên người gửi"), 200)
    sender_address = _text(gettext_lazy("Địa chỉ người gửi"), 300)
    sender_phone = _text(gettext_lazy("Số điện thoại người gửi"), 20, required=False, inputmode="tel")

    def __init__(self, *args: Any, units: list[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        field.choices = [(u.code, u.name) for u in units]  # type: ignore[attr-defined]
        if len(units) == 1:
            field.initial = units[0].code
            field.widget = forms.HiddenInput()

    def clean_unit(self) -> str:
        """The only unit of an officer who works in one: the hidden field may be left out."""
        value = str(self.cleaned_data.get("unit") or "")
        codes = [code for code, _name in self.fields["unit"].choices]  # type: ignore[attr-defined]
        if not value and len(codes) == 1:
            return str(codes[0])
        if not value:
            raise forms.ValidationError(_("Vui lòng chọn Trung tâm nhận hồ sơ."), code="required")
        return value

    def clean_sender_phone(self) -> str:
        return _phone(self.cleaned_data.get("sender_phone", ""))


class ReturnForm(forms.Form):
    """Where a result goes by post: the applicant by default, each line editable."""

    recipient_name = _text(gettext_lazy("Họ và tên người nhận"), 200)
    recipient_address = _text(gettext_lazy("Địa chỉ nhận kết quả"), 300)
    recipient_phone = _text(gettext_lazy("Số điện thoại người nhận"), 20, required=False, inputmode="tel")

    def clean_recipient_phone(self) -> str:
        return _phone(self.cleaned_data.get("recipient_phone", ""))


class HandOverForm(forms.Form):
    """The hand-over minutes (art.7): the applicant's fields are the desk intake form's own."""

    procedure = forms.CharField(label=gettext_lazy("Thủ tục"), widget=forms.HiddenInput, max_length=30)
    applicant_name = IntakeForm.base_fields["applicant_name"]
    applicant_id_number = IntakeForm.base_fields["applicant_id_number"]
    applicant_phone = IntakeForm.base_fields["applicant_phone"]
    applicant_email = IntakeForm.base_fields["applicant_email"]
    applicant_address = IntakeForm.base_fields["applicant_address"]
    components = forms.MultipleChoiceField(
        label=gettext_lazy("Thành phần hồ sơ nhận được"), required=False, widget=forms.CheckboxSelectMultiple
    )
    handed_over_at = forms.DateTimeField(
        label=gettext_lazy("Thời điểm bàn giao"),
        required=False,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text=gettext_lazy("Mặc định: thời điểm bưu điện phát bưu gửi đến Trung tâm."),
    )

    def __init__(self, *args: Any, components: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["components"].choices = [  # type: ignore[attr-defined]
            (str(c["code"]), str(c.get("name") or c["code"])) for c in components
        ]


HAND_OVER_FIELDS = {**APPLICANT_FIELDS, "handed_over_at": "handed_over_at", "procedure": "procedure"}
LODGING_FIELDS = {"sender.name": "sender_name", "sender.address": "sender_address", "unit": "unit"}
RETURN_FIELDS = {"recipient.name": "recipient_name", "recipient.address": "recipient_address"}


def _attach(form: forms.Form, exc: ApplicationError, names: dict[str, str]) -> bool:
    """Put a :class:`FieldError` next to its field in ``form``; ``False`` when the form has no such field."""
    if isinstance(exc, FieldError) and exc.field and names.get(exc.field) in form.fields:
        name = names[exc.field]
        if name == "handed_over_at":
            form.add_error(name, _hand_over_message(exc))
        else:
            form.add_error(name, field_message(exc))
        return True
    return False


def _hand_over_message(exc: FieldError) -> str:
    if "future" in exc.message:
        return _("Thời điểm bàn giao không được sau thời điểm hiện tại.")
    return _("Thời điểm bàn giao không được trước thời điểm bưu điện phát bưu gửi đến Trung tâm.")


def _refusal(exc: ApplicationError) -> str:
    """A refusal that belongs to no field, in Vietnamese, with the service's message as detail."""
    if isinstance(exc, CarrierError):
        return _("Không gửi được yêu cầu tới đơn vị bưu chính, chưa ghi nhận gì: %(detail)s") % {
            "detail": exc.message
        }
    if isinstance(exc, Forbidden):
        return _("Anh/chị không có quyền thực hiện thao tác bưu chính của đơn vị này.")
    if isinstance(exc, NotFound):
        return _("Không tìm thấy: %(detail)s") % {"detail": exc.message}
    if isinstance(exc, FieldError):
        return _("%(field)s: %(message)s") % {"field": exc.field, "message": field_message(exc)}
    return _("Không thực hiện được: %(detail)s") % {"detail": exc.message}


# -- shared helpers --------------------------------------------------------------------------------------------


def _shipment_or_404(user: User, shipment_id: int) -> Shipment:
    shipment = selectors.shipment_visible(user=user, shipment_id=shipment_id)
    if shipment is None:
        raise Http404(f"shipment {shipment_id}")
    return shipment


def _require_postal_role(user: User, unit: Unit) -> None:
    if not selectors.postal_may_act(user=user, unit=unit):
        raise PermissionDenied("postal work needs a desk officer or admin of the unit")


def _next_url(request: HttpRequest) -> str | None:
    target = str(request.POST.get("next") or "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


# -- the list and the lodging form -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ListItem:
    row: selectors.ShipmentRow
    can_act: bool

    @property
    def can_hand_over(self) -> bool:
        s = self.row.shipment
        return (
            self.can_act
            and s.direction == Direction.LODGING
            and s.status == ShipmentStatus.DELIVERED
            and s.dossier_id is None
        )


def _list_page(
    request: HttpRequest, *, lodging_form: LodgingForm | None = None, status: int = 200
) -> HttpResponse:
    user = signed_in_user(request)
    units = selectors.postal_units(user=user)
    acting: dict[int, bool] = {}
    items = []
    for row in selectors.shipment_rows(user=user):
        unit = row.shipment.unit
        if unit.pk not in acting:
            acting[unit.pk] = selectors.postal_may_act(user=user, unit=unit)
        items.append(ListItem(row=row, can_act=acting[unit.pk]))
    context = {
        **base_context(request),
        "items": items,
        "lodging_form": (lodging_form or LodgingForm(units=units)) if units else None,
    }
    return render(request, "postal/shipments.html", context, status=status)


@login_required
@require_GET
def shipments(request: HttpRequest) -> HttpResponse:
    return _list_page(request)


@login_required
@require_POST
def lodging_create(request: HttpRequest) -> HttpResponse:
    """Register a citizen's lodging shipment with the carrier (``postal_lodging_create``)."""
    user = signed_in_user(request)
    units = selectors.postal_units(user=user)
    if not units:
        raise PermissionDenied("only desk officers register postal dossiers")
    form = LodgingForm(request.POST, units=units)
    if not form.is_valid():
        return _list_page(request, lodging_form=form, status=422)
    data = form.cleaned_data
    try:
        shipment = services.postal_lodging_create(
            unit_code=data["unit"],
            sender=Address(
                name=data["sender_name"].strip(),
                address=data["sender_address"].strip(),
                phone=data["sender_phone"],
            ),
            actor=user,
        )
    except ApplicationError as exc:
        if not _attach(form, exc, LODGING_FIELDS):
            messages.error(request, _refusal(exc))
        return _list_page(request, lodging_form=form, status=exc.status)
    messages.success(
        request,
        _(
            "Đã đăng ký bưu gửi %(code)s (cước %(fee)s). Khi bưu điện phát đến Trung tâm, lập biên bản bàn giao."
        )
        % {"code": shipment.tracking_code, "fee": money(shipment.fee)},
    )
    return redirect("postal:shipments")


# -- sync ------------------------------------------------------------------------------------------------------


@login_required
@require_POST
def sync(request: HttpRequest, shipment_id: int) -> HttpResponse:
    """Ask the carrier for the shipment's events and record the new ones (``shipment_sync``)."""
    user = signed_in_user(request)
    shipment = _shipment_or_404(user, shipment_id)
    _require_postal_role(user, shipment.unit)
    try:
        new = services.shipment_sync(shipment_id=shipment.pk)
    except ApplicationError as exc:
        messages.error(request, _refusal(exc))
    else:
        shipment.refresh_from_db()
        text = (
            ngettext(
                "Đã đồng bộ bưu gửi %(code)s: %(n)s sự kiện mới, trạng thái “%(status)s”.",
                "Đã đồng bộ bưu gửi %(code)s: %(n)s sự kiện mới, trạng thái “%(status)s”.",
                new,
            )
            if new
            else _("Đã đồng bộ bưu gửi %(code)s: không có sự kiện mới, trạng thái “%(status)s”.")
        )
        messages.success(
            request,
            text % {"code": shipment.tracking_code, "n": new, "status": shipment.get_status_display()},
        )
    if is_partial(request, "postal") and shipment.dossier_id is not None:
        dossier = dossier_or_404(user, shipment.dossier_id)
        return render(request, "postal/_dossier.html", section_context(request, dossier, show_messages=True))
    return redirect(_next_url(request) or "postal:shipments")


# -- hand-over -------------------------------------------------------------------------------------------------


def _local_naive(instant: datetime | None, tz: str) -> datetime | None:
    """``instant`` as the wall-clock time a ``datetime-local`` input shows in the unit."""
    return instant.astimezone(ZoneInfo(tz)).replace(tzinfo=None) if instant else None


def _hand_over_instant(chosen: datetime | None, shipment: Shipment) -> datetime | None:
    """The instant typed, or ``None`` (the carrier's delivery instant) when it is that instant to the minute
    (the input shows minutes only)."""
    if chosen is None:
        return None
    delivered = shipment.delivered_at
    if delivered is not None and chosen == delivered.replace(second=0, microsecond=0):
        return None
    return chosen


@login_required
@require_http_methods(["GET", "POST"])
def hand_over(request: HttpRequest, shipment_id: int) -> HttpResponse:
    """``GET``: the shipment and the choice of procedure; ``GET ?procedure=``: the minutes' form;
    ``POST``: sign the hand-over (``postal_lodge``) and open the new dossier."""
    user = signed_in_user(request)
    shipment = _shipment_or_404(user, shipment_id)
    if shipment.direction != Direction.LODGING:
        raise Http404(f"shipment {shipment_id} is not a lodging shipment")
    _require_postal_role(user, shipment.unit)
    tz = shipment.unit.timezone
    code = (request.POST.get("procedure") if request.method == "POST" else request.GET.get("procedure")) or ""
    procedure = procedure_in_force(code.strip())
    context: dict[str, Any] = {
        **base_context(request),
        "shipment": shipment,
        "tz": tz,
        "procedures": choices.procedure_choices(),
        "procedure": procedure,
        "procedure_code": code,
        "open": shipment.dossier_id is None and shipment.status == ShipmentStatus.DELIVERED,
    }
    status = 200
    if procedure is None:
        if code:
            context["procedure_error"] = _("Thủ tục “%(code)s” không có trong danh mục đang áp dụng.") % {
                "code": code
            }
            status = 422 if request.method == "POST" else 404
        return render(request, "postal/hand_over.html", context, status=status)
    version = procedure.current_version
    assert version is not None
    components = list(version.components)
    if request.method == "POST":
        form = HandOverForm(request.POST, components=components)
        with timezone.override(ZoneInfo(tz)):  # the typed instant is the unit's wall-clock time
            valid = form.is_valid()
        status = 422
        if valid:
            data = form.cleaned_data
            ticked = set(data["components"])
            try:
                dossier = services.postal_lodge(
                    shipment_id=shipment.pk,
                    procedure_code=procedure.code,
                    applicant=applicant_from(data),
                    actor=user,
                    components=[
                        ComponentIn(code=str(c["code"]), submitted=str(c["code"]) in ticked)
                        for c in components
                    ],
                    handed_over_at=_hand_over_instant(data.get("handed_over_at"), shipment),
                )
            except ApplicationError as exc:
                status = exc.status
                if not _attach(form, exc, HAND_OVER_FIELDS):
                    context["problem"] = _hand_over_refusal(exc, shipment)
                shipment = _shipment_or_404(user, shipment.pk)  # what the refusal saw
                context.update(
                    shipment=shipment,
                    open=shipment.dossier_id is None and shipment.status == ShipmentStatus.DELIVERED,
                )
            else:
                messages.success(
                    request,
                    _(
                        "Đã lập biên bản bàn giao, tiếp nhận bưu gửi %(code)s: hồ sơ được nộp lúc %(at)s "
                        "(thời điểm bàn giao). Kiểm tra hồ sơ rồi tiếp nhận."
                    )
                    % {"code": shipment.tracking_code, "at": local_datetime(dossier.submitted_at, tz)},
                )
                return redirect("web:dossier", dossier_id=dossier.pk)
    else:
        form = HandOverForm(
            initial={
                "procedure": procedure.code,
                "applicant_name": shipment.sender_name,
                "applicant_address": shipment.sender_address,
                "applicant_phone": shipment.sender_phone,
                "handed_over_at": _local_naive(shipment.delivered_at, tz),
            },
            components=components,
        )
    context.update(form=form, version=version)
    return render(request, "postal/hand_over.html", context, status=status)


def _hand_over_refusal(exc: ApplicationError, shipment: Shipment) -> str:
    if isinstance(exc, Conflict):
        return _(
            "Bưu gửi %(code)s đã được lập biên bản bàn giao, tiếp nhận trước đó; không lập lần thứ hai."
        ) % {"code": shipment.tracking_code}
    if isinstance(exc, StateError):
        return _(
            "Bưu gửi %(code)s chưa được phát đến Trung tâm (trạng thái “%(status)s”): chưa thể lập biên bản "
            "bàn giao. Bấm “Đồng bộ trạng thái” nếu bưu điện đã phát."
        ) % {"code": shipment.tracking_code, "status": _status_label(exc.state)}
    return _refusal(exc)


def _status_label(status: str | None) -> str:
    return str(ShipmentStatus(status).label) if status in ShipmentStatus.values else str(status or "")


# -- a dossier's shipments and the result by post --------------------------------------------------------------


def _recipient_initial(dossier: Dossier) -> dict[str, str]:
    """The applicant, or the address the citizen gave for a result by post when submitting online."""
    initial = {
        "recipient_name": dossier.applicant_name,
        "recipient_address": dossier.applicant_address,
        "recipient_phone": dossier.applicant_phone,
    }
    if apps.is_installed("motcua.online"):
        from motcua.online.models import Delivery, OnlineSubmission

        submission = OnlineSubmission.objects.filter(dossier_id=dossier.pk).first()
        if submission is not None and submission.delivery == Delivery.POSTAL and submission.postal_address:
            initial["recipient_address"] = submission.postal_address
    return initial


def section_context(
    request: HttpRequest,
    dossier: Dossier,
    *,
    return_form: ReturnForm | None = None,
    show_messages: bool = False,
) -> dict[str, Any]:
    """What ``postal/_dossier.html`` shows for ``dossier``: its shipments (masked) and, for a resolved dossier
    whose result is not on its way, the return form (to the desk officers of its receiving unit)."""
    user = signed_in_user(request)
    rows = selectors.dossier_shipment_rows(dossier=dossier)
    can_act = selectors.postal_may_act(user=user, unit=dossier.receiving_unit)
    on_its_way = any(
        r.shipment.direction == Direction.RETURN
        and r.shipment.status not in (ShipmentStatus.RETURNED, ShipmentStatus.FAILED)
        for r in rows
    )
    can_return = can_act and dossier.state == "resolved" and not on_its_way
    return {
        "dossier": dossier,
        "rows": rows,
        "tz": dossier.receiving_unit.timezone,
        "can_act": can_act,
        "can_return": can_return,
        "return_form": (return_form or ReturnForm(initial=_recipient_initial(dossier)))
        if can_return
        else None,
        "show_messages": show_messages,
        "request": request,
    }


def _section_answer(
    request: HttpRequest, dossier: Dossier, *, return_form: ReturnForm | None = None, status: int = 200
) -> HttpResponse:
    if getattr(request, "htmx", False):  # htmx swaps a 200 only: the errors are in the section
        context = section_context(request, dossier, return_form=return_form, show_messages=True)
        return render(request, "postal/_dossier.html", context)
    context = {
        **base_context(request),
        "dossier": dossier,
        "postal_return_form": return_form,
        "postal_page": True,
    }
    return render(request, "postal/dossier.html", context, status=status)


@login_required
@require_GET
def dossier_postal_page(request: HttpRequest, dossier_id: int) -> HttpResponse:
    return _section_answer(request, dossier_or_404(signed_in_user(request), dossier_id))


@login_required
@require_POST
def return_create(request: HttpRequest, dossier_id: int) -> HttpResponse:
    """Send a resolved dossier's result by post (``postal_return_create``), to the recipient typed."""
    user = signed_in_user(request)
    dossier = dossier_or_404(user, dossier_id)
    _require_postal_role(user, dossier.receiving_unit)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        return _section_answer(request, dossier, return_form=form, status=422)
    data = form.cleaned_data
    try:
        shipment = services.postal_return_create(
            dossier_id=dossier.pk,
            actor=user,
            recipient=Address(
                name=data["recipient_name"].strip(),
                address=data["recipient_address"].strip(),
                phone=data["recipient_phone"],
            ),
        )
    except ApplicationError as exc:
        if not _attach(form, exc, RETURN_FIELDS):
            messages.error(request, _return_refusal(exc, dossier))
        return _section_answer(request, dossier, return_form=form, status=exc.status)
    messages.success(
        request,
        _("Đã gửi kết quả hồ sơ %(dossier)s qua bưu chính: bưu gửi %(code)s (cước %(fee)s).")
        % {"dossier": dossier.code or dossier.pk, "code": shipment.tracking_code, "fee": money(shipment.fee)},
    )
    if getattr(request, "htmx", False):
        return _section_answer(request, dossier)
    return redirect("web:dossier", dossier_id=dossier.pk)


def _return_refusal(exc: ApplicationError, dossier: Dossier) -> str:
    if isinstance(exc, StateError):
        return _(
            "Chỉ gửi kết quả qua bưu chính khi hồ sơ có kết quả, chờ trả; hồ sơ %(dossier)s đang ở trạng thái "
            "“%(state)s”."
        ) % {"dossier": dossier.code or dossier.pk, "state": label(STATE_LABELS, exc.state or dossier.state)}
    if isinstance(exc, Conflict):
        return _("Kết quả hồ sơ %(dossier)s đang được gửi qua bưu chính; không gửi lần thứ hai.") % {
            "dossier": dossier.code or dossier.pk
        }
    return _refusal(exc)


# -- the carrier's webhook -------------------------------------------------------------------------------------


@csrf_exempt
@require_POST
def webhook(request: HttpRequest) -> JsonResponse:
    body = request.body
    timestamp = request.headers.get("X-Postal-Timestamp", "")
    signature = request.headers.get("X-Postal-Signature", "")
    if not verify(postal_setting("WEBHOOK_SECRET"), timestamp, body, signature):
        return JsonResponse({"error": "invalid signature"}, status=401)
    try:
        if abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS:
            return JsonResponse({"error": "stale timestamp"}, status=401)
    except ValueError:
        return JsonResponse({"error": "invalid timestamp"}, status=401)
    try:
        data = json.loads(body)
        tracking_code = str(data["ItemCode"])
        event = parse_event(data)
    except (ValueError, KeyError, TypeError) as exc:
        return JsonResponse({"error": f"malformed event: {exc}"}, status=400)
    try:
        row, created = shipment_record_event(tracking_code=tracking_code, event=event)
    except ApplicationError as exc:
        return JsonResponse(exc.as_problem(), status=exc.status)
    return JsonResponse({"ok": True, "duplicate": not created, "status": row.status})
