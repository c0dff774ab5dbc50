"""Reads of the evaluation pages: the Circular 01/2018 evaluation of a unit's officials and of the unit,
and the petitions a user may handle or see. Nothing here writes.

:func:`evaluation_report` gathers, for the dossiers that *ended* (resolved or stopped) in the period and count
for the unit (rules §4, ``DossierFact.report_unit``; a province: all its communes), in a fixed number of
queries whatever the number of dossiers:

- the stored facts (timeliness, statutory due date, channel) — 1 query;
- the events of those dossiers: who acted, in which role, when, and the supplement-request flags — 1 query;
- the citizens' ratings (level and answers) — 1 query; behaviour petitions about them — 1 query;
- the acting users' names — 1 query;
- for the unit's own indices: petitions handled in the period (:func:`motcua.feedback.selectors.
  petition_figures`), online dossiers, the procedures offered online — a few aggregate queries.

Then :mod:`motcua.domain.evaluation` scores each (official, dossier) case and each dossier for the unit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext

from motcua.accounts.models import RoleAssignment, User
from motcua.accounts.selectors import roles_in_unit, units_visible_to
from motcua.catalogue.models import Procedure, ProcedureVersion, Unit
from motcua.domain import evaluation as ev
from motcua.domain.lifecycle import LATE_SUPPLEMENT_FLAG, REPEAT_SUPPLEMENT_FLAG, Role
from motcua.dossiers.models import DossierEvent
from motcua.feedback.models import (
    Petition,
    PetitionKind,
    PetitionOutcome,
    PetitionStatus,
    RatingLevel,
    SatisfactionRating,
)
from motcua.feedback.questions import question
from motcua.feedback.selectors import petition_figures
from motcua.reports.models import DossierFact

__all__ = [
    "CONTACT_ROLES",
    "HANDLING_ROLES",
    "EvaluationReport",
    "OfficialRow",
    "UnitRow",
    "evaluation_report",
    "petition_handler",
    "petition_sees_contact",
    "petitions_visible_to",
    "unit_choices",
    "visible_unit",
]

HANDLING_ROLES: frozenset[Role] = frozenset({Role.APPROVER, Role.CLERK, Role.ADMIN})
"""Who may answer, refuse or transfer a unit's petitions on the staff pages."""
CONTACT_ROLES: frozenset[Role] = frozenset({Role.APPROVER, Role.CLERK, Role.ADMIN})
"""Who sees a petition sender's contact unmasked (personal data, Law 91/2025)."""

NOT_STEPS = frozenset({"deliver", "cancel", "recompute_due"})
"""Actions that are no step of the resolution: handing the result over (after the end), voiding a record and
the admin's recompute of a due date. A deliverer counts as an official of the dossier, without a step."""
NOT_HANDLING = frozenset({"cancel", "recompute_due"})
"""Actions that do not make the actor one of the dossier's officials."""
CONTACT_ACTIONS = frozenset({"request_supplement", "request_intake_supplement"})
"""Each one is a contact the applicant needs to complete the dossier (index 3)."""
VIOLATION_FLAGS = frozenset({LATE_SUPPLEMENT_FLAG, REPEAT_SUPPLEMENT_FLAG})
ONLINE_LEVELS = (ProcedureVersion.Online.PARTIAL, ProcedureVersion.Online.FULL)
RESOLVING_ROLES = (Role.APPROVER, Role.CLERK, Role.ADMIN, Role.SYSTEM)
"""Who issues a result (or stops a dossier) for the unit on the system (index 5)."""


# -- units -----------------------------------------------------------------------------------------------


def visible_unit(user: User, code: str) -> Unit | None:
    """The unit with ``code`` if ``user`` may see it (a role in it or in its province), else ``None``."""
    return units_visible_to(user).filter(code=code).first()


def unit_choices(user: User) -> list[Unit]:
    """The units a user may pick: provinces first, then communes, by name. A superuser: those where they hold
    a role and the units with dossiers (not every commune of the country)."""
    units = units_visible_to(user)
    if user.is_superuser:
        assigned = RoleAssignment.objects.filter(user=user).values("unit_id")
        with_facts = DossierFact.objects.values("report_unit_id")
        units = units.filter(Q(pk__in=assigned) | Q(parent_id__in=assigned) | Q(pk__in=with_facts)
                             | Q(kind=Unit.Kind.PROVINCE, children__pk__in=with_facts)).distinct()
    return sorted(units, key=lambda u: (u.kind != Unit.Kind.PROVINCE, u.name))


