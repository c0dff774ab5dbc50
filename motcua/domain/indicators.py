"""Decision 766/QĐ-TTg indicators: scoring the service-quality index (rules §5, domain-research §6).

An indicator compares a ratio (numerator / denominator, as a percent) with the threshold that gives full
marks::

    score = points × min(1, rate / threshold)

rounded half-up to 2 decimals. The rate shown is the percent rounded half-up to 2 decimals (276/332 → 83.13);
the score is computed from the *exact* ratio, so 415/711 at threshold 100 gives 6 × 0.58368… = 3.50.

Definitions (points, thresholds, formula ids) are data, versioned by the caller; this module only scores.
An indicator whose input does not exist (``None``) or whose denominator is 0 has status ``no_data``: it is
listed, scores nothing, and its points are left out of ``max_available``. An information-only indicator has
0 points (e.g. 2.2, the average resolution time, a :attr:`Measure.MEAN`).

Usage::

    board = evaluate([IndicatorDefinition("1.4", "CKMB", Decimal(6), Decimal(100), "portal_sync")],
                     {"portal_sync": IndicatorInput(415, 711)})
    board.indicator("1.4").score   # Decimal('3.50')
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Final

__all__ = [
    "FORMULA_VERSION",
    "TOTAL_POINTS",
    "DefinitionError",
    "GroupScore",
    "IndicatorDefinition",
    "IndicatorInput",
    "IndicatorResult",
    "Measure",
    "Scoreboard",
    "Status",
    "evaluate",
    "half_up",
    "score_indicator",
    "validate_definitions",
]

FORMULA_VERSION: Final = "766-2026.1"
"""The version of the scoring rule (stored with every score run)."""

TOTAL_POINTS: Final = Decimal(100)
"""The index is out of 100 points."""

_HUNDRED: Final = Fraction(100)
_ZERO: Final = Decimal("0.00")


class DefinitionError(ValueError):
    """A set of definitions that cannot be scored (duplicate codes, wrong group totals, a bad threshold)."""


class Status(enum.StrEnum):
    COMPUTED = "computed"
    NO_DATA = "no_data"
    NOT_APPLICABLE = "not_applicable"


class Measure(enum.StrEnum):
    PERCENT = "percent"
    """rate = 100 × numerator / denominator, scored against the threshold."""
    MEAN = "mean"
    """rate = numerator / denominator (e.g. days per dossier); information only, 0 points."""


@dataclass(frozen=True)
class IndicatorDefinition:
    code: str
    group: str
    points: Decimal
    threshold: Decimal | None
    """The rate (percent) that gives full marks; 100 = linear. ``None`` only for a :attr:`Measure.MEAN`."""
    formula: str
    """The id of the formula that produces the input (several definitions may share one)."""
    measure: Measure = Measure.PERCENT


@dataclass(frozen=True)
class IndicatorInput:
    numerator: Decimal | int
    denominator: int
    applicable: bool = True
    """``False``: the indicator does not apply to the unit (status ``not_applicable``)."""

    @classmethod
    def not_applicable(cls) -> IndicatorInput:
        return cls(0, 0, applicable=False)


@dataclass(frozen=True)
class IndicatorResult:
    definition: IndicatorDefinition
    status: Status
    numerator: Decimal | int | None
    denominator: int | None
    rate: Decimal | None
    """Percent (or mean) rounded half-up to 2 decimals; ``None`` without data."""
    score: Decimal | None
    """Points earned, 2 decimals; ``None`` unless computed."""

    @property
    def code(self) -> str:
        return self.definition.code

    @property
    def available(self) -> Decimal:
        """The points this indicator can earn with the data at hand (0 unless computed)."""
        return self.definition.points if self.status is Status.COMPUTED else Decimal(0)


@dataclass(frozen=True)
class GroupScore:
    group: str
    points: Decimal
    """The group's maximum: the sum of its definitions' points."""
    max_available: Decimal
    """The points of its computed indicators."""
    score: Decimal
    """The sum of its indicators' (rounded) scores."""


@dataclass(frozen=True)
class Scoreboard:
    indicators: tuple[IndicatorResult, ...]
    groups: tuple[GroupScore, ...]
    total: Decimal
    """Points earned: the sum of the group scores (≤ ``max_available`` ≤ ``max_possible``)."""
    max_available: Decimal
    """The points of the indicators that could be computed."""
    max_possible: Decimal
    """The points of every definition (100 for a complete set)."""

    def indicator(self, code: str) -> IndicatorResult:
        for result in self.indicators:
            if result.code == code:
                return result
        raise KeyError(code)


