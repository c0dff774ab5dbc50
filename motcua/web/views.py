"""The staff web app: the inbox, the search, one dossier with its actions.

Views only translate: they read through the selectors (``motcua.dossiers.selectors``,
:mod:`motcua.web.inbox`), write through the same service as the API
(:func:`~motcua.dossiers.services.dossier_act`), and turn the services' errors into messages in place
(:mod:`motcua.web.errors`). Every page needs a signed-in user; a dossier outside the user's units is a 404,
as in the API. Each action is a plain POST form; with htmx the answer is the ``dossier`` partial of the same
template, swapped in place.

The desk intake is in :mod:`motcua.web.intake`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from motcua.accounts.models import User
from motcua.catalogue.models import fee_line_applies
from motcua.core.errors import ApplicationError, NotFound
from motcua.domain.lifecycle import Action
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.selectors import (
    UserRoles,
    dossier_allowed_actions,
    dossier_events,
    dossier_get,
    dossier_list,
    dossier_personal_data_visible,
    dossier_timeliness,
)
from motcua.dossiers.services import dossier_act
from motcua.interop.selectors import dossier_section as interop_section
from motcua.web import choices
from motcua.web.errors import Problem, attach
from motcua.web.forms import ActionForm, FilterForm, is_primary
from motcua.web.inbox import is_near_due, queue_counts, queue_dossiers, queues_for
from motcua.web.labels import ACTION_LABELS, label
from motcua.web.present import event_rows, state_tone, timeliness_tone
from motcua.web.templatetags.motcua_web import optional_url

__all__ = [
    "base_context",
    "dossier_action",
    "dossier_context",
    "dossier_detail",
    "home",
    "is_partial",
    "search",
    "signed_in_user",
]

PER_PAGE = 25


def signed_in_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required let the request through
    return user


def base_context(request: HttpRequest) -> dict[str, Any]:
    """What ``web/base.html`` shows on every staff page (the unit in the header)."""
    return {"unit_name": choices.user_unit_names(signed_in_user(request))}


def is_partial(request: HttpRequest, target: str) -> bool:
    """Whether htmx asked for the element ``#target`` only (its partial is answered, not the page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and getattr(htmx, "target", None) == target


# -- lists ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One dossier in a list: personal data always masked there (the template masks the ID number)."""

    dossier: Dossier
    tz: str
    timeliness: str | None
    near_due: bool

    @property
    def state_tone(self) -> str:
        return state_tone(self.dossier.state)

    @property
    def timeliness_tone(self) -> str:
        return timeliness_tone(self.timeliness, near_due=self.near_due)


def _rows(dossiers: Iterable[Dossier], at: datetime) -> list[Row]:
    return [
        Row(
            dossier=d,
            tz=d.receiving_unit.timezone,
            timeliness=dossier_timeliness(dossier=d, at=at),
            near_due=is_near_due(d, at),
        )
        for d in dossiers
    ]


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    count: int
    active: bool


def _list_page(request: HttpRequest, *, mode: str) -> HttpResponse:
    user = signed_in_user(request)
    at = timezone.now()
    form = FilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    filters = form.filters()
    tabs: list[Tab] = []
    tab = None
    if mode == "inbox":
        queues = queues_for(user)
        keys = [q.key for q in queues]
        tab = request.GET.get("tab") if request.GET.get("tab") in keys else (keys[0] if keys else None)
        counts = queue_counts(user, queues, at=at)
        tabs = [Tab(q.key, str(q.label), counts[q.key], q.key == tab) for q in queues]
        dossiers = queue_dossiers(user, tab, at=at, filters=filters) if tab else Dossier.objects.none()
    else:
        dossiers = dossier_list(user=user, filters=filters)
    page = Paginator(dossiers, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        **base_context(request),
        "mode": mode,
        "title": _("Hồ sơ cần xử lý") if mode == "inbox" else _("Tra cứu hồ sơ"),
        "tabs": tabs,
        "tab": tab,
        "form": form,
        "page": page,
        "rows": _rows(page.object_list, at),
        "filtered": form.active(),
    }
    template = "web/dossier_list.html#results" if is_partial(request, "results") else "web/dossier_list.html"
    return render(request, template, context)


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The inbox: the user's work queues (tabs with counts), filters, search, pages."""
    return _list_page(request, mode="inbox")


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Every dossier the user may see, with the same filters and search."""
    return _list_page(request, mode="search")


# -- one dossier ------------------------------------------------------------------------------------------


def dossier_or_404(user: User, dossier_id: int) -> Dossier:
    """The dossier if ``user`` may see it, else 404 (the staff pages of every module use this)."""
    try:
        return dossier_get(user=user, dossier_id=dossier_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


PRINTED_FORMS: Sequence[tuple[str, Any]] = (
    ("printed_forms:receipt", _("In giấy tiếp nhận, hẹn trả kết quả")),
    ("printed_forms:supplement", _("In phiếu yêu cầu bổ sung, hoàn thiện hồ sơ")),
    ("printed_forms:refusal", _("In phiếu từ chối tiếp nhận")),
    ("printed_forms:apology", _("In phiếu xin lỗi và hẹn lại ngày trả")),
    ("printed_forms:control_slip", _("In phiếu kiểm soát quá trình giải quyết")),
)
_SUPPLEMENT_EVENTS = frozenset({Action.REQUEST_INTAKE_SUPPLEMENT.value, Action.REQUEST_SUPPLEMENT.value})


def _fee_lines(dossier: Dossier) -> list[dict[str, Any]]:
    """The dossier's fee lines as stored at submission (the desk may have switched one on or off), else those of
    its procedure version by the catalogue's rule for its channel."""
    stored = list(dossier.fee_lines.all()) if hasattr(dossier, "fee_lines") else []
    if stored:
        return [{"name": f.name, "amount": f.amount, "applies": f.applies} for f in stored]
    return [
        {**line, "applies": fee_line_applies(line, dossier.channel)}
        for line in dossier.procedure_version.fees
    ]


