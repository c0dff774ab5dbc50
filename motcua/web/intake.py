"""Desk intake (tiếp nhận hồ sơ tại Bộ phận một cửa): lodge a dossier brought to the counter or by post, and
at once accept it, ask for a supplement, refuse it or give it back.

1. Choose the procedure (search by name or code; live with htmx, a plain GET form without JS).
2. Fill in the applicant, tick the components handed in (and digitized), the channel, the fees, and the
   competent commune for a boundary-independent procedure.
3. One button per decision: the dossier is lodged and the decision applied by
   :func:`~motcua.dossiers.intake.dossier_intake` in ONE transaction, so a refused decision leaves nothing
   behind; the form comes back with everything typed and the error next to its field.

Scans of the components are a later issue (the checklist records only submitted/digitized).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from motcua.catalogue.models import Procedure, ProcedureVersion, Unit, fee_line_applies
from motcua.catalogue.selectors import procedure_in_force
from motcua.core.errors import ApplicationError
from motcua.domain.lifecycle import Action, Role
from motcua.dossiers.intake import dossier_intake
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import ComponentIn
from motcua.web import choices
from motcua.web.errors import Problem, attach
from motcua.web.forms import IntakeForm, applicant_from
from motcua.web.present import local_datetime, money, time_limit
from motcua.web.views import base_context, is_partial, signed_in_user

__all__ = ["intake"]

FORM_FIELDS = {
    "applicant.name": "applicant_name",
    "applicant.id_number": "applicant_id_number",
    "applicant.phone": "applicant_phone",
    "applicant.email": "applicant_email",
    "applicant.address": "applicant_address",
}
"""The services' field names that the intake form names otherwise."""


@dataclass(frozen=True)
class ComponentRow:
    code: str
    name: str
    required: bool
    submitted: bool
    digitized: bool


def _component_rows(version: ProcedureVersion, request: HttpRequest) -> list[ComponentRow]:
    submitted = set(request.POST.getlist("submitted"))
    digitized = set(request.POST.getlist("digitized"))
    return [
        ComponentRow(
            code=str(c["code"]),
            name=str(c.get("name", "")),
            required=bool(c.get("required")),
            submitted=str(c["code"]) in submitted,
            digitized=str(c["code"]) in digitized,
        )
        for c in version.components
    ]


def _payload(decision: Action, form: IntakeForm) -> dict[str, object]:
    reason = form.cleaned_data.get("reason") or ""
    if decision is Action.RETURN_UNACCEPTED:
        return {"reason_code": form.cleaned_data.get("reason_code") or "", "reason": reason}
    if decision in (Action.REQUEST_INTAKE_SUPPLEMENT, Action.REFUSE):
        return {"reason": reason}
    return {}


def _lodge(form: IntakeForm, procedure: Procedure, rows: list[ComponentRow], request: HttpRequest) -> Dossier:
    """Submit, then apply the officer's decision, all or nothing (:func:`dossier_intake`)."""
    data = form.cleaned_data
    version = procedure.current_version
    assert version is not None
    decision = form.decision_action()
    return dossier_intake(
        procedure_code=procedure.code,
        receiving_unit_code=data["receiving_unit"],
        competent_unit_code=(data.get("competent_unit") or None) if version.boundary_independent else None,
        channel=data["channel"],
        applicant=applicant_from(data),
        components=[ComponentIn(code=r.code, submitted=r.submitted, digitized=r.digitized) for r in rows],
        fees_exempt=bool(data.get("fees_exempt")),
        fee_total=data.get("fee_total"),
        actor=signed_in_user(request),
        decision=decision,
        payload=_payload(decision, form),
    )


_DONE = {
    Action.ACCEPT: _("Đã tiếp nhận hồ sơ %(code)s. Hẹn trả kết quả: %(appointment)s."),
    Action.REQUEST_INTAKE_SUPPLEMENT: _("Đã lập yêu cầu bổ sung, hoàn thiện hồ sơ."),
    Action.REFUSE: _("Đã từ chối tiếp nhận hồ sơ."),
    Action.RETURN_UNACCEPTED: _("Đã trả lại hồ sơ cho người nộp."),
}


@login_required
@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest) -> HttpResponse:
    """``GET ?q=``: find the procedure; ``GET ?procedure=``: the empty form; ``POST``: lodge and decide."""
    user = signed_in_user(request)
    units: list[Unit] = choices.units_with_role(user, Role.DESK_OFFICER)
    context: dict[str, Any] = {**base_context(request)}
    if not units:
        return render(request, "web/intake.html", {**context, "not_desk": True}, status=403)
    query = (request.GET.get("q") or "").strip()
    results = choices.procedure_search(query) if query else []
    if request.method == "GET" and is_partial(request, "procedure-results"):
        return render(request, "web/intake.html#procedure_results", {"query": query, "results": results})
    procedure = procedure_in_force(request.POST.get("procedure") or request.GET.get("procedure"))
    context.update(query=query, results=results, procedure=procedure)
    if procedure is None:
        return render(request, "web/intake.html", context)

    version = procedure.current_version
    assert version is not None
    receiving = units[0]
    competent = (
        [(u.code, u.name) for u in choices.province_communes(receiving)]
        if version.boundary_independent
        else []
    )
    unit_choices = [(u.code, u.name) for u in units]
    problem: Problem | None = None
    status = 200
    if request.method == "POST":
        form = IntakeForm(request.POST, units=unit_choices, competent_units=competent)
        rows = _component_rows(version, request)
        if form.is_valid():
            try:
                dossier = _lodge(form, procedure, rows, request)
            except ApplicationError as exc:
                problem = attach(form, exc, fields=FORM_FIELDS, action=form.decision_action().value)
                status = problem.status if problem is not None else 422
            else:
                decision = form.decision_action()
                tz = dossier.receiving_unit.timezone
                messages.success(
                    request,
                    str(_DONE[decision])
                    % {"code": dossier.code or "", "appointment": local_datetime(dossier.appointment_at, tz)},
                )
                return redirect("web:dossier", dossier_id=dossier.pk)
        else:
            status = 422
    else:
        form = IntakeForm(
            initial={
                "procedure": procedure.code,
                "receiving_unit": receiving.code,
                "channel": "direct",
                "fee_total": int(version.fee_total()),
                "competent_unit": receiving.code,
            },
            units=unit_choices,
            competent_units=competent,
        )
        rows = _component_rows(version, request)
    context.update(
        form=form,
        version=version,
        components=rows,
        problem=problem,
        time_limit=time_limit(
            version.time_limit_value, version.time_limit_unit, version.get_time_limit_unit_display()
        ),
        fee_lines=[
            {
                **line,
                "shown": money(line.get("amount")) if line.get("amount") is not None else "",
                "applies": fee_line_applies(line, "direct"),
            }
            for line in version.fees
        ],
    )
    return render(request, "web/intake.html", context, status=status)
