"""``POST /dossiers/{id}/actions/<action>``: one route per action of rules §3 (all but ``submit``).

Each route takes an :class:`~motcua.api.schemas.ActionIn` body (which fields matter depends on the action:
see :data:`ACTION_FIELDS` and each operation's description), calls
:func:`~motcua.dossiers.services.dossier_act` with :func:`~motcua.api.schemas.action_payload` (the path the
historic importer takes too), and returns the updated dossier. The services decide everything: wrong
state → 409 with ``allowed_actions``; wrong role or unit → 403; a missing or bad field → 422 naming it;
``expected_version`` not the dossier's ``version`` → 409. A dossier outside your units → 404.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from django.http import HttpRequest
from ninja import Body, Router

from motcua.api.auth import request_user
from motcua.api.dossier_out import DossierOut, dossier_data
from motcua.api.errors import ProblemOut
from motcua.api.schemas import ActionIn, action_payload
from motcua.domain.lifecycle import TRANSITIONS, Action, Role
from motcua.dossiers.selectors import dossier_get
from motcua.dossiers.services import dossier_act

__all__ = ["ACTIONS", "ACTION_FIELDS", "ACTION_PATH", "action_path", "add_action_routes", "field_note"]

ACTION_PATH = "/{dossier_id}/actions/"
ACTIONS: tuple[Action, ...] = tuple(a for a in Action if a is not Action.SUBMIT)

ACTION_FIELDS: Mapping[Action, tuple[str, ...]] = MappingProxyType({
    Action.ACCEPT: ("code",),
    Action.RETURN_UNACCEPTED: ("reason",),
    Action.FORWARD: ("department",),
    Action.CONFIRM_PAYMENT: ("method", "amount", "reference"),
    Action.EXTEND: ("reason",),
    Action.PROPOSE: ("note",),
    Action.APPROVE: ("note",),
    Action.REJECT_PROPOSAL: ("note",),
    Action.RESOLVE: ("e_copy", "note"),
    Action.STOP: ("reason",),
})
"""Optional body fields each action uses, besides its required ones (``TRANSITIONS[action].required``) and
``at`` / ``expected_version``, which every action takes. Documentation only: the services decide."""

FIELD_NOTES: Mapping[str, str] = MappingProxyType({
    "reason": "free text",
    "reason_code": "a reason code",
    "code": "keep an older system's dossier code instead of issuing one",
    "department": "department code of the competent unit (default: by sector)",
    "assignee": "username of a specialist of the competent unit",
    "amount": "VND, whole number",
    "method": "desk | postal | online",
    "reference": "payment reference (bank transfer, gateway)",
    "new_appointment": "ISO 8601 instant with offset, later than the due",
    "result_code": "number/code of the result document",
    "e_copy": "an electronic copy of the result exists",
    "note": "free text",
})

EXAMPLES: Mapping[Action, Mapping[str, object]] = MappingProxyType({
    Action.REQUEST_INTAKE_SUPPLEMENT: {"reason": "Thiếu bản sao giấy khai sinh"},
    Action.SUPPLY_INTAKE_SUPPLEMENT: {},
    Action.ACCEPT: {},
    Action.REFUSE: {"reason": "Không thuộc thẩm quyền giải quyết"},
    Action.RETURN_UNACCEPTED: {"reason_code": "other_procedure_required", "reason": "Nộp thủ tục 1.001193"},
    Action.FORWARD: {"department": "TP-HT"},
    Action.ASSIGN: {"assignee": "specialist", "expected_version": 3},
    Action.REQUEST_SUPPLEMENT: {"reason": "Bổ sung xác nhận của công an xã"},
    Action.SUPPLY_SUPPLEMENT: {},
    Action.REQUEST_PAYMENT: {"amount": 15000},
    Action.CONFIRM_PAYMENT: {"method": "cash", "amount": 15000},
    Action.EXTEND: {"new_appointment": "2026-03-18T17:00:00+07:00", "reason": "Cần xác minh thêm"},
    Action.PROPOSE: {"note": "Đủ điều kiện"},
    Action.APPROVE: {},
    Action.REJECT_PROPOSAL: {"note": "Xem lại"},
    Action.RESOLVE: {"result_code": "KQ-2026-001", "e_copy": True},
    Action.DELIVER: {"method": "desk"},
    Action.STOP: {"reason_code": "withdrawn", "reason": "Người nộp rút hồ sơ"},
    Action.CANCEL: {"reason": "Nhập trùng hồ sơ"},
})

SUMMARIES: Mapping[Action, str] = MappingProxyType({
    Action.REQUEST_INTAKE_SUPPLEMENT: "Ask for a supplement at intake (Form 02)",
    Action.SUPPLY_INTAKE_SUPPLEMENT: "Record the intake supplement",
    Action.ACCEPT: "Accept: issue the code, due date and receipt (Form 01)",
    Action.REFUSE: "Refuse at intake (Form 03)",
    Action.RETURN_UNACCEPTED: "Give back without accepting",
    Action.FORWARD: "Forward to the competent department",
    Action.ASSIGN: "Assign to a specialist",
    Action.REQUEST_SUPPLEMENT: "Ask for a supplement during processing (Form 02)",
    Action.SUPPLY_SUPPLEMENT: "Record the supplement (restarts the clock)",
    Action.REQUEST_PAYMENT: "Notify a financial obligation",
    Action.CONFIRM_PAYMENT: "Record a payment",
    Action.EXTEND: "Apologise and set a new appointment (Form 04)",
    Action.PROPOSE: "Propose a result",
    Action.APPROVE: "Approve the proposal",
    Action.REJECT_PROPOSAL: "Send the proposal back",
    Action.RESOLVE: "Issue the result (the dossier ends)",
    Action.DELIVER: "Hand the result over",
    Action.STOP: "Stop processing without a result",
    Action.CANCEL: "Void the record (admin)",
})


ACTION_FIELD_NOTES: Mapping[tuple[Action, str], str] = MappingProxyType({
    (Action.CONFIRM_PAYMENT, "method"): "cash | transfer | online (default cash)",
    (Action.CONFIRM_PAYMENT, "amount"): "VND, whole number (default: the dossier's fee total)",
    (Action.RETURN_UNACCEPTED, "reason_code"):
        "supplement_not_provided | cannot_submit | other_procedure_required",
    (Action.RETURN_UNACCEPTED, "reason"): "free text; alone, it is taken as the reason code",
    (Action.STOP, "reason_code"): "withdrawn | not_eligible | supplement_not_provided",
    (Action.STOP, "reason"): "free text; alone, it is taken as the reason code",
})


def field_note(action: Action, field: str) -> str:
    """What ``field`` means for ``action`` (documentation)."""
    return ACTION_FIELD_NOTES.get((action, field)) or FIELD_NOTES.get(field, "")


def action_path(action: Action) -> str:
    return f"{ACTION_PATH}{action.value}"


def _roles(action: Action) -> list[str]:
    return [r.value for r in Role if r in TRANSITIONS[action].roles]


def _transition(action: Action) -> str:
    transition = TRANSITIONS[action]
    sources = ", ".join(sorted(str(s) for s in transition.sources if s is not None))
    if transition.target is None:
        return f"{sources} → (same state)"
    same = sorted(str(s) for s in transition.same_state_from)
    if same:
        return f"{sources} → {transition.target} (from {', '.join(same)}: same state, payment recorded)"
    return f"{sources} → {transition.target}"


def _description(action: Action) -> str:
    required = TRANSITIONS[action].required
    optional = ACTION_FIELDS.get(action, ())
    lines = [f"**{_transition(action)}**", "", f"Who: {', '.join(_roles(action))}.", ""]
    if required:
        lines.append("Required: " + "; ".join(f"`{f}` ({field_note(action, f)})" for f in required) + ".")
    if optional:
        lines.append("Optional: " + "; ".join(f"`{f}` ({field_note(action, f)})" for f in optional) + ".")
    lines.append("Every action also takes `at` (default now) and `expected_version` (409 if the dossier "
                 "changed since you read it).")
    return "\n".join(lines)


def _view(action: Action) -> Callable[..., dict[str, Any]]:
    def view(request: HttpRequest, dossier_id: int, body: Body[ActionIn | None] = None) -> dict[str, Any]:
        user = request_user(request)
        dossier_get(user=user, dossier_id=dossier_id)  # 404 outside the user's units
        body = body or ActionIn()
        dossier_act(dossier_id=dossier_id, action=action, actor=user, at=body.at,
                    payload=action_payload(action, body), expected_version=body.expected_version)
        return dossier_data(dossier_get(user=user, dossier_id=dossier_id), user, detail=True)

    view.__name__ = f"dossier_{action.value}"
    view.__qualname__ = view.__name__
    view.__doc__ = SUMMARIES[action]
    return view


def add_action_routes(router: Router) -> None:
    """Add one ``POST`` route per action to ``router`` (mounted at ``/dossiers``)."""
    for action in ACTIONS:
        router.add_api_operation(
            action_path(action), ["POST"], _view(action),
            response={200: DossierOut, 401: ProblemOut, 403: ProblemOut, 404: ProblemOut, 409: ProblemOut,
                      422: ProblemOut},
            operation_id=f"dossier_{action.value}", url_name=f"dossier_{action.value}",
            summary=SUMMARIES[action], description=_description(action), tags=["dossier actions"],
            openapi_extra={"requestBody": {"content": {"application/json": {"example": dict(EXAMPLES[action])}}}},
        )