def _printed_forms(dossier: Dossier, events: Sequence[DossierEvent]) -> list[tuple[str, str, str]]:
    """Links to the printed forms that exist for this dossier (each only once its page is installed), with the
    digitally signed copy's link when the signing module is installed (docs/signatures.md)."""
    done = {e.action for e in events}
    shown = {
        "printed_forms:receipt": dossier.code is not None and dossier.received_at is not None,
        "printed_forms:supplement": bool(done & _SUPPLEMENT_EVENTS),
        "printed_forms:refusal": Action.REFUSE.value in done,
        "printed_forms:apology": dossier.extensions > 0,
        "printed_forms:control_slip": dossier.received_at is not None,
    }
    links = []
    for name, text in PRINTED_FORMS:
        url = optional_url(name, dossier_id=dossier.pk) if shown[name] else ""
        if url:
            slug = url.rstrip("/").rsplit("/", 1)[-1].removesuffix(".pdf")
            signed = optional_url("signing:form", dossier_id=dossier.pk, form_file=slug)
            links.append((str(text), url, signed))
    return links


def dossier_context(
    request: HttpRequest,
    dossier: Dossier,
    *,
    bound: Mapping[Action, ActionForm] | None = None,
    problem: Problem | None = None,
) -> dict[str, Any]:
    """Everything ``web/dossier.html`` shows; ``bound`` holds a submitted form to show again with its
    errors."""
    user = signed_in_user(request)
    roles = UserRoles(user)
    at = timezone.now()
    tz = dossier.receiving_unit.timezone
    # the main step first (a stable sort keeps the lifecycle's order otherwise)
    allowed = sorted(
        dossier_allowed_actions(dossier=dossier, user=user, roles=roles),
        key=lambda a: not is_primary(a, dossier),
    )
    bound = bound or {}
    events = list(dossier_events(dossier=dossier))
    assignees = [
        str(e.payload["assignee"])
        for e in events
        if isinstance(e.payload, dict) and e.payload.get("assignee")
    ]
    timeliness = dossier_timeliness(dossier=dossier, at=at)
    near_due = is_near_due(dossier, at)
    return {
        **base_context(request),
        "dossier": dossier,
        "tz": tz,
        "state_tone": state_tone(dossier.state),
        "timeliness": timeliness,
        "timeliness_tone": timeliness_tone(timeliness, near_due=near_due),
        "near_due": near_due,
        "personal_data": dossier_personal_data_visible(dossier=dossier, user=user, roles=roles),
        "events": event_rows(
            events,
            tz=tz,
            departments=choices.department_names([dossier.competent_unit_id, dossier.receiving_unit_id]),
            people=choices.people_names(assignees),
        ),
        "components": list(dossier.components.all()),
        "payments": list(dossier.payments.all()),
        "result": getattr(dossier, "result", None),
        "fee_lines": _fee_lines(dossier),
        "actions": [bound.get(a) or ActionForm(action=a, dossier=dossier) for a in allowed],
        "problem": problem,
        "printed_forms": _printed_forms(dossier, events),
        "interop": interop_section(dossier, user),
    }


@login_required
@require_GET
def dossier_detail(request: HttpRequest, dossier_id: int) -> HttpResponse:
    """One dossier: header, applicant, timeline, components, fees, result, and the actions allowed now."""
    dossier = dossier_or_404(signed_in_user(request), dossier_id)
    return render(request, "web/dossier.html", dossier_context(request, dossier))


@login_required
@require_POST
def dossier_action(request: HttpRequest, dossier_id: int, action: str) -> HttpResponse:
    """Perform one action through :func:`~motcua.dossiers.services.dossier_act` (the API's path).

    Success: back to the dossier (redirect; with htmx, the refreshed partial). A field error is shown next
    to its field with what was typed; a state error or a conflict as a message, with the page re-read.
    """
    user = signed_in_user(request)
    try:
        act = Action(action)
    except ValueError as exc:
        raise Http404(action) from exc
    if act is Action.SUBMIT:
        raise Http404(action)
    dossier = dossier_or_404(user, dossier_id)
    form = ActionForm(request.POST, action=act, dossier=dossier)
    with timezone.override(ZoneInfo(dossier.receiving_unit.timezone)):  # a typed date is in the unit's time
        valid = form.is_valid()
    problem: Problem | None = None
    status = 422
    if valid:
        try:
            dossier_act(
                dossier_id=dossier.pk,
                action=act,
                actor=user,
                payload=form.payload(),
                expected_version=form.cleaned_data.get("expected_version"),
            )
        except ApplicationError as exc:
            problem = attach(form, exc, action=act.value)
            status = problem.status if problem is not None else 422
        else:
            messages.success(
                request, str(_("Đã thực hiện: %(action)s.")) % {"action": label(ACTION_LABELS, act)}
            )
            if getattr(request, "htmx", False):
                fresh = dossier_get(user=user, dossier_id=dossier.pk)
                return render(request, "web/dossier.html#dossier", dossier_context(request, fresh))
            return redirect("web:dossier", dossier_id=dossier.pk)
    fresh = dossier_get(user=user, dossier_id=dossier.pk)
    keep = {} if problem is not None and problem.reload else {act: form}  # after a conflict: today's forms
    context = dossier_context(request, fresh, bound=keep, problem=problem)
    if getattr(request, "htmx", False):
        return render(request, "web/dossier.html#dossier", context)  # 200, so htmx swaps the errors in
    return render(request, "web/dossier.html", context, status=status)
