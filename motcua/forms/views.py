"""The printed forms as PDFs for signed-in officers (``/can-bo/bieu-mau/``).

| URL name | path | form |
| --- | --- | --- |
| ``receipt`` | ``<id>/01-giay-tiep-nhan.pdf`` | Form 01, after acceptance |
| ``supplement`` | ``<id>/02-yeu-cau-bo-sung.pdf`` | Form 02, the latest supplement request |
| ``refusal`` | ``<id>/03-tu-choi-tiep-nhan.pdf`` | Form 03, after a refusal at intake |
| ``apology`` | ``<id>/04-xin-loi-hen-lai.pdf`` | Form 04, after the extension |
| ``control_slip`` | ``<id>/05-phieu-kiem-soat.pdf`` | Form 05 (2018) / 06 (2025), after acceptance |
| ``tracking_book`` | ``so-theo-doi-ho-so.pdf?unit=&from=&to=`` | the tracking book of a unit and date range |

A dossier outside the officer's units is "not found" (404), as is a form that does not apply to the dossier
(with the reason). The applicant's ID and phone numbers and the lookup secret are printed only for those who
work on the dossier (:func:`~motcua.dossiers.selectors.dossier_personal_data_visible`).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Final, cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET

from motcua.accounts.models import User
from motcua.catalogue.models import Unit
from motcua.core.errors import NotFound
from motcua.dossiers.selectors import dossier_events, dossier_get, dossier_personal_data_visible
from motcua.forms.context import BUILDERS, FormNotApplicable, FormOptions, tracking_book_context
from motcua.forms.formatting import as_local
from motcua.forms.qr import public_base_url
from motcua.forms.render import render_form
from motcua.forms.selectors import book_dossiers, book_units, first_forwarded

__all__ = ["apology", "control_slip", "receipt", "refusal", "supplement", "tracking_book"]

FILE_PREFIXES: Final = {
    "receipt": "01-giay-tiep-nhan",
    "supplement": "02-yeu-cau-bo-sung",
    "refusal": "03-tu-choi-tiep-nhan",
    "apology": "04-xin-loi-hen-lai",
    "control_slip": "05-phieu-kiem-soat",
    "tracking_book": "so-theo-doi-ho-so",
}
"""The start of each form's file name (and of its URL path)."""

MAX_BOOK_DAYS: Final = 366
MAX_BOOK_ROWS: Final = 1000
"""WeasyPrint lays out about 50 rows of the book a second: a longer book is refused (split the range)."""
NOT_FOUND: Final = gettext_lazy("Không tìm thấy hồ sơ, hoặc hồ sơ không thuộc đơn vị của bạn.")


def _message(request: HttpRequest, text: str, *, status: int) -> HttpResponse:
    """A short page that says why no PDF is given (self-contained: it does not depend on the staff layout)."""
    with translation.override(getattr(request, "LANGUAGE_CODE", None) or translation.get_language()):
        html = render_to_string("forms/unavailable.html", {"message": text, "status": status}, request=request)
    return HttpResponse(html, status=status, content_type="text/html; charset=utf-8")


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "ho-so"