def half_up(value: Fraction) -> Decimal:
    """``value`` rounded half-up (away from zero) to 2 decimals, exactly (no binary or context rounding)."""
    magnitude = abs(value) * 100
    cents = math.floor(magnitude + Fraction(1, 2))
    rounded = Decimal(cents).scaleb(-2)
    return -rounded if value < 0 else rounded


def score_indicator(definition: IndicatorDefinition, given: IndicatorInput | None) -> IndicatorResult:
    """One indicator's status, rate and score (rules §5)."""
    if given is None:
        return IndicatorResult(definition, Status.NO_DATA, None, None, None, None)
    if not given.applicable:
        return IndicatorResult(definition, Status.NOT_APPLICABLE, None, None, None, None)
    if given.denominator < 0 or given.numerator < 0:
        raise ValueError(f"{definition.code}: negative input {given.numerator}/{given.denominator}")
    if given.denominator == 0:
        return IndicatorResult(definition, Status.NO_DATA, given.numerator, 0, None, None)
    ratio = Fraction(given.numerator) / given.denominator
    if definition.measure is Measure.MEAN:
        return IndicatorResult(
            definition, Status.COMPUTED, given.numerator, given.denominator, half_up(ratio), _ZERO
        )
    if definition.threshold is None or definition.threshold <= 0:
        raise DefinitionError(f"{definition.code}: a percent indicator needs a threshold > 0")
    percent = ratio * _HUNDRED
    share = min(Fraction(1), percent / Fraction(definition.threshold))
    return IndicatorResult(
        definition,
        Status.COMPUTED,
        given.numerator,
        given.denominator,
        half_up(percent),
        half_up(Fraction(definition.points) * share),
    )


def evaluate(
    definitions: Sequence[IndicatorDefinition], inputs: Mapping[str, IndicatorInput | None]
) -> Scoreboard:
    """Score every definition from ``inputs`` (keyed by formula id; a missing key is ``no_data``).

    Groups come in the order of their first definition; group scores are sums of the rounded indicator
    scores, and the total is the sum of the group scores, so the figures shown always add up.
    """
    codes = [d.code for d in definitions]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise DefinitionError(f"duplicate indicator codes: {', '.join(duplicates)}")
    results = tuple(score_indicator(d, inputs.get(d.formula)) for d in definitions)
    order: list[str] = []
    for d in definitions:
        if d.group not in order:
            order.append(d.group)
    groups = []
    for group in order:
        members = [r for r in results if r.definition.group == group]
        groups.append(
            GroupScore(
                group=group,
                points=sum((r.definition.points for r in members), Decimal(0)),
                max_available=sum((r.available for r in members), Decimal(0)),
                score=sum((r.score for r in members if r.score is not None), _ZERO),
            )
        )
    return Scoreboard(
        indicators=results,
        groups=tuple(groups),
        total=sum((g.score for g in groups), _ZERO),
        max_available=sum((g.max_available for g in groups), Decimal(0)),
        max_possible=sum((g.points for g in groups), Decimal(0)),
    )


def validate_definitions(
    definitions: Sequence[IndicatorDefinition],
    *,
    group_points: Mapping[str, Decimal] | None = None,
    total: Decimal = TOTAL_POINTS,
) -> list[str]:
    """The problems of a definition set, one line each (empty = scorable).

    Checks: unique codes; points ≥ 0; a percent indicator's threshold in (0, 100]; a mean is information
    only (0 points); and, when ``group_points`` is given, each group's definitions add up to its points, every
    definition's group is declared, and the groups add up to ``total``.
    """
    problems: list[str] = []
    seen: set[str] = set()
    for d in definitions:
        if d.code in seen:
            problems.append(f"{d.code}: duplicate code")
        seen.add(d.code)
        if d.points < 0:
            problems.append(f"{d.code}: points must be ≥ 0 (got {d.points})")
        if d.measure is Measure.PERCENT and (d.threshold is None or not 0 < d.threshold <= 100):
            problems.append(f"{d.code}: threshold must be a percent in (0, 100] (got {d.threshold})")
        if d.measure is Measure.MEAN and d.points != 0:
            problems.append(f"{d.code}: a mean is information only and must have 0 points (got {d.points})")
    if group_points is None:
        return problems
    for d in definitions:
        if d.group not in group_points:
            problems.append(f"{d.code}: group {d.group!r} is not declared")
    for group, points in group_points.items():
        got = sum((d.points for d in definitions if d.group == group), Decimal(0))
        if got != points:
            problems.append(f"group {group}: its indicators add up to {got}, not {points}")
    declared = sum(group_points.values(), Decimal(0))
    if declared != total:
        problems.append(f"the groups add up to {declared}, not {total}")
    return problems
