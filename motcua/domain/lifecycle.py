"""The dossier lifecycle: states, actions, who may act, and what each action decides (rules.md §3, §2.2).

The state machine is a TABLE (:data:`TRANSITIONS`, one :class:`Transition` per :class:`Action`) plus one
function, :func:`apply`, which checks an action against a :class:`DossierSnapshot` and returns a
:class:`Decision` (next state, due dates, counters, flags, normalized payload). It changes nothing and
never reads the clock: the service that calls it stores the decision and writes the event.

Usage::

    decision = apply(snapshot, Action.ACCEPT, at=at, rules=rules, calendar=calendar,
                     roles={Role.DESK_OFFICER})
    decision.to_state, decision.due_at, decision.calendar_version

Choices where rules.md §3 is silent (written down here, and reported for ``docs/``):

- ``admin`` may perform every action (data repair and the importer's corrections go through the same
  services); ``system`` (payment gateway, importer, portal sync) likewise.
- ``cancel`` is allowed from every state that is not terminal, ``resolved`` included.
- ``confirm_payment`` from ``received``, ``processing`` or ``supplement_requested`` records a payment made
  without a pending request ("fees paid at intake"): the state does not change (``payment_only``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from motcua.domain.calendar import WorkingCalendar
from motcua.domain.deadlines import (
    DEFAULT_SAME_DAY_CUTOFF,
    DeadlineError,
    TimeLimit,
    Timeliness,
    check_extension,
    choose_limit,
    classify_ended,
    compute_due,
    paused_due,
)

__all__ = [
    "ACCEPTED_OPEN",
    "DELIVERY_METHODS",
    "DESK_ACTIONS",
    "ENDED_ACCEPTED",
    "ENDING_STATES",
    "LATE_SUPPLEMENT_FLAG",
    "PORTAL_STATUS",
    "REPEAT_SUPPLEMENT_FLAG",
    "RETURN_REASONS",
    "STOP_REASONS",
    "TERMINAL",
    "TRANSITIONS",
    "Action",
    "Decision",
    "DossierSnapshot",
    "ExtensionRefused",
    "PayloadError",
    "PermissionDenied",
    "ProcedureRules",
    "Role",
    "State",
    "Transition",
    "TransitionError",
    "actions_for",
    "allowed_actions",
    "apply",
    "portal_status",
    "replay_due",
]


class State(StrEnum):
    """The states of a dossier (rules.md §3)."""

    SUBMITTED = "submitted"
    INTAKE_SUPPLEMENT = "intake_supplement"
    RECEIVED = "received"
    PROCESSING = "processing"
    SUPPLEMENT_REQUESTED = "supplement_requested"
    AWAITING_PAYMENT = "awaiting_payment"
    RESOLVED = "resolved"
    DELIVERED = "delivered"
    STOPPED = "stopped"
    REFUSED = "refused"
    RETURNED = "returned"
    CANCELLED = "cancelled"


class Action(StrEnum):
    """The actions on a dossier, one service each (rules.md §3). The order is the order of error messages."""

    SUBMIT = "submit"
    REQUEST_INTAKE_SUPPLEMENT = "request_intake_supplement"
    SUPPLY_INTAKE_SUPPLEMENT = "supply_intake_supplement"
    ACCEPT = "accept"
    REFUSE = "refuse"
    RETURN_UNACCEPTED = "return_unaccepted"
    FORWARD = "forward"
    ASSIGN = "assign"
    REQUEST_SUPPLEMENT = "request_supplement"
    SUPPLY_SUPPLEMENT = "supply_supplement"
    REQUEST_PAYMENT = "request_payment"
    CONFIRM_PAYMENT = "confirm_payment"
    EXTEND = "extend"
    PROPOSE = "propose"
    APPROVE = "approve"
    REJECT_PROPOSAL = "reject_proposal"
    RESOLVE = "resolve"
    DELIVER = "deliver"
    STOP = "stop"
    CANCEL = "cancel"


class Role(StrEnum):
    """Who acts (rules.md §3, "who"); ``system`` is the payment gateway, the importer or the portal sync."""

    APPLICANT = "applicant"
    DESK_OFFICER = "desk_officer"
    SPECIALIST = "specialist"
    DEPARTMENT_HEAD = "department_head"
    APPROVER = "approver"
    CLERK = "clerk"
    INSPECTOR = "inspector"
    ADMIN = "admin"
    SYSTEM = "system"


PORTAL_STATUS: Mapping[State, int | None] = MappingProxyType(
    {
        State.SUBMITTED: 1,
        State.INTAKE_SUPPLEMENT: 1,
        State.RECEIVED: 2,
        State.PROCESSING: 4,
        State.SUPPLEMENT_REQUESTED: 5,
        State.AWAITING_PAYMENT: 6,
        State.RESOLVED: 9,
        State.DELIVERED: 10,
        State.STOPPED: 8,
        State.REFUSED: 3,
        State.RETURNED: 3,
        State.CANCELLED: None,
    }
)
"""The national portal status code of each state (rules.md §3); ``stopped`` is 7 when withdrawn."""

WITHDRAWN_PORTAL_STATUS: Final = 7

TERMINAL: frozenset[State] = frozenset(
    {State.DELIVERED, State.STOPPED, State.REFUSED, State.RETURNED, State.CANCELLED}
)
"""States no action leaves."""

ACCEPTED_OPEN: frozenset[State] = frozenset(
    {State.RECEIVED, State.PROCESSING, State.SUPPLEMENT_REQUESTED, State.AWAITING_PAYMENT}
)
"""Accepted and not ended: the clock is running (rules.md §3, "any accepted open state")."""

ENDED_ACCEPTED: frozenset[State] = frozenset({State.RESOLVED, State.DELIVERED, State.STOPPED})
"""Accepted and ended; the end is the instant it entered ``resolved`` or ``stopped`` (rules.md §3)."""

ENDING_STATES: frozenset[State] = frozenset({State.RESOLVED, State.STOPPED})

RETURN_REASONS: frozenset[str] = frozenset(
    {"supplement_not_provided", "cannot_submit", "other_procedure_required"}
)
"""Reason codes of ``return_unaccepted`` (rules.md §3, ``returned``)."""

STOP_REASONS: frozenset[str] = frozenset({"withdrawn", "not_eligible", "supplement_not_provided"})
"""Reason codes of ``stop`` (rules.md §3, ``stopped``)."""

DELIVERY_METHODS: frozenset[str] = frozenset({"desk", "postal", "online"})
"""Methods of ``deliver`` (rules.md §3)."""

LATE_SUPPLEMENT_FLAG: Final = "late_supplement_request"
"""A supplement request more than 3 working days after receipt (rules.md §2.2, Decision 766)."""

REPEAT_SUPPLEMENT_FLAG: Final = "repeat_supplement_request"
"""A second or later supplement request (rules.md §2.2, Decision 766)."""

LATE_SUPPLEMENT_WORKING_DAYS: Final = 3


def portal_status(state: State, stop_reason: str | None = None) -> int | None:
    """The national portal status code of ``state``: 8 for ``stopped``, 7 when withdrawn (rules.md §3)."""
    if state is State.STOPPED and stop_reason == "withdrawn":
        return WITHDRAWN_PORTAL_STATUS
    return PORTAL_STATUS[State(state)]


# -- the table ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Transition:
    """One row of the action table of rules.md §3.

    - ``sources``: the states the action is allowed from (``None`` = no dossier yet);
    - ``target``: the state it leads to (``None`` = the same state);
    - ``roles``: who may perform it (``admin`` is in every row);
    - ``required``: payload fields that must be present and non-empty;
    - ``same_state_from``: sources from which the action only records a fact and keeps the state.
    """

    sources: frozenset[State | None]
    target: State | None
    roles: frozenset[Role]
    required: tuple[str, ...] = ()
    same_state_from: frozenset[State] = frozenset()

    def target_from(self, state: State | None) -> State | None:
        """The state after performing the action from ``state``."""
        if self.target is None or state in self.same_state_from:
            return state
        return self.target


def _row(
    sources: Iterable[State | None],
    target: State | None,
    roles: Iterable[Role],
    required: tuple[str, ...] = (),
    same_state_from: Iterable[State] = (),
) -> Transition:
    return Transition(
        sources=frozenset(sources),
        target=target,
        roles=frozenset((*roles, Role.ADMIN)),
        required=required,
        same_state_from=frozenset(same_state_from),
    )


_D, _SYS = Role.DESK_OFFICER, Role.SYSTEM
_PAYMENT_ONLY_FROM = (State.RECEIVED, State.PROCESSING, State.SUPPLEMENT_REQUESTED)

TRANSITIONS: Mapping[Action, Transition] = MappingProxyType(
    {
        Action.SUBMIT: _row([None], State.SUBMITTED, [Role.APPLICANT, _D, _SYS]),
        Action.REQUEST_INTAKE_SUPPLEMENT: _row(
            [State.SUBMITTED], State.INTAKE_SUPPLEMENT, [_D, _SYS], ("reason",)
        ),
        Action.SUPPLY_INTAKE_SUPPLEMENT: _row([State.INTAKE_SUPPLEMENT], State.SUBMITTED, [_D, _SYS]),
        Action.ACCEPT: _row([State.SUBMITTED], State.RECEIVED, [_D, _SYS]),
        Action.REFUSE: _row([State.SUBMITTED, State.INTAKE_SUPPLEMENT], State.REFUSED, [_D, _SYS], ("reason",)),
        Action.RETURN_UNACCEPTED: _row(
            [State.SUBMITTED, State.INTAKE_SUPPLEMENT], State.RETURNED, [_D, _SYS], ("reason_code",)
        ),
        Action.FORWARD: _row([State.RECEIVED], State.PROCESSING, [_D, _SYS]),
        Action.ASSIGN: _row([State.PROCESSING], None, [Role.DEPARTMENT_HEAD, _SYS], ("assignee",)),
        Action.REQUEST_SUPPLEMENT: _row(
            [State.PROCESSING],
            State.SUPPLEMENT_REQUESTED,
            [Role.SPECIALIST, Role.DEPARTMENT_HEAD, _D, _SYS],
            ("reason",),
        ),
        Action.SUPPLY_SUPPLEMENT: _row([State.SUPPLEMENT_REQUESTED], State.PROCESSING, [_D, _SYS]),
        Action.REQUEST_PAYMENT: _row(
            [State.PROCESSING], State.AWAITING_PAYMENT, [Role.SPECIALIST, _SYS], ("amount",)
        ),
        Action.CONFIRM_PAYMENT: _row(
            [State.AWAITING_PAYMENT, *_PAYMENT_ONLY_FROM],
            State.PROCESSING,
            [_D, _SYS],
            same_state_from=_PAYMENT_ONLY_FROM,
        ),
        Action.EXTEND: _row(
            [State.PROCESSING, State.SUPPLEMENT_REQUESTED, State.AWAITING_PAYMENT],
            None,
            [Role.APPROVER, _SYS],
            ("new_appointment",),
        ),
        Action.PROPOSE: _row([State.PROCESSING], None, [Role.SPECIALIST, _SYS]),
        Action.APPROVE: _row([State.PROCESSING], None, [Role.APPROVER, _SYS]),
        Action.REJECT_PROPOSAL: _row([State.PROCESSING], None, [Role.APPROVER, _SYS]),
        Action.RESOLVE: _row(
            [State.PROCESSING], State.RESOLVED, [Role.APPROVER, Role.CLERK, _SYS], ("result_code",)
        ),
        Action.DELIVER: _row([State.RESOLVED], State.DELIVERED, [_D, _SYS], ("method",)),
        Action.STOP: _row(ACCEPTED_OPEN, State.STOPPED, [Role.APPROVER, _SYS], ("reason_code",)),
        Action.CANCEL: _row(
            [state for state in State if state not in TERMINAL], State.CANCELLED, [_SYS], ("reason",)
        ),
    }
)
"""The action table of rules.md §3, one row per action."""


DESK_ACTIONS: Final[frozenset[Action]] = frozenset(
    {
        Action.SUBMIT,
        Action.REQUEST_INTAKE_SUPPLEMENT,
        Action.SUPPLY_INTAKE_SUPPLEMENT,
        Action.ACCEPT,
        Action.REFUSE,
        Action.RETURN_UNACCEPTED,
        Action.FORWARD,
        Action.SUPPLY_SUPPLEMENT,
        Action.DELIVER,
    }
)
"""Actions done at the receiving unit's one-stop desk; every other action belongs to the competent unit
(which differs from the receiving unit for a boundary-independent dossier). Roles are checked in that unit."""


def allowed_actions(state: State | None) -> tuple[Action, ...]:
    """The actions allowed from ``state`` (``None`` = no dossier yet), in :class:`Action` order."""
    return tuple(action for action in Action if state in TRANSITIONS[action].sources)


def actions_for(state: State | None, roles: Iterable[Role]) -> tuple[Action, ...]:
    """The actions allowed from ``state`` that one of ``roles`` may perform, in :class:`Action` order."""
    held = _roles(roles)
    return tuple(action for action in allowed_actions(state) if held & TRANSITIONS[action].roles)


def _roles(roles: Iterable[Role | str]) -> frozenset[Role]:
    known = {role.value for role in Role}
    return frozenset(Role(role) for role in roles if role in known)


# -- errors -------------------------------------------------------------------------------------------------


def _state_label(state: State | None) -> str:
    return "∅" if state is None else str(state)


class TransitionError(Exception):
    """The action is not allowed from the dossier's state (rules.md §3); nothing changed.

    The message names the state and the allowed actions:
    ``action 'resolve' is not allowed in state 'received'; allowed: forward, confirm_payment, stop, cancel``.
    """

    def __init__(self, *, state: State | None, action: Action | str) -> None:
        self.state = state
        self.action = action
        self.allowed: tuple[Action, ...] = allowed_actions(state)
        allowed = ", ".join(self.allowed) if self.allowed else "none (the dossier is closed)"
        super().__init__(
            f"action '{action}' is not allowed in state '{_state_label(state)}'; allowed: {allowed}"
        )


class PermissionDenied(Exception):
    """None of the acting roles may perform the action (rules.md §3, "who")."""

    def __init__(self, *, action: Action, roles: Iterable[Role | str]) -> None:
        self.action = action
        self.roles: tuple[str, ...] = tuple(sorted({str(role) for role in roles}))
        self.allowed_roles: tuple[Role, ...] = tuple(
            role for role in Role if role in TRANSITIONS[action].roles
        )
        held = ", ".join(self.roles) if self.roles else "no role"
        super().__init__(
            f"action '{action}' may be performed only by: {', '.join(self.allowed_roles)} (acting as: {held})"
        )


class PayloadError(ValueError):
    """An invalid action input; ``field`` and ``value`` name it (missing reason, unknown reason code, ...)."""

    def __init__(self, message: str, *, field: str, value: object = None) -> None:
        super().__init__(message)
        self.field = field
        self.value = value


class ExtensionRefused(PayloadError, DeadlineError):
    """An extension (Form 04) that rules.md §2.2 does not allow, refused by :func:`apply`.

    Both a :class:`PayloadError` (so a service maps it like any invalid input) and a
    :class:`~motcua.domain.deadlines.DeadlineError` (what :func:`~motcua.domain.deadlines.check_extension`
    raises); ``field`` is ``extensions``, ``at``, ``new_appointment`` or ``due_at``.
    """


# -- inputs and output --------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class DossierSnapshot:
    """What :func:`apply` needs to know about a dossier (``state=None``: not submitted yet).

    ``due_at`` is the statutory due, used for timeliness (rules.md §2.3); ``appointment_at`` is the date
    promised to the citizen (= the due unless extended, rules.md §2.2).
    """

    state: State | None
    channel: str
    received_at: datetime | None = None
    due_at: datetime | None = None
    appointment_at: datetime | None = None
    extensions: int = 0
    supplement_requests: int = 0
    awaiting_payment_since: datetime | None = None
    last_event_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.state is not None:
            object.__setattr__(self, "state", State(self.state))
        if self.extensions < 0 or self.supplement_requests < 0:
            raise ValueError("extensions and supplement_requests must not be negative")


@dataclass(frozen=True, kw_only=True)
class ProcedureRules:
    """The deadline rules of the procedure version a dossier was received under (rules.md §1, §2.2)."""

    time_limit: TimeLimit
    online_time_limit: TimeLimit | None = None
    same_day_cutoff: time = DEFAULT_SAME_DAY_CUTOFF
    pause_for_payment: bool = False


@dataclass(frozen=True, kw_only=True)
class Decision:
    """The outcome of one action: everything the service copies onto the dossier and its event.

    ``previous_due_at`` is the due before this action when the action changed it (kept in the history,
    rules.md §2.2), else ``None``. ``ends`` is true when the dossier enters ``resolved`` or ``stopped`` (its
    end, rules.md §3); ``timeliness`` is then its classification (rules.md §2.3). ``payment_only`` marks a
    ``confirm_payment`` outside ``awaiting_payment``. ``calendar_version`` is set when a due was computed.
    """

    action: Action
    from_state: State | None
    to_state: State
    at: datetime
    due_at: datetime | None
    appointment_at: datetime | None
    previous_due_at: datetime | None
    received_at: datetime | None
    extensions: int
    supplement_requests: int
    awaiting_payment_since: datetime | None
    flags: tuple[str, ...]
    payload: Mapping[str, object]
    ends: bool
    payment_only: bool
    calendar_version: str | None
    timeliness: Timeliness | None = None

    @property
    def changes_state(self) -> bool:
        """Whether the action moved the dossier to another state."""
        return self.from_state != self.to_state

    @property
    def portal_status(self) -> int | None:
        """The national portal status code after the action (rules.md §3)."""
        reason = self.payload.get("reason_code")
        return portal_status(self.to_state, reason if isinstance(reason, str) else None)


# -- payload validation -------------------------------------------------------------------------------------


def _is_empty(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple, set, frozenset, dict)):
        return not value
    return False


def _text(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise PayloadError(f"{name} must be text, got {value!r}", field=name, value=value)
    return value.strip()


def _code_in(choices: frozenset[str], what: str) -> Callable[[str, object, WorkingCalendar], object]:
    def normalize(name: str, value: object, calendar: WorkingCalendar) -> object:
        code = _text(name, value)
        if code not in choices:
            raise PayloadError(
                f"{name} must be one of {', '.join(sorted(choices))} ({what}), got {value!r}",
                field=name,
                value=value,
            )
        return code

    return normalize


def _plain_text(name: str, value: object, calendar: WorkingCalendar) -> object:
    return _text(name, value)


def _assignee(name: str, value: object, calendar: WorkingCalendar) -> object:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise PayloadError(f"{name} must be a user id or username, got {value!r}", field=name, value=value)
    return value.strip() if isinstance(value, str) else value


def _amount(name: str, value: object, calendar: WorkingCalendar) -> object:
    """A fee amount in VND: a positive whole number (VND has no subunit)."""
    if isinstance(value, bool):
        raise PayloadError(f"{name} must be a whole number of VND, got {value!r}", field=name, value=value)
    try:
        number = Decimal(value.strip()) if isinstance(value, str) else Decimal(value)  # type: ignore[arg-type]
    except (InvalidOperation, TypeError, ValueError):
        raise PayloadError(
            f"{name} must be a whole number of VND, got {value!r}", field=name, value=value
        ) from None
    if not number.is_finite() or number != number.to_integral_value() or number <= 0:
        raise PayloadError(
            f"{name} must be a positive whole number of VND, got {value!r}", field=name, value=value
        )
    return int(number)


def _instant(name: str, value: object, calendar: WorkingCalendar) -> object:
    parsed: object = value
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            raise PayloadError(
                f"{name} must be an ISO 8601 instant, got {value!r}", field=name, value=value
            ) from None
    if not isinstance(parsed, datetime) or parsed.tzinfo is None or parsed.utcoffset() is None:
        raise PayloadError(f"{name} must be a timezone-aware instant, got {value!r}", field=name, value=value)
    return parsed.astimezone(calendar.zone)


_ACTION_FIELDS: Mapping[tuple[Action, str], Callable[[str, object, WorkingCalendar], object]] = (
    MappingProxyType(
        {
            (Action.RETURN_UNACCEPTED, "reason_code"): _code_in(RETURN_REASONS, "return reasons"),
            (Action.STOP, "reason_code"): _code_in(STOP_REASONS, "stop reasons"),
            (Action.DELIVER, "method"): _code_in(DELIVERY_METHODS, "delivery methods"),
        }
    )
)
_FIELDS: Mapping[str, Callable[[str, object, WorkingCalendar], object]] = MappingProxyType(
    {
        "reason": _plain_text,
        "result_code": _plain_text,
        "assignee": _assignee,
        "amount": _amount,
        "new_appointment": _instant,
    }
)


def _normalize_payload(
    action: Action, transition: Transition, payload: Mapping[str, object], calendar: WorkingCalendar
) -> Mapping[str, object]:
    normalized = dict(payload)
    for name in transition.required:
        value = normalized.get(name)
        if _is_empty(value):
            raise PayloadError(f"action '{action}' requires a non-empty '{name}'", field=name, value=value)
        normalize = _ACTION_FIELDS.get((action, name)) or _FIELDS.get(name, _plain_text)
        normalized[name] = normalize(name, value, calendar)
    return MappingProxyType(normalized)


# -- apply --------------------------------------------------------------------------------------------------


def _check_at(snapshot: DossierSnapshot, at: datetime) -> None:
    if not isinstance(at, datetime) or at.tzinfo is None or at.utcoffset() is None:
        raise PayloadError(f"at must be a timezone-aware instant, got {at!r}", field="at", value=at)
    if snapshot.last_event_at is not None and at < snapshot.last_event_at:
        raise PayloadError(
            f"times going backwards: at={at.isoformat()} is before the last event at "
            f"{snapshot.last_event_at.astimezone(at.tzinfo).isoformat()}",
            field="at",
            value=at,
        )


def apply(
    snapshot: DossierSnapshot,
    action: Action,
    *,
    at: datetime,
    rules: ProcedureRules,
    calendar: WorkingCalendar,
    payload: Mapping[str, object] | None = None,
    roles: Iterable[Role] | None = None,
) -> Decision:
    """Decide the outcome of ``action`` on the dossier ``snapshot`` at instant ``at`` (rules.md §3, §2.2).

    Checks, in this order: the state allows the action (:class:`TransitionError`); one of ``roles`` may
    perform it, when roles are given (:class:`PermissionDenied`); ``at`` is aware and not before the last
    event (:class:`PayloadError`, field ``at``); the payload holds the required fields with valid values
    (:class:`PayloadError`). Then the effects:

    - ``accept``: ``received_at = at``; the due from :func:`compute_due` with the limit for the channel;
      the appointment is the due.
    - ``request_supplement``: counts the request; flags one made more than 3 working days after receipt
      (``late_supplement_request``) and a second or later one (``repeat_supplement_request``) (§2.2).
    - ``supply_supplement``: restarts the clock: a new due from ``at`` with the full limit; the earlier due
      is kept as ``previous_due_at``; the appointment is the new due (§2.2).
    - ``extend``: at most once, at least one working day before the due, to a later appointment; the
      statutory due is unchanged (§2.2, :func:`~motcua.domain.deadlines.check_extension`).
    - ``request_payment`` / ``confirm_payment``: start and stop the wait; with ``pause_for_payment`` the
      working time spent waiting is added to the due, and to the appointment unless an extension set it.
    - entering ``resolved`` or ``stopped`` ends the dossier: ``ends`` and ``timeliness`` (§2.3).

    Pure: it never reads the clock.
    """
    try:
        action = Action(action)
    except ValueError:
        raise TransitionError(state=snapshot.state, action=action) from None
    transition = TRANSITIONS[action]
    state = snapshot.state
    if state not in transition.sources:
        raise TransitionError(state=state, action=action)
    if roles is not None:
        held = tuple(roles)
        if not _roles(held) & transition.roles:
            raise PermissionDenied(action=action, roles=held)
    _check_at(snapshot, at)
    clean = _normalize_payload(action, transition, payload or {}, calendar)

    at_local = at.astimezone(calendar.zone)
    to_state = transition.target_from(state)
    if to_state is None:  # pragma: no cover - only submit starts from no state, and it has a target
        raise TransitionError(state=state, action=action)
    received_at = snapshot.received_at
    due_at = snapshot.due_at
    appointment_at = snapshot.appointment_at
    previous_due_at: datetime | None = None
    extensions = snapshot.extensions
    supplement_requests = snapshot.supplement_requests
    awaiting_since = snapshot.awaiting_payment_since if to_state is State.AWAITING_PAYMENT else None
    flags: list[str] = []
    calendar_version: str | None = None
    payment_only = False

    def limit() -> TimeLimit:
        return choose_limit(
            limit=rules.time_limit, online_limit=rules.online_time_limit, channel=snapshot.channel
        )

    if action is Action.ACCEPT:
        received_at = at_local
        due_at = compute_due(
            calendar=calendar, received_at=at, limit=limit(), same_day_cutoff=rules.same_day_cutoff
        )
        appointment_at = due_at
        calendar_version = calendar.version
    elif action is Action.REQUEST_SUPPLEMENT:
        supplement_requests += 1
        late_after = LATE_SUPPLEMENT_WORKING_DAYS * calendar.day_length
        if received_at is not None and calendar.working_time_between(received_at, at) > late_after:
            flags.append(LATE_SUPPLEMENT_FLAG)
        if snapshot.supplement_requests >= 1:
            flags.append(REPEAT_SUPPLEMENT_FLAG)
    elif action is Action.SUPPLY_SUPPLEMENT:
        previous_due_at = snapshot.due_at
        due_at = compute_due(
            calendar=calendar, received_at=at, limit=limit(), same_day_cutoff=rules.same_day_cutoff
        )
        appointment_at = due_at
        calendar_version = calendar.version
    elif action is Action.EXTEND:
        if snapshot.due_at is None:
            raise ExtensionRefused("the dossier has no due date to extend", field="due_at", value=None)
        new_appointment = clean["new_appointment"]
        if not isinstance(new_appointment, datetime):  # pragma: no cover - _instant guarantees it
            raise PayloadError(
                "new_appointment must be an instant", field="new_appointment", value=new_appointment
            )
        try:
            check_extension(
                calendar=calendar,
                at=at,
                due_at=snapshot.due_at,
                new_appointment=new_appointment,
                extensions_so_far=snapshot.extensions,
            )
        except DeadlineError as error:
            field = error.field or "new_appointment"
            raise ExtensionRefused(str(error), field=field, value=error.value) from error
        appointment_at = new_appointment
        extensions += 1
    elif action is Action.REQUEST_PAYMENT:
        awaiting_since = at_local
    elif action is Action.CONFIRM_PAYMENT:
        payment_only = state in transition.same_state_from
        waiting_from = snapshot.awaiting_payment_since
        if not payment_only and rules.pause_for_payment and waiting_from is not None and due_at is not None:
            new_due = paused_due(
                calendar=calendar, due_at=due_at, waiting_from=waiting_from, waiting_until=at
            )
            calendar_version = calendar.version
            if new_due != due_at:
                previous_due_at = due_at
                if appointment_at is None or appointment_at == due_at:
                    appointment_at = new_due
                due_at = new_due

    ends = to_state in ENDING_STATES and to_state != state
    timeliness = None
    if ends and due_at is not None:
        timeliness = classify_ended(ended_at=at, due_at=due_at, tz=calendar.tz)

    return Decision(
        action=action,
        from_state=state,
        to_state=to_state,
        at=at_local,
        due_at=due_at,
        appointment_at=appointment_at,
        previous_due_at=previous_due_at,
        received_at=received_at,
        extensions=extensions,
        supplement_requests=supplement_requests,
        awaiting_payment_since=awaiting_since,
        flags=tuple(flags),
        payload=clean,
        ends=ends,
        payment_only=payment_only,
        calendar_version=calendar_version,
        timeliness=timeliness,
    )


def replay_due(
    *,
    events: Sequence[tuple[Action, datetime]],
    channel: str,
    rules: ProcedureRules,
    calendar: WorkingCalendar,
) -> datetime | None:
    """The statutory due of a dossier recomputed from its clock events on ``calendar`` (rules.md §2.2).

    Used for the audited recompute after a calendar change: the clock starts at ``accept``, restarts at each
    ``supply_supplement``, and (with ``pause_for_payment``) moves by the working time between each
    ``request_payment`` and the ``confirm_payment`` that follows. Extensions never move the statutory due.
    Returns ``None`` for a dossier that was never accepted.
    """
    limit = choose_limit(limit=rules.time_limit, online_limit=rules.online_time_limit, channel=channel)
    due: datetime | None = None
    waiting_since: datetime | None = None
    for action, at in events:
        if action in (Action.ACCEPT, Action.SUPPLY_SUPPLEMENT):
            due = compute_due(calendar=calendar, received_at=at, limit=limit, same_day_cutoff=rules.same_day_cutoff)
        elif action is Action.REQUEST_PAYMENT:
            waiting_since = at
        elif action is Action.CONFIRM_PAYMENT and waiting_since is not None:
            if rules.pause_for_payment and due is not None:
                due = paused_due(calendar=calendar, due_at=due, waiting_from=waiting_since, waiting_until=at)
            waiting_since = None
    return due