def _pdf(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"  # personal data: never kept by a shared cache
    return response


def _dossier_form(request: HttpRequest, dossier_id: int, name: str) -> HttpResponse:
    user = cast(User, request.user)
    try:
        dossier = dossier_get(user=user, dossier_id=dossier_id)
    except NotFound:
        return _message(request, NOT_FOUND, status=404)
    options = FormOptions(
        public_url=public_base_url(request),
        reveal_personal=dossier_personal_data_visible(dossier=dossier, user=user),
    )
    events = list(dossier_events(dossier=dossier))
    with translation.override("vi"):  # official forms are in Vietnamese whatever the UI language
        try:
            context = BUILDERS[name](dossier, events, options)
        except FormNotApplicable as exc:
            return _message(request, exc.args[0], status=404)  # lazy: told in the officer's language
    filename = f"{FILE_PREFIXES[name]}-{_safe(dossier.code or str(dossier.pk))}.pdf"
    return _pdf(render_form(name, context), filename)


@login_required
@require_GET
def receipt(request: HttpRequest, dossier_id: int) -> HttpResponse:
    """Form 01: Giấy tiếp nhận hồ sơ và hẹn trả kết quả."""
    return _dossier_form(request, dossier_id, "receipt")


@login_required
@require_GET
def supplement(request: HttpRequest, dossier_id: int) -> HttpResponse:
    """Form 02: Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ."""
    return _dossier_form(request, dossier_id, "supplement")


@login_required
@require_GET
def refusal(request: HttpRequest, dossier_id: int) -> HttpResponse:
    """Form 03: Phiếu từ chối tiếp nhận giải quyết hồ sơ."""
    return _dossier_form(request, dossier_id, "refusal")


@login_required
@require_GET
def apology(request: HttpRequest, dossier_id: int) -> HttpResponse:
    """Form 04: Phiếu xin lỗi và hẹn lại ngày trả kết quả."""
    return _dossier_form(request, dossier_id, "apology")


@login_required
@require_GET
def control_slip(request: HttpRequest, dossier_id: int) -> HttpResponse:
    """Form 05 (2018) / 06 (2025): Phiếu kiểm soát quá trình giải quyết hồ sơ."""
    return _dossier_form(request, dossier_id, "control_slip")


def _date_param(request: HttpRequest, key: str, default: date) -> date:
    raw = request.GET.get(key, "").strip()
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValueError(
            gettext("Tham số “%(key)s” phải là một ngày dạng YYYY-MM-DD (nhận được “%(raw)s”).")
            % {"key": key, "raw": raw}
        ) from None


@login_required
@require_GET
def tracking_book(request: HttpRequest) -> HttpResponse:
    """Sổ theo dõi hồ sơ of ``?unit=<unit code>`` from ``?from=`` to ``?to=`` (local dates, inclusive).

    ``unit`` may be left out when the officer sees exactly one commune; ``from`` defaults to the first day of
    the current month and ``to`` to today. The range is at most a year and :data:`MAX_BOOK_ROWS` dossiers.
    """
    user = cast(User, request.user)
    units = book_units(user)
    code = request.GET.get("unit", "").strip()
    unit: Unit | None
    if code:
        unit = units.filter(code=code).first()
        if unit is None:
            text = gettext("Không tìm thấy đơn vị “%(code)s”, hoặc đơn vị không thuộc phạm vi của bạn.")
            text %= {"code": code}
            return _message(request, text, status=404)
    else:
        communes = list(units.filter(kind=Unit.Kind.COMMUNE)[:2])
        if len(communes) != 1:
            return _message(request, gettext("Chọn đơn vị: thêm tham số ?unit=<mã định danh của đơn vị>."), status=400)
        unit = communes[0]
    today = as_local(timezone.now(), unit.timezone).date()
    try:
        date_from = _date_param(request, "from", today.replace(day=1))
        date_to = _date_param(request, "to", today)
    except ValueError as exc:
        return _message(request, str(exc), status=400)
    if date_to < date_from:
        text = gettext("Ngày kết thúc (“to”) phải sau hoặc bằng ngày bắt đầu (“from”).")
        return _message(request, text, status=400)
    if date_to - date_from > timedelta(days=MAX_BOOK_DAYS):
        text = gettext("Mỗi lần in tối đa %(days)d ngày; hãy chọn khoảng thời gian ngắn hơn.") % {"days": MAX_BOOK_DAYS}
        return _message(request, text, status=400)
    dossiers = book_dossiers(user=user, unit=unit, date_from=date_from, date_to=date_to)
    count = dossiers.count()
    if count > MAX_BOOK_ROWS:
        text = gettext(
            "Khoảng thời gian đã chọn có %(count)d hồ sơ, nhiều hơn %(max)d hồ sơ mỗi lần in; "
            "hãy chia thành các khoảng ngắn hơn (ví dụ theo tháng)."
        ) % {"count": count, "max": MAX_BOOK_ROWS}
        return _message(request, text, status=400)
    with translation.override("vi"):
        context = tracking_book_context(
            unit,
            list(dossiers),
            date_from=date_from,
            date_to=date_to,
            forwarded=first_forwarded(dossiers),
            options=FormOptions(today=today),
        )
    filename = f"{FILE_PREFIXES['tracking_book']}-{_safe(unit.code)}-{date_from:%Y%m%d}-{date_to:%Y%m%d}.pdf"
    return _pdf(render_form("tracking_book", context), filename)
