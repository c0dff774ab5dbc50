"""The citizens' pages: no sign-in, no JavaScript needed, readable on a phone.

| URL | page |
| --- | --- |
| ``/`` | home: lookup box, links |
| ``/tra-cuu/?ma=…&bi-mat=…`` | a dossier's steps (the receipt's QR code links here); once delivered, rating |
| ``/tra-cuu/danh-gia/`` (POST) | the rating |
| ``/thu-tuc/``, ``/thu-tuc/<code>/`` | the procedure catalogue |
| ``/thong-ke/`` | statistics of a commune or province |
| ``/cong-khai/`` | published documents; ``tep/<id>/`` a document's file; ``ke-hoach-cchc/<id>/`` a plan |
| ``/phan-anh/`` | the petition form, answers published; ``/phan-anh/tra-cuu/`` a petition's answer |
"""

from __future__ import annotations

import mimetypes
import unicodedata
from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.catalogue.models import Procedure, ProcedureVersion, Sector, Unit
from motcua.core.errors import ApplicationError, Conflict, StateError
from motcua.feedback import services as feedback
from motcua.feedback.models import DocumentCategory, Petition, PetitionKind, PublishedDocument
from motcua.feedback.questions import QUESTIONS
from motcua.feedback.selectors import petition_lookup, published_answers, published_documents
from motcua.public import ratelimit
from motcua.public.forms import PetitionForm, RatingForm
from motcua.public.selectors import dossier_lookup, dossier_status
from motcua.public.stats import PRESETS, period_for, portal_units, public_statistics, stat_units
from motcua.public.text import time_limit_words
from motcua.reform.models import STATUS_NAMES, ReformPlan
from motcua.reform.selectors import plan_completion, plan_tasks

NOT_FOUND = gettext_lazy(
    "Không tìm thấy hồ sơ với mã hồ sơ và mã tra cứu này. "
    "Vui lòng kiểm tra lại hai mã in trên Giấy tiếp nhận."
)


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], *, section: str, status: int = 200
) -> HttpResponse:
    units = portal_units()
    context = {"section": section, "unit_name": units[0].name if len(units) == 1 else "", **context}
    return render(request, template, context, status=status)


