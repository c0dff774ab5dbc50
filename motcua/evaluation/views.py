"""The staff pages of ``/can-bo/danh-gia/``: the Circular 01/2018 evaluation of a unit and its officials (with
a CSV download), and the handling of citizens' petitions (phản ánh, kiến nghị).

Every page needs a signed-in user. A unit or a petition outside the user's units
(:func:`~motcua.accounts.selectors.units_visible_to`: a role in the unit or in its province) is a 404, whether
it exists or not. Writes go through :mod:`motcua.feedback.services` only; their errors are shown in place.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from motcua.accounts.models import User
from motcua.catalogue.models import Unit
from motcua.catalogue.selectors import unit_calendar
from motcua.core.errors import ApplicationError, Conflict, FieldError, Forbidden, NotFound, StateError
from motcua.domain import evaluation as ev
from motcua.evaluation import selectors
from motcua.evaluation.forms import ACTION_FORMS
from motcua.feedback import services
from motcua.feedback.models import Petition, PetitionKind, PetitionOutcome, PetitionStatus
from motcua.feedback.selectors import NEAR_DUE_WORKING_DAYS, mask_contact, petition_events
from motcua.web.labels import ROLE_LABELS, label

__all__ = ["download", "index", "petition", "petitions"]

PER_PAGE = 25
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}

PETITION_ACTION_LABELS = {
    "submit": gettext_lazy("Tiếp nhận phản ánh"),
    "start": gettext_lazy("Nhận xử lý"),
    "answer": gettext_lazy("Trả lời"),
    "refuse": gettext_lazy("Từ chối tiếp nhận"),
    "transfer": gettext_lazy("Chuyển cơ quan có thẩm quyền"),
    "publish_answer": gettext_lazy("Công khai câu trả lời"),
    "publish": gettext_lazy("Công khai câu trả lời"),
}
"""What each petition action (and the event it wrote) is called."""

OPEN = (PetitionStatus.RECEIVED, PetitionStatus.IN_PROGRESS)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required ran first
    return user


# -- the period ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    key: str
    label: str
    date_from: date
    date_to: date


def _quarter(year: int, q: int) -> Period:
    first, last = ev.quarter_bounds(year, q)
    return Period(f"{year}-Q{q}", _("Quý %(q)s/%(year)s") % {"q": ROMAN[q], "year": year}, first, last)


def _year(year: int) -> Period:
    return Period(str(year), _("Năm %(year)s") % {"year": year}, date(year, 1, 1), date(year, 12, 31))


def period_choices(today: date) -> list[Period]:
    """The quarters of this year up to the current one and of last year, then both years (newest first)."""
    year, quarter = ev.quarter_of(today)
    choices = [_quarter(year, q) for q in range(quarter, 0, -1)]
    choices += [_quarter(year - 1, q) for q in range(4, 0, -1)]
    return [*choices, _year(year), _year(year - 1)]


def parse_period(value: str, today: date) -> Period | None:
    """``2026-Q1`` or ``2026`` (any year from 2000 to next year); ``None`` when it is neither."""
    value = value.strip().upper()
    try:
        if "-Q" in value:
            year, q = value.split("-Q", 1)
            if 2000 <= int(year) <= today.year + 1 and 1 <= int(q) <= 4:
                return _quarter(int(year), int(q))
        elif value.isdigit() and 2000 <= int(value) <= today.year + 1:
            return _year(int(value))
    except ValueError:
        return None
    return None


# -- the evaluation page ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Picked:
    unit: Unit
    period: Period
    units: list[Unit]
    periods: list[Period]
    error: str = ""


def _pick(request: HttpRequest) -> Picked | None:
    user = _user(request)
    code = request.GET.get("unit", "").strip()
    unit = selectors.visible_unit(user, code) if code else selectors.default_unit(user)
    if unit is None:
        if code:
            raise Http404(_("Không có đơn vị này, hoặc bạn không được xem số liệu của đơn vị này."))
        return None
    today = timezone.localdate(timezone=ZoneInfo(unit.timezone))
    periods = period_choices(today)
    raw = request.GET.get("period", "").strip()
    period = parse_period(raw, today) if raw else periods[0]
    error = ""
    if period is None:
        error = _("Kỳ đánh giá “%(value)s” không hợp lệ; đang hiển thị %(period)s.") % {
            "value": raw, "period": periods[0].label}
        period = periods[0]
    if period.key not in {p.key for p in periods}:
        periods = [period, *periods]
    return Picked(unit, period, selectors.unit_choices(user), periods, error)


@dataclass(frozen=True)
class IndexRow:
    index: ev.Index
    score: Decimal | None
    detail: str


def _index_rows(report: selectors.EvaluationReport) -> list[IndexRow]:
    scores = report.unit_row.evaluation.scores
    details = report.unit_row.details
    return [IndexRow(i, scores.get(i.number), details.get(i.number, "")) for i in ev.INDICES]


def _roles_text(codes: tuple[str, ...]) -> str:
    return ", ".join(label(ROLE_LABELS, c) for c in codes)


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The unit's grade, the nine indices with their meaning and score, and the officials table."""
    picked = _pick(request)
    if picked is None:
        return render(request, "evaluation/no_unit.html", {}, status=200)
    report = selectors.evaluation_report(unit=picked.unit, date_from=picked.period.date_from,
                                         date_to=picked.period.date_to)
    officials = [{"row": row, "roles": _roles_text(row.roles)} for row in report.officials]
    context = {
        "picked": picked, "unit": picked.unit, "unit_name": picked.unit.name, "report": report,
        "unit_eval": report.unit_row.evaluation, "index_rows": _index_rows(report), "officials": officials,
        "official_indices": ev.OFFICIAL_INDICES, "official_bands": ev.OFFICIAL_BANDS,
        "unit_bands": ev.UNIT_BANDS,
        "is_province": picked.unit.kind == Unit.Kind.PROVINCE,
        "query": f"unit={picked.unit.code}&period={picked.period.key}",
    }
    return render(request, "evaluation/index.html", context)


