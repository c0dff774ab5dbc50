"""Reads of the feedback module: petitions of a unit (all, overdue, near due), the public lookups by code and
secret, rating and petition figures for the statistics page, published documents. Nothing here writes."""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from motcua.catalogue.models import Unit
from motcua.catalogue.selectors import unit_calendar
from motcua.core.personal import mask_contact as core_mask_contact
from motcua.feedback.models import (
    DocumentCategory,
    Petition,
    PetitionEvent,
    PetitionStatus,
    PublishedDocument,
    RatingLevel,
    SatisfactionRating,
)
from motcua.feedback.questions import QUESTIONS
from motcua.reports.periodic import rate

__all__ = [
    "NEAR_DUE_WORKING_DAYS",
    "PetitionFigures",
    "RatingFigures",
    "mask_contact",
    "normalize_secret",
    "petition_events",
    "petition_figures",
    "petition_lookup",
    "petitions_for_unit",
    "petitions_near_due",
    "petitions_overdue",
    "published_answers",
    "published_documents",
    "rating_figures",
    "secret_matches",
]

NEAR_DUE_WORKING_DAYS = 3
"""A petition is "near due" when its handling due falls within this many working days."""

_DUMMY_SECRET = "XXXXXXXX"  # noqa: S105 - compared when no row matched, so a miss costs what a hit costs


def normalize_secret(value: str) -> str:
    """What a citizen typed, as stored: upper case, without spaces or dashes."""
    return "".join(value.split()).replace("-", "").upper()


def secret_matches(stored: str | None, given: str) -> bool:
    """Constant-time comparison of a secret (``stored`` ``None`` when no record matched the code)."""
    expected = stored if stored is not None else _DUMMY_SECRET
    ok = hmac.compare_digest(expected.encode(), normalize_secret(given).encode())
    return ok and stored is not None


def mask_contact(value: str) -> str:
    """A contact as lists show it: ``0912345678`` → ``*******678``, ``an@mail.vn`` → ``a***@mail.vn`` (the
    shared rule, :func:`motcua.core.personal.mask_contact`)."""
    return core_mask_contact(value)


# -- petitions ----------------------------------------------------------------------------------------------