def default_unit(user: User) -> Unit | None:
    """The first unit where the user holds a role, else the first unit they may pick."""
    assignment = RoleAssignment.objects.filter(user=user).select_related("unit").order_by("id").first()
    if assignment is not None:
        return assignment.unit
    units = unit_choices(user)
    return units[0] if units else None


# -- petitions -------------------------------------------------------------------------------------------


def petitions_visible_to(user: User) -> QuerySet[Petition]:
    """The petitions sent to the units ``user`` may see, newest first."""
    return (Petition.objects.filter(unit__in=units_visible_to(user)).select_related("unit", "dossier")
            .order_by("-submitted_at", "-id"))


def petition_handler(user: User, unit: Unit) -> bool:
    """Whether ``user`` may answer, refuse or transfer petitions of ``unit`` on these pages."""
    return bool(roles_in_unit(user, unit) & HANDLING_ROLES)


def petition_sees_contact(user: User, unit: Unit) -> bool:
    return bool(roles_in_unit(user, unit) & CONTACT_ROLES)


# -- the evaluation --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfficialRow:
    """One official of the unit who acted on at least one of the dossiers evaluated."""

    user_id: int
    name: str
    username: str
    roles: tuple[str, ...]
    """The roles they acted in on these dossiers (``DossierEvent.actor_role``), in the Role order."""
    evaluation: ev.Evaluation
    ratings: int
    satisfied: int
    complaints: int
    """Dossiers of theirs with a counted behaviour petition (index 7 at 0)."""
    units: tuple[str, ...] = ()
    """For a province's evaluation: the names of the communes where they hold a role."""

    @property
    def dossiers(self) -> int:
        return self.evaluation.dossiers


@dataclass(frozen=True)
class UnitRow:
    unit: Unit
    evaluation: ev.Evaluation
    facts: ev.UnitFacts
    ratings: int
    satisfied: int
    details: Mapping[int, str] = field(default_factory=dict)
    """Per unit-only index, the figures behind its points (Vietnamese, for the page)."""


@dataclass(frozen=True)
class EvaluationReport:
    unit: Unit
    date_from: date
    date_to: date
    unit_row: UnitRow
    officials: list[OfficialRow]


@dataclass
class _Dossier:
    timeliness: ev.Timeliness
    due_on: date | None
    channel: str
    contacts: int = 0
    accepted: bool = False
    resolved_by_unit: bool = False
    answers: dict[str, int] = field(default_factory=dict)
    level: str = ""
    complaints: int = 0
    steps: dict[int, datetime] = field(default_factory=dict)
    """Per official: the instant of their last step."""
    officials: set[int] = field(default_factory=set)
    violations: set[int] = field(default_factory=set)


def fact_scope(unit: Unit) -> Q:
    return Q(province_id=unit.pk) if unit.kind == Unit.Kind.PROVINCE else Q(report_unit_id=unit.pk)


def _step_timeliness(at: datetime | None, due_on: date | None, zone: ZoneInfo) -> ev.Timeliness | None:
    if at is None:
        return None
    if due_on is None:
        return ev.Timeliness.BEFORE_DUE
    day = at.astimezone(zone).date()
    if day < due_on:
        return ev.Timeliness.BEFORE_DUE
    return ev.Timeliness.ON_TIME if day == due_on else ev.Timeliness.OVERDUE


def _answer_points(answers: Mapping[str, Any] | None) -> dict[str, int]:
    points: dict[str, int] = {}
    for key, value in (answers or {}).items():
        q = question(key)
        choice = q.choice(str(value)) if q is not None else None
        if choice is not None:
            points[key] = choice.points
    return points


def _dossiers(
    unit: Unit, date_from: date, date_to: date
) -> tuple[dict[int, _Dossier], QuerySet[DossierFact]]:
    facts = DossierFact.objects.filter(
        fact_scope(unit), ended_on__gte=date_from, ended_on__lte=date_to, cancelled_on__isnull=True,
    ).exclude(timeliness="")
    rows = {
        dossier_id: _Dossier(ev.Timeliness(timeliness), due_on, channel)
        for dossier_id, timeliness, due_on, channel in facts.values_list("dossier_id", "timeliness", "due_on",
                                                                          "channel")
    }
    return rows, facts