def _num(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.1f}"


@login_required
@require_GET
def download(request: HttpRequest) -> HttpResponse:
    """The same evaluation as CSV (UTF-8 with a byte-order mark for Excel): the unit's row with its nine
    indices, then one row per official (indices 1, 2, 3, 4, 7)."""
    picked = _pick(request)
    if picked is None:
        raise Http404(_("Bạn chưa được phân công đơn vị nào."))
    report = selectors.evaluation_report(unit=picked.unit, date_from=picked.period.date_from,
                                         date_to=picked.period.date_to)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    numbers = [i.number for i in ev.INDICES]
    writer.writerow([_("Đối tượng"), _("Họ và tên / đơn vị"), _("Tài khoản"), _("Vai trò"), _("Số hồ sơ"),
                     *[_("Chỉ số %(n)s") % {"n": n} for n in numbers], _("Tổng điểm"), _("Điểm tối đa"),
                     _("Xếp loại"), _("Kỳ")])
    unit_eval = report.unit_row.evaluation
    writer.writerow([_("Đơn vị"), picked.unit.name, picked.unit.code, "", unit_eval.dossiers,
                     *[_num(unit_eval.scores.get(n)) for n in numbers], _num(unit_eval.total), 18,
                     _(unit_eval.band.label) if unit_eval.band else _("Chưa xếp loại"), picked.period.label])
    for row in report.officials:
        e = row.evaluation
        writer.writerow([_("Cán bộ, công chức"), row.name, row.username, _roles_text(row.roles), e.dossiers,
                         *[_num(e.scores[n]) if n in e.scores else "" for n in numbers],
                         _num(e.total), 10,
                         _(e.band.label) if e.band else _("Chưa xếp loại"), picked.period.label])
    response = HttpResponse(out.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    name = f"danh-gia-{picked.unit.code}-{picked.period.key}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# -- petitions -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    """Where an open petition stands against its handling due: ``overdue``, ``near`` or ``""``."""

    state: str
    tone: str
    text: str


def _deadline(petition: Petition, now: datetime) -> Deadline:
    if petition.status not in OPEN:
        if petition.on_time is None:
            return Deadline("", "muted", "")
        return (Deadline("on_time", "ok", _("Đúng hạn")) if petition.on_time
                else Deadline("late", "bad", _("Quá hạn")))
    calendar = unit_calendar(petition.unit)
    if calendar.local_date(petition.handling_due) < calendar.local_date(now):
        return Deadline("overdue", "bad", _("Quá hạn"))
    if petition.handling_due <= calendar.add_working_days(now, NEAR_DUE_WORKING_DAYS):
        return Deadline("near", "warn", _("Sắp đến hạn"))
    return Deadline("", "ok", _("Trong hạn"))


STATUS_FILTERS = {
    "": gettext_lazy("Đang xử lý (chưa trả lời)"),
    "all": gettext_lazy("Tất cả"),
    **{value: text for value, text in PetitionStatus.choices},
}


@login_required
@require_GET
def petitions(request: HttpRequest) -> HttpResponse:
    """The petitions of the user's units: open ones first by handling due, with near-due and overdue badges;
    the sender's contact masked except for the unit's approver, clerk and admin."""
    user = _user(request)
    qs = selectors.petitions_visible_to(user)
    code = request.GET.get("unit", "").strip()
    unit = None
    if code:
        unit = selectors.visible_unit(user, code)
        if unit is None:
            raise Http404(_("Không có đơn vị này, hoặc bạn không được xem phản ánh của đơn vị này."))
        qs = qs.filter(unit__parent=unit) if unit.kind == Unit.Kind.PROVINCE else qs.filter(unit=unit)
    status = request.GET.get("status", "").strip()
    if status not in STATUS_FILTERS:
        status = ""
    if status == "":
        qs = qs.filter(status__in=OPEN).order_by("handling_due", "id")
    elif status != "all":
        qs = qs.filter(status=status)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    now = timezone.now()
    contact_cache: dict[int, bool] = {}
    rows = []
    for p in page.object_list:
        if p.unit_id not in contact_cache:
            contact_cache[p.unit_id] = selectors.petition_sees_contact(user, p.unit)
        shown = p.contact if contact_cache[p.unit_id] else mask_contact(p.contact)
        rows.append({"p": p, "deadline": _deadline(p, now), "contact": shown})
    units = selectors.unit_choices(user)
    context = {
        "rows": rows, "page": page, "units": units, "unit": unit, "status": status,
        "several_units": len(units) > 1 and (unit is None or unit.kind == Unit.Kind.PROVINCE),
        "status_filters": list(STATUS_FILTERS.items()), "unit_name": unit.name if unit else "",
    }
    return render(request, "evaluation/petitions.html", context)


def _petition(user: User, petition_id: int) -> Petition:
    petition = selectors.petitions_visible_to(user).filter(pk=petition_id).first()
    if petition is None:
        raise Http404(_("Không có phản ánh này, hoặc bạn không được xem phản ánh này."))
    return petition


def _allowed(petition: Petition) -> list[str]:
    if petition.status == PetitionStatus.RECEIVED:
        return ["start", "answer", "refuse", "transfer"]
    if petition.status == PetitionStatus.IN_PROGRESS:
        return ["answer", "refuse", "transfer"]
    if petition.status == PetitionStatus.ANSWERED and petition.answer_published_at is None:
        return ["publish"]
    return []


def _call(action: str, petition: Petition, user: User, data: dict[str, Any]) -> Petition:
    pid = petition.pk
    if action == "start":
        return services.petition_start(petition_id=pid, actor=user, note=data.get("note", ""))
    if action == "answer":
        return services.petition_answer(petition_id=pid, actor=user, answer=data["answer"],
                                        outcome=data["outcome"])
    if action == "refuse":
        return services.petition_refuse(petition_id=pid, actor=user, reason=data["reason"])
    if action == "transfer":
        return services.petition_transfer(petition_id=pid, actor=user, to=data["to"],
                                          reason=data.get("reason", ""))
    return services.petition_publish_answer(petition_id=pid, actor=user)


def _not_now(action: object, status: object) -> str:
    text = _("Không thể “%(action)s” khi phản ánh đang ở trạng thái “%(status)s”. Vui lòng tải lại trang.")
    return text % {"action": action, "status": status}


def _problem(error: ApplicationError, action: str) -> str:
    """A Vietnamese message for an error that belongs to no field of the form."""
    if isinstance(error, StateError):
        status = label(dict(PetitionStatus.choices), error.state)
        return _not_now(PETITION_ACTION_LABELS.get(action, action), status)
    if isinstance(error, Forbidden):
        return _("Tài khoản của anh/chị không được xử lý phản ánh của đơn vị này.")
    if isinstance(error, Conflict):
        return _("Phản ánh vừa được cập nhật (hoặc câu trả lời đã được công khai). Vui lòng tải lại trang.")
    if isinstance(error, FieldError):
        return _("Giá trị không hợp lệ: %(detail)s") % {"detail": error.message}
    return _("Không thực hiện được: %(detail)s") % {"detail": error.message}


def _field_error(form: forms.Form, error: FieldError) -> bool:
    """Put a service's field error next to the form's field of that name; ``False`` when there is none."""
    if not error.field or error.field not in form.fields:
        return False
    value = error.value
    if value is None or (isinstance(value, str) and not value.strip()):
        form.add_error(error.field, _("Vui lòng nhập nội dung này."))
    elif "longer than" in error.message:
        form.add_error(error.field, _("Nội dung quá dài."))
    else:
        form.add_error(error.field, _("Giá trị không hợp lệ."))
    return True


@login_required
@require_http_methods(["GET", "POST"])
def petition(request: HttpRequest, petition_id: int) -> HttpResponse:
    """One petition: its content, its event log, and the actions its state allows for a handler."""
    user = _user(request)
    p = _petition(user, petition_id)
    handler = selectors.petition_handler(user, p.unit)
    allowed = _allowed(p) if handler else []
    bound: dict[str, forms.Form] = {}
    problem = ""
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if not handler:
            return render(request, "evaluation/forbidden.html", {"petition": p}, status=403)
        if action not in ACTION_FORMS:
            raise Http404(action)
        form = ACTION_FORMS[action](request.POST, prefix=action)
        bound[action] = form
        if action not in allowed:
            problem = _not_now(PETITION_ACTION_LABELS[action], p.get_status_display())
            status = 409
        elif form.is_valid():
            try:
                _call(action, p, user, form.cleaned_data)
            except NotFound as exc:
                raise Http404(str(exc)) from exc
            except ApplicationError as exc:
                if not (isinstance(exc, FieldError) and _field_error(form, exc)):
                    problem = _problem(exc, action)
                status = exc.status
            else:
                messages.success(request, _success(action, p, form.cleaned_data))
                return redirect("evaluation:petition", petition_id=p.pk)
        else:
            status = 422
        p = _petition(user, petition_id)
    action_forms = [
        {"action": a, "label": PETITION_ACTION_LABELS[a],
         "form": bound.get(a) or ACTION_FORMS[a](prefix=a),
         "open": a in bound or (not bound and a in ("answer", "publish"))}
        for a in allowed
    ]
    sees_contact = selectors.petition_sees_contact(user, p.unit)
    events = [{"e": e, "label": PETITION_ACTION_LABELS.get(e.action, e.action), "details": _event_details(e)}
              for e in petition_events(p).select_related("actor")]
    context = {
        "p": p, "unit_name": p.unit.name, "deadline": _deadline(p, timezone.now()), "handler": handler,
        "action_forms": action_forms, "problem": problem, "events": events,
        "contact": p.contact if sees_contact else mask_contact(p.contact), "sees_contact": sees_contact,
        "tz": p.unit.timezone, "kind_label": dict(PetitionKind.choices).get(p.kind, p.kind),
        "outcome_label": dict(PetitionOutcome.choices).get(p.outcome, ""),
    }
    return render(request, "evaluation/petition.html", context, status=status)


def _success(action: str, petition: Petition, data: dict[str, Any]) -> str:
    code = petition.code
    if action == "start":
        return _("Đã nhận xử lý phản ánh %(code)s.") % {"code": code}
    if action == "answer":
        return _("Đã trả lời phản ánh %(code)s.") % {"code": code}
    if action == "refuse":
        return _("Đã từ chối tiếp nhận phản ánh %(code)s.") % {"code": code}
    if action == "transfer":
        return _("Đã chuyển phản ánh %(code)s đến %(to)s.") % {"code": code, "to": data.get("to", "")}
    return _("Đã công khai câu trả lời phản ánh %(code)s.") % {"code": code}


def _event_details(event: Any) -> list[tuple[str, str]]:
    payload = event.payload or {}
    rows: list[tuple[str, str]] = []
    if payload.get("outcome"):
        outcome = payload["outcome"]
        rows.append((_("Kết quả"), str(dict(PetitionOutcome.choices).get(outcome, outcome))))
    if payload.get("to"):
        rows.append((_("Chuyển đến"), str(payload["to"])))
    if payload.get("note"):
        rows.append((_("Ghi chú"), str(payload["note"])))
    if "on_time" in payload:
        rows.append((_("Đúng hạn"), _("Có") if payload["on_time"] else _("Không")))
    return rows