def petitions_for_unit(unit: Unit, *, status: str | None = None) -> QuerySet[Petition]:
    """The petitions sent to ``unit`` (or to the communes of a province), newest first."""
    qs = Petition.objects.select_related("unit", "dossier")
    qs = (
        qs.filter(Q(unit=unit) | Q(unit__parent=unit))
        if unit.kind == Unit.Kind.PROVINCE
        else qs.filter(unit=unit)
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-submitted_at", "-id")


def _start_of_local_day(unit: Unit, at: datetime) -> datetime:
    calendar = unit_calendar(unit)
    return datetime.combine(calendar.local_date(at), time.min, tzinfo=calendar.zone)


def petitions_overdue(unit: Unit, *, at: datetime | None = None) -> QuerySet[Petition]:
    """Open petitions whose handling due date is before the local date of ``at`` (default now), most late
    first. (A due on date D is overdue from the start of D + 1, as rules §2.3 judges dossiers.)"""
    at = at or timezone.now()
    return (
        petitions_for_unit(unit)
        .filter(
            status__in=(PetitionStatus.RECEIVED, PetitionStatus.IN_PROGRESS),
            handling_due__lt=_start_of_local_day(unit, at),
        )
        .order_by("handling_due", "id")
    )


def petitions_near_due(
    unit: Unit, *, at: datetime | None = None, working_days: int = NEAR_DUE_WORKING_DAYS
) -> QuerySet[Petition]:
    """Open petitions not overdue whose handling due is within ``working_days`` working days of ``at``."""
    at = at or timezone.now()
    horizon = unit_calendar(unit).add_working_days(at, working_days)
    return (
        petitions_for_unit(unit)
        .filter(
            status__in=(PetitionStatus.RECEIVED, PetitionStatus.IN_PROGRESS),
            handling_due__gte=_start_of_local_day(unit, at),
            handling_due__lte=horizon,
        )
        .order_by("handling_due", "id")
    )


def petition_lookup(code: str, secret: str) -> Petition | None:
    """The petition with this code if ``secret`` is its secret (constant-time), else ``None``."""
    petition = Petition.objects.select_related("unit").filter(code=code.strip().upper()).first()
    if not secret_matches(petition.secret if petition else None, secret):
        return None
    return petition


def petition_events(petition: Petition) -> QuerySet[PetitionEvent]:
    return petition.events.order_by("seq")


def published_answers(unit: Unit | None = None, *, limit: int = 20) -> QuerySet[Petition]:
    """Answered petitions whose answer a handler chose to publish, newest first."""
    qs = Petition.objects.select_related("unit").filter(
        status=PetitionStatus.ANSWERED, answer_published_at__isnull=False
    )
    if unit is not None:
        qs = qs.filter(unit=unit)
    return qs.order_by("-answer_published_at")[:limit]


@dataclass(frozen=True)
class PetitionFigures:
    """Decision 766 indicators 5.1 (by kind) and 5.2 (closed on time) for a period."""

    received: int
    by_kind: dict[str, int]
    closed: int
    closed_on_time: int
    on_time_rate: float
    open_overdue: int


def _period_bounds(unit: Unit, date_from: date, date_to: date) -> tuple[datetime, datetime]:
    zone = unit_calendar(unit).zone
    return (
        datetime.combine(date_from, time.min, tzinfo=zone),
        datetime.combine(date_to, time.max, tzinfo=zone),
    )


def petition_figures(unit: Unit, date_from: date, date_to: date) -> PetitionFigures:
    """Petitions received in the period (by kind), closed in it (and of those on time), and open ones overdue
    at the end of the period."""
    start, end = _period_bounds(unit, date_from, date_to)
    qs = petitions_for_unit(unit)
    by_kind = dict(
        qs.filter(submitted_at__gte=start, submitted_at__lte=end)
        .values_list("kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    closed = qs.filter(answered_at__gte=start, answered_at__lte=end).aggregate(
        n=Count("pk"), ok=Count("pk", filter=Q(on_time=True))
    )
    last_day_start = datetime.combine(date_to, time.min, tzinfo=start.tzinfo)
    open_overdue = (
        qs.filter(submitted_at__lte=end, handling_due__lt=last_day_start)
        .filter(Q(answered_at__isnull=True) | Q(answered_at__gt=end))
        .count()
    )
    return PetitionFigures(
        received=sum(by_kind.values()),
        by_kind=by_kind,
        closed=closed["n"],
        closed_on_time=closed["ok"],
        on_time_rate=rate(closed["ok"], closed["n"]),
        open_overdue=open_overdue,
    )


# -- ratings ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RatingFigures:
    """Ratings given in a period for dossiers counted by a unit (its report unit, rules §4)."""

    total: int
    by_level: dict[str, int]
    satisfied: int
    """``very_satisfied`` + ``satisfied``."""
    satisfied_rate: float
    questions: list[dict[str, object]] = field(default_factory=list)
    """Per question: key, text, answered, and per choice its count; ``score``: mean points (2 / 1 / 0)."""


def rating_figures(unit: Unit, date_from: date, date_to: date) -> RatingFigures:
    start, end = _period_bounds(unit, date_from, date_to)
    scope = (
        Q(dossier__fact__province=unit)
        if unit.kind == Unit.Kind.PROVINCE
        else Q(dossier__fact__report_unit=unit)
    )
    ratings = SatisfactionRating.objects.filter(scope, created_at__gte=start, created_at__lte=end)
    by_level = {level: 0 for level in RatingLevel.values}
    by_level.update(dict(ratings.values_list("level").annotate(n=Count("pk")).order_by()))
    total = sum(by_level.values())
    satisfied = by_level[RatingLevel.VERY_SATISFIED] + by_level[RatingLevel.SATISFIED]
    counts: dict[str, dict[str, int]] = {q.key: {c.value: 0 for c in q.choices} for q in QUESTIONS}
    for answers in ratings.values_list("answers", flat=True):
        for key, value in (answers or {}).items():
            if key in counts and value in counts[key]:
                counts[key][value] += 1
    questions: list[dict[str, object]] = []
    for q in QUESTIONS:
        answered = sum(counts[q.key].values())
        points = sum(c.points * counts[q.key][c.value] for c in q.choices)
        score = (Decimal(points) / answered).quantize(Decimal("0.1")) if answered else None
        questions.append(
            {
                "key": q.key,
                "text": q.text,
                "answered": answered,
                "score": score,
                "choices": [
                    {
                        "label": c.label,
                        "count": counts[q.key][c.value],
                        "rate": rate(counts[q.key][c.value], answered),
                    }
                    for c in q.choices
                ],
            }
        )
    return RatingFigures(
        total=total,
        by_level=by_level,
        satisfied=satisfied,
        satisfied_rate=rate(satisfied, total),
        questions=questions,
    )


# -- published documents -------------------------------------------------------------------------------------


def published_documents(unit: Unit) -> dict[str, list[PublishedDocument]]:
    """The unit's active published documents by category (:class:`DocumentCategory` order), newest first."""
    grouped: dict[str, list[PublishedDocument]] = {c: [] for c in DocumentCategory.values}
    for doc in PublishedDocument.objects.filter(unit=unit, active=True).order_by(
        "category", "-year", "-date", "-published_at", "-id"
    ):
        grouped[doc.category].append(doc)
    return grouped