def _read_events(dossiers: dict[int, _Dossier], ids: Any) -> dict[int, set[str]]:
    """Fill each dossier's officials, steps, contacts and violations; return each official's roles."""
    roles: dict[int, set[str]] = defaultdict(set)
    events = (DossierEvent.objects.filter(dossier_id__in=ids)
              .values_list("dossier_id", "actor_id", "actor_role", "action", "at", "payload__flags"))
    for dossier_id, actor_id, actor_role, action, at, flags in events.iterator(chunk_size=5000):
        d = dossiers.get(dossier_id)
        if d is None or action in NOT_HANDLING:
            continue
        if action in CONTACT_ACTIONS:
            d.contacts += 1
        if action == "accept":
            d.accepted = True
        if action in ("resolve", "stop") and actor_role in RESOLVING_ROLES:
            d.resolved_by_unit = True
        if actor_id is None:
            continue
        d.officials.add(actor_id)
        if actor_role:
            roles[actor_id].add(actor_role)
        if action not in NOT_STEPS and (actor_id not in d.steps or at > d.steps[actor_id]):
            d.steps[actor_id] = at
        if action == "request_supplement" and VIOLATION_FLAGS & set(flags or ()):
            d.violations.add(actor_id)
    return roles


def _unit_facts(unit: Unit, date_from: date, date_to: date, dossiers: Mapping[int, _Dossier],
                publication: Sequence[int]) -> tuple[ev.UnitFacts, dict[int, str]]:
    petitions = petition_figures(unit, date_from, date_to)
    accepted = Q(accepted_on__gte=date_from, accepted_on__lte=date_to)
    ended_late = Q(ended_on__gte=date_from, ended_on__lte=date_to, timeliness="overdue")
    open_late = (Q(accepted_on__lte=date_to, due_on__lt=date_to, not_accepted="")
                 & (Q(ended_on__isnull=True) | Q(ended_on__gt=date_to)))
    counts = DossierFact.objects.filter(fact_scope(unit), cancelled_on__isnull=True).aggregate(
        n_accepted=Count("pk", filter=accepted),
        n_online=Count("pk", filter=accepted & Q(channel="online")),
        n_online_late=Count("pk", filter=Q(channel="online") & (ended_late | open_late)),
    )
    levels = list(Procedure.objects.filter(active=True, level=Procedure.Level.COMMUNE,
                                           current_version__isnull=False)
                  .values_list("current_version__online", flat=True))
    online_procedures = sum(1 for level in levels if level in ONLINE_LEVELS)
    facts = ev.UnitFacts(
        received_all=bool(dossiers) and all(d.accepted for d in dossiers.values()),
        resolved_all=bool(dossiers) and all(d.resolved_by_unit for d in dossiers.values()),
        publication_answers=tuple(publication),
        posted=None,
        electronic=True,  # the commune's public site lists every procedure (/thu-tuc/)
        petitions_closed=petitions.closed,
        petitions_on_time=petitions.closed_on_time,
        petitions_protracted=petitions.open_overdue,
        procedures=len(levels),
        online_procedures=online_procedures,
        dossiers=counts["n_accepted"],
        online_dossiers=counts["n_online"],
        online_late=counts["n_online_late"],
    )
    n = len(dossiers)
    received = sum(d.accepted for d in dossiers.values())
    resolved = sum(d.resolved_by_unit for d in dossiers.values())
    details = {
        5: gettext(
            "%(received)d/%(n)d hồ sơ tiếp nhận tại Bộ phận Một cửa, %(resolved)d/%(n)d do lãnh đạo, văn thư ban "
            "hành kết quả trên hệ thống"
        ) % {"received": received, "resolved": resolved, "n": n},
        6: (gettext("%(count)d ý kiến của người dân") % {"count": len(publication)} if publication
            else gettext("chưa có ý kiến của người dân; công khai điện tử trên cổng của xã")),
        8: gettext(
            "%(on_time)d/%(closed)d phản ánh xử lý đúng hạn; %(overdue)d phản ánh quá hạn chưa xử lý"
        ) % {"on_time": petitions.closed_on_time, "closed": petitions.closed, "overdue": petitions.open_overdue},
        9: gettext(
            "%(online_procedures)d/%(procedures)d thủ tục trực tuyến; "
            "%(online)d/%(accepted)d hồ sơ nộp trực tuyến; %(late)d hồ sơ trực tuyến quá hạn"
        ) % {
            "online_procedures": online_procedures,
            "procedures": len(levels),
            "online": counts["n_online"],
            "accepted": counts["n_accepted"],
            "late": counts["n_online_late"],
        },
    }
    return facts, details