def _private(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Pages that carry a code and secret: not cached, not indexed, and no Referer leaves with the URL.

    ``same-origin``, not ``no-referrer``: under ``no-referrer`` browsers send ``Origin: null`` with the page's
    own POST forms (the rating), which Django's CSRF check refuses; other sites still get no Referer.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store, private"
        response["Referrer-Policy"] = "same-origin"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapped


def _too_many(request: HttpRequest, limit: ratelimit.Limit, section: str) -> HttpResponse:
    wait = ratelimit.retry_after(limit)
    response = _page(
        request,
        "public/too_many.html",
        {"minutes": max(1, (wait + 59) // 60), "scope": limit.scope},
        section=section,
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response


# -- home ----------------------------------------------------------------------------------------------------


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return _page(
        request,
        "public/index.html",
        {"procedure_count": Procedure.objects.filter(active=True).count()},
        section="home",
    )


# -- dossier lookup and rating -------------------------------------------------------------------------------


def _lookup_params(data: Any) -> tuple[str, str]:
    return str(data.get("ma", "")).strip()[:80], str(data.get("bi-mat", "")).strip()[:32]


def _lookup_page(
    request: HttpRequest,
    code: str,
    secret: str,
    *,
    form: RatingForm | None = None,
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    """Check the limit, look the dossier up (counting a failure), render the steps or the generic error."""
    if ratelimit.is_blocked(request, ratelimit.LOOKUP):
        return _too_many(request, ratelimit.LOOKUP, "lookup")
    dossier = dossier_lookup(code, secret)
    if dossier is None:
        ratelimit.record(request, ratelimit.LOOKUP)
        return _page(
            request, "public/lookup.html", {"code": code, "error": NOT_FOUND}, section="lookup", status=404
        )
    info = dossier_status(dossier)
    if info.can_rate and form is None:
        form = RatingForm()
    return _page(
        request,
        "public/lookup.html",
        {
            "code": code,
            "secret": secret,
            "info": info,
            "form": form if info.can_rate else None,
            "notice": notice,
            "questions": QUESTIONS,
            "online_submission": getattr(dossier, "online_submission", None),  # motcua.online, when installed
        },
        section="lookup",
        status=status,
    )


@_private
@require_GET
def lookup(request: HttpRequest) -> HttpResponse:
    code, secret = _lookup_params(request.GET)
    if not code and not secret:
        return _page(request, "public/lookup.html", {}, section="lookup")
    if not code or not secret:
        return _page(
            request,
            "public/lookup.html",
            {
                "code": code,
                "error": _("Vui lòng nhập cả Mã hồ sơ và Mã tra cứu in trên Giấy tiếp nhận."),
            },
            section="lookup",
            status=400,
        )
    return _lookup_page(request, code, secret)


@_private
@require_POST
def rate(request: HttpRequest) -> HttpResponse:
    code, secret = _lookup_params(request.POST)
    if ratelimit.is_blocked(request, ratelimit.LOOKUP):
        return _too_many(request, ratelimit.LOOKUP, "lookup")
    dossier = dossier_lookup(code, secret)
    if dossier is None:
        return _lookup_page(request, code, secret)  # counts the failure, shows the generic message
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _lookup_page(request, code, secret, form=form, status=400)
    try:
        feedback.rating_submit(
            dossier=dossier,
            level=form.cleaned_data["level"],
            answers=form.answers(),
            comment=form.cleaned_data["comment"],
        )
    except Conflict:
        return _lookup_page(
            request,
            code,
            secret,
            notice=_("Hồ sơ này đã được đánh giá. Mỗi hồ sơ chỉ được đánh giá một lần. Xin cảm ơn ông/bà."),
        )
    except StateError:
        return _lookup_page(
            request, code, secret, notice=_("Hồ sơ chỉ được đánh giá sau khi đã nhận kết quả.")
        )
    return _lookup_page(
        request,
        code,
        secret,
        notice=_("Cảm ơn ông/bà đã đánh giá. Ý kiến của ông/bà giúp chúng tôi phục vụ tốt hơn."),
    )


# -- procedures ----------------------------------------------------------------------------------------------


def _fold(text: str) -> str:
    """Lower case without diacritics (đ → d): "dang ky khai sinh" finds "Đăng ký khai sinh"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn").lower()


@require_GET
def procedures(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    sector = request.GET.get("linh-vuc", "").strip()
    qs = (
        Procedure.objects.filter(active=True, current_version__isnull=False)
        .select_related("sector", "current_version")
        .order_by("sector__name", "name")
    )
    if sector:
        qs = qs.filter(sector__code=sector)
    rows = list(qs)
    if q:
        needle = _fold(q)
        rows = [p for p in rows if needle in _fold(p.name) or needle in _fold(p.code)]
    page = Paginator(rows, 30).get_page(request.GET.get("trang"))
    for p in page:
        v = p.current_version
        p.limit_text = time_limit_words(v.time_limit_value, v.time_limit_unit, v.same_day_cutoff)  # type: ignore[attr-defined,union-attr]
    sectors = Sector.objects.filter(procedures__active=True).distinct().order_by("name")
    query = "&".join(f"{k}={v}" for k, v in (("q", q), ("linh-vuc", sector)) if v)
    return _page(
        request,
        "public/procedures.html",
        {"page": page, "q": q, "sector": sector, "sectors": sectors, "query": query, "total": len(rows)},
        section="procedures",
    )


@require_GET
def procedure(request: HttpRequest, code: str) -> HttpResponse:
    proc = get_object_or_404(
        Procedure.objects.select_related("sector", "current_version"), code=code, active=True
    )
    v: ProcedureVersion | None = proc.current_version
    if v is None:
        raise Http404
    online_limit = (
        time_limit_words(v.online_time_limit_value, v.online_time_limit_unit, v.same_day_cutoff)
        if v.online_time_limit_value is not None and v.online_time_limit_unit
        else ""
    )
    return _page(
        request,
        "public/procedure.html",
        {
            "proc": proc,
            "v": v,
            "limit": time_limit_words(v.time_limit_value, v.time_limit_unit, v.same_day_cutoff),
            "online_limit": online_limit,
            "required": [c for c in v.components if c.get("required")],
            "optional": [c for c in v.components if not c.get("required")],
        },
        section="procedures",
    )


# -- statistics ----------------------------------------------------------------------------------------------


def _date_param(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@require_GET
def statistics(request: HttpRequest) -> HttpResponse:
    units = stat_units()
    today = timezone.localdate()
    code = request.GET.get("don-vi", "")
    unit = next((u for u in units if u.code == code), None)
    if unit is None:
        communes = [u for u in units if u.kind == Unit.Kind.COMMUNE]
        unit = communes[0] if communes else (units[0] if units else None)
    preset = request.GET.get("ky", "nam-nay")
    date_from, date_to = _date_param(request.GET.get("tu")), _date_param(request.GET.get("den"))
    if preset == "tuy-chon" and date_from and date_to and date_from <= date_to:
        period_label, period_from, period_to = _("Tùy chọn"), date_from, date_to
    else:
        period = period_for(preset, today)
        preset, period_label, period_from, period_to = (
            period.key,
            period.label,
            period.date_from,
            period.date_to,
        )
    context: dict[str, Any] = {
        "units": units,
        "unit": unit,
        "presets": PRESETS,
        "preset": preset,
        "period_label": period_label,
        "date_from": period_from,
        "date_to": period_to,
    }
    if unit is not None:
        context["s"] = public_statistics(unit, period_from, period_to)
    return _page(request, "public/statistics.html", context, section="statistics")


# -- published documents -------------------------------------------------------------------------------------


def _document_units() -> list[Unit]:
    units = {u.pk: u for u in portal_units()}
    extra = Unit.objects.filter(
        Q(published_documents__active=True) | Q(reform_plans__isnull=False)
    ).distinct()
    for u in extra:
        units.setdefault(u.pk, u)
    return sorted(units.values(), key=lambda u: (u.kind != Unit.Kind.COMMUNE, u.name))


@require_GET
def documents(request: HttpRequest) -> HttpResponse:
    units = _document_units()
    code = request.GET.get("don-vi", "")
    unit = next((u for u in units if u.code == code), units[0] if units else None)
    categories: list[dict[str, Any]] = []
    plans: list[dict[str, Any]] = []
    if unit is not None:
        grouped = published_documents(unit)
        today = timezone.localdate()
        for plan in ReformPlan.objects.filter(unit=unit).order_by("-year"):
            as_of = min(today, date(plan.year, 12, 31))
            plans.append({"plan": plan, "completion": plan_completion(plan, as_of=as_of), "as_of": as_of})
        categories = [
            {"key": key, "label": label, "docs": grouped[key]} for key, label in DocumentCategory.choices
        ]
    return _page(
        request,
        "public/documents.html",
        {"units": units, "unit": unit, "categories": categories, "plans": plans},
        section="documents",
    )


@require_GET
def document_file(request: HttpRequest, pk: int) -> HttpResponse:
    doc = get_object_or_404(PublishedDocument, pk=pk, active=True)
    if not doc.file:
        if doc.url:
            return HttpResponseRedirect(doc.url)
        raise Http404
    try:
        handle = doc.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    name = doc.file.name.rsplit("/", 1)[-1]
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    inline = kind in ("application/pdf", "image/png", "image/jpeg")
    return FileResponse(
        handle,
        as_attachment=not inline,
        filename=name,
        content_type=kind if inline else "application/octet-stream",
    )


@require_GET
def reform_plan(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(ReformPlan.objects.select_related("unit"), pk=pk)
    as_of = min(timezone.localdate(), date(plan.year, 12, 31))
    from motcua.reform.completion import standing

    tasks = [
        {
            "task": t,
            "status": STATUS_NAMES.get(standing(t.facts(), as_of=as_of), t.status),
            "standing": standing(t.facts(), as_of=as_of),
        }
        for t in plan_tasks(plan)
    ]
    return _page(
        request,
        "public/reform_plan.html",
        {"plan": plan, "completion": plan_completion(plan, as_of=as_of), "tasks": tasks, "as_of": as_of},
        section="documents",
    )


# -- petitions -----------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def petition(request: HttpRequest) -> HttpResponse:
    answers = published_answers()
    if request.method == "GET":
        return _page(
            request,
            "public/petition_form.html",
            {"form": PetitionForm(), "answers": answers},
            section="petitions",
        )
    if ratelimit.is_blocked(request, ratelimit.PETITION):
        return _too_many(request, ratelimit.PETITION, "petitions")
    form = PetitionForm(request.POST)
    if form.is_valid() and form.cleaned_data["website"]:
        return _page(
            request,
            "public/petition_form.html",
            {"form": PetitionForm(), "answers": answers},
            section="petitions",
        )  # a robot: nothing is stored
    if form.is_valid():
        ratelimit.record(request, ratelimit.PETITION)
        data = form.cleaned_data
        try:
            sent = feedback.petition_submit(
                unit_code=data["unit"],
                kind=data["kind"],
                subject=data["subject"],
                content=data["content"],
                sender_name=data["sender_name"],
                contact=data["contact"],
                dossier_code=data["dossier_code"],
            )
        except ApplicationError as exc:
            field = {"dossier": "dossier_code", "unit": "unit"}.get(exc.field or "")
            form.add_error(
                field, _("Không tìm thấy hồ sơ có mã này.") if field == "dossier_code" else exc.message
            )
        else:
            response = _page(
                request, "public/petition_sent.html", {"p": sent, "due": _local(sent)}, section="petitions"
            )
            response["Cache-Control"] = "no-store, private"
            return response
    return _page(
        request,
        "public/petition_form.html",
        {"form": form, "answers": answers},
        section="petitions",
        status=400,
    )


def _local(p: Petition) -> dict[str, Any]:
    from motcua.catalogue.selectors import unit_calendar

    zone = unit_calendar(p.unit).zone
    return {
        "submitted_at": p.submitted_at.astimezone(zone),
        "handling_due": p.handling_due.astimezone(zone),
        "answered_at": p.answered_at.astimezone(zone) if p.answered_at else None,
    }


@_private
@require_GET
def petition_status(request: HttpRequest) -> HttpResponse:
    code, secret = _lookup_params(request.GET)
    if not code and not secret:
        return _page(request, "public/petition_lookup.html", {}, section="petitions")
    if ratelimit.is_blocked(request, ratelimit.LOOKUP):
        return _too_many(request, ratelimit.LOOKUP, "petitions")
    found = petition_lookup(code, secret) if code and secret else None
    if found is None:
        ratelimit.record(request, ratelimit.LOOKUP)
        return _page(
            request,
            "public/petition_lookup.html",
            {
                "code": code,
                "error": _("Không tìm thấy phản ánh, kiến nghị với mã và mã tra cứu này."),
            },
            section="petitions",
            status=404,
        )
    return _page(
        request,
        "public/petition_lookup.html",
        {"p": found, "t": _local(found), "kinds": dict(PetitionKind.choices)},
        section="petitions",
    )