def _ordered_roles(codes: Iterable[str]) -> tuple[str, ...]:
    order = {role.value: i for i, role in enumerate(Role)}
    return tuple(sorted(set(codes), key=lambda c: order.get(c, len(order))))


def evaluation_report(*, unit: Unit, date_from: date, date_to: date) -> EvaluationReport:
    """The Circular 01/2018 evaluation of ``unit`` and of its officials, for the dossiers that ended in
    [``date_from``, ``date_to``] (local dates)."""
    zone = ZoneInfo(unit.timezone)
    dossiers, facts = _dossiers(unit, date_from, date_to)
    ids = facts.values("dossier_id")
    roles = _read_events(dossiers, ids)
    for dossier_id, level, answers in SatisfactionRating.objects.filter(dossier_id__in=ids).values_list(
            "dossier_id", "level", "answers"):
        if dossier_id in dossiers:
            dossiers[dossier_id].level = level
            dossiers[dossier_id].answers = _answer_points(answers)
    complaints = (Petition.objects.filter(dossier_id__in=ids, kind=PetitionKind.BEHAVIOUR)
                  .exclude(status=PetitionStatus.REFUSED).exclude(outcome=PetitionOutcome.UNFOUNDED)
                  .values_list("dossier_id").annotate(n=Count("pk")).order_by())
    for dossier_id, n in complaints:
        if dossier_id in dossiers:
            dossiers[dossier_id].complaints = n

    satisfied_levels = (RatingLevel.VERY_SATISFIED, RatingLevel.SATISFIED)
    unit_cases: list[dict[int, int]] = []
    official_cases: dict[int, list[dict[int, int]]] = defaultdict(list)
    official_counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])  # ratings, satisfied, complaints
    publication: list[int] = []
    for d in dossiers.values():
        common = {"timeliness": d.timeliness, "contacts": d.contacts, "answers": d.answers,
                  "complaints": d.complaints}
        step_of = {uid: _step_timeliness(at, d.due_on, zone) for uid, at in d.steps.items()}
        unit_cases.append(ev.score_case(ev.CaseFacts(
            step=ev.worst(step_of.values()), step_violation=bool(d.violations), **common)))
        if "publication" in d.answers:
            publication.append(d.answers["publication"])
        for uid in d.officials:
            official_cases[uid].append(ev.score_case(ev.CaseFacts(
                step=step_of.get(uid), step_violation=uid in d.violations, **common)))
            counts = official_counts[uid]
            counts[0] += bool(d.level)
            counts[1] += d.level in satisfied_levels
            counts[2] += d.complaints > 0

    unit_facts, details = _unit_facts(unit, date_from, date_to, dossiers, publication)
    rated = [d.level for d in dossiers.values() if d.level]
    unit_row = UnitRow(unit, ev.evaluate_unit(unit_cases, unit_facts), unit_facts, len(rated),
                       sum(level in satisfied_levels for level in rated), details)
    names = {pk: (full_name or username, username) for pk, full_name, username in
             User.objects.filter(pk__in=list(official_cases)).values_list("pk", "full_name", "username")}
    units: dict[int, set[str]] = defaultdict(set)
    if unit.kind == Unit.Kind.PROVINCE:
        for uid, name in RoleAssignment.objects.filter(
                user_id__in=list(official_cases), unit__parent=unit).values_list("user_id", "unit__name"):
            units[uid].add(name)
    officials = [
        OfficialRow(uid, names.get(uid, (str(uid), ""))[0], names.get(uid, ("", ""))[1],
                    _ordered_roles(roles.get(uid, ())), ev.evaluate_official(cases), *official_counts[uid],
                    units=tuple(sorted(units[uid])))
        for uid, cases in official_cases.items()
    ]
    officials.sort(key=lambda r: (-(r.evaluation.total or Decimal(-1)), r.name.casefold(), r.user_id))
    return EvaluationReport(unit, date_from, date_to, unit_row, officials)
