"""Circular 01/2018 evaluation: the index table, one dossier's points, aggregation, grades (no Django)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from motcua.domain.evaluation import (
    INDEX,
    INDICES,
    OFFICIAL_BANDS,
    OFFICIAL_INDICES,
    UNIT_BANDS,
    UNIT_ONLY_INDICES,
    CaseFacts,
    Scope,
    Timeliness,
    UnitFacts,
    evaluate_official,
    evaluate_unit,
    grade,
    index_score,
    quarter_bounds,
    quarter_of,
    score_case,
    score_one_stop,
    score_online,
    score_petitions,
    score_publication,
    total,
    worst,
)

EARLY, ON, LATE = Timeliness.BEFORE_DUE, Timeliness.ON_TIME, Timeliness.OVERDUE


def test_nine_indices_with_their_levels_and_scopes() -> None:
    assert [i.number for i in INDICES] == list(range(1, 10))
    assert OFFICIAL_INDICES == (1, 2, 3, 4, 7)
    assert UNIT_ONLY_INDICES == (5, 6, 8, 9)
    for index in INDICES:
        assert index.name
        assert index.two
        assert index.one
        assert index.zero
        assert index.data
        assert index.confidence in {"V", "S", "U"}
        assert "01/2018" in index.source
    assert INDEX[7].scope is Scope.OFFICIAL
    assert INDEX[8].scope is Scope.UNIT


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        # a clean dossier resolved early: full marks
        (CaseFacts(timeliness=EARLY, step=EARLY), {1: 2, 2: 2, 3: 2, 4: 2, 7: 2}),
        # resolved on the due date
        (CaseFacts(timeliness=ON, step=ON), {1: 1, 2: 1, 3: 2, 4: 2, 7: 1}),
        # late overall, but this official's own step was early
        (CaseFacts(timeliness=LATE, step=EARLY), {1: 0, 2: 2, 3: 2, 4: 2, 7: 0}),
        # the official did nothing before the end (only handed the result over)
        (CaseFacts(timeliness=ON, step=None), {1: 1, 2: 2, 3: 2, 4: 2, 7: 1}),
        # one supplement request: one contact, the one-stop desk
        (CaseFacts(timeliness=EARLY, step=EARLY, contacts=1), {1: 2, 2: 2, 3: 1, 4: 1, 7: 2}),
        # two requests: more than one contact; the official who asked again has index 2 at 0
        (CaseFacts(timeliness=EARLY, step=EARLY, contacts=2, step_violation=True),
         {1: 2, 2: 0, 3: 0, 4: 1, 7: 2}),
        # a petition about behaviour on the dossier
        (CaseFacts(timeliness=EARLY, step=EARLY, complaints=1), {1: 2, 2: 2, 3: 2, 4: 2, 7: 0}),
        # the citizen's answers cap 3, 4 and 7 (never raise them)
        (CaseFacts(timeliness=EARLY, step=EARLY, answers={"contacts": 1, "bodies": 0, "attitude": 1}),
         {1: 2, 2: 2, 3: 1, 4: 0, 7: 1}),
        (CaseFacts(timeliness=ON, step=ON, contacts=2, answers={"contacts": 2, "attitude": 2, "time": 0}),
         {1: 1, 2: 1, 3: 0, 4: 1, 7: 1}),
    ],
)
def test_score_case(facts: CaseFacts, expected: dict[int, int]) -> None:
    assert score_case(facts) == expected


def test_worst_timeliness() -> None:
    assert worst([EARLY, None, ON]) is ON
    assert worst([EARLY, LATE, ON]) is LATE
    assert worst([None, None]) is None


@pytest.mark.parametrize(
    ("points", "expected"),
    [
        ([], None),
        ([2], Decimal("2.0")),
        ([2, 1, 1], Decimal("1.3")),  # 1.333…
        ([2, 2, 1], Decimal("1.7")),  # 1.666…
        ([1, 2, 2, 2], Decimal("1.8")),  # 1.75 → half-up
        ([0, 0, 1, 0], Decimal("0.3")),  # 0.25 → half-up
    ],
)
def test_index_score_is_the_mean_rounded_half_up_to_one_decimal(points: list[int], expected: Decimal) -> None:
    assert index_score(points) == expected


@pytest.mark.parametrize(
    ("value", "bands", "code"),
    [
        (Decimal(10), OFFICIAL_BANDS, "full"),
        (Decimal(5), OFFICIAL_BANDS, "full"),
        (Decimal("4.9"), OFFICIAL_BANDS, "partial"),
        (Decimal("3.5"), OFFICIAL_BANDS, "partial"),
        (Decimal("3.4"), OFFICIAL_BANDS, "low"),
        (Decimal(0), OFFICIAL_BANDS, "low"),
        (Decimal(18), UNIT_BANDS, "excellent"),
        (Decimal(15), UNIT_BANDS, "excellent"),
        (Decimal("14.9"), UNIT_BANDS, "good"),
        (Decimal(12), UNIT_BANDS, "good"),
        (Decimal("11.9"), UNIT_BANDS, "fair"),
        (Decimal(9), UNIT_BANDS, "fair"),
        (Decimal("8.9"), UNIT_BANDS, "average"),
        (Decimal(6), UNIT_BANDS, "average"),
        (Decimal("5.9"), UNIT_BANDS, "weak"),
    ],
)
def test_grade_bands(value: Decimal, bands: tuple, code: str) -> None:  # type: ignore[type-arg]
    band = grade(value, bands)
    assert band is not None
    assert band.code == code


def test_no_total_no_grade() -> None:
    assert grade(None, UNIT_BANDS) is None
    assert total({1: Decimal(2), 2: None}) is None
    assert total({1: Decimal("1.3"), 2: Decimal("1.7")}) == Decimal("3.0")


@pytest.mark.parametrize(
    ("received", "resolved", "points"),
    [(True, True, 2), (True, False, 1), (False, False, 0), (False, True, 0)],
)
def test_index5_one_stop(received: bool, resolved: bool, points: int) -> None:
    assert score_one_stop(received_all=received, resolved_all=resolved) == points


@pytest.mark.parametrize(
    ("posted", "electronic", "points"), [(True, True, 2), (None, True, 1), (True, False, 1), (None, None, 0)]
)
def test_index6_publication(posted: bool | None, electronic: bool | None, points: int) -> None:
    assert score_publication(posted=posted, electronic=electronic) == points


@pytest.mark.parametrize(
    ("closed", "on_time", "protracted", "points"),
    [
        (0, 0, 0, 2),  # no petition at all
        (10, 10, 0, 2),
        (10, 9, 0, 1),  # 90%
        (10, 8, 0, 0),
        (10, 10, 1, 0),  # a protracted (open, overdue) petition
        (0, 0, 1, 0),
    ],
)
def test_index8_petitions(closed: int, on_time: int, protracted: int, points: int) -> None:
    assert score_petitions(closed=closed, closed_on_time=on_time, protracted=protracted) == points


@pytest.mark.parametrize(
    ("procedures", "online_procedures", "dossiers", "online_dossiers", "late", "points"),
    [
        (10, 2, 100, 30, 0, 2),  # 20% procedures, 30% dossiers
        (10, 1, 100, 30, 0, 1),  # only 10% of procedures online
        (10, 5, 100, 29, 0, 1),  # 29% dossiers
        (10, 5, 100, 15, 0, 1),
        (10, 5, 100, 14, 0, 0),
        (10, 5, 100, 60, 1, 0),  # an online dossier late
        (10, 0, 100, 60, 0, 0),  # no procedure online
        (10, 5, 0, 0, 0, 0),  # no dossier: 0% online
    ],
)
def test_index9_online(
    procedures: int, online_procedures: int, dossiers: int, online_dossiers: int, late: int, points: int
) -> None:
    assert score_online(procedures=procedures, online_procedures=online_procedures, dossiers=dossiers,
                        online_dossiers=online_dossiers, online_late=late) == points


def test_official_evaluation_sums_the_rounded_index_means() -> None:
    cases = [
        score_case(CaseFacts(timeliness=EARLY, step=EARLY)),  # 2 2 2 2 2
        score_case(CaseFacts(timeliness=ON, step=EARLY, contacts=1)),  # 1 2 1 1 1
        score_case(CaseFacts(timeliness=LATE, step=LATE, contacts=2, step_violation=True)),  # 0 0 0 1 0
    ]
    result = evaluate_official(cases)
    assert result.scores == {1: Decimal("1.0"), 2: Decimal("1.3"), 3: Decimal("1.0"), 4: Decimal("1.3"),
                             7: Decimal("1.0")}
    assert result.total == Decimal("5.6")
    assert result.band is not None
    assert result.band.code == "full"
    assert result.dossiers == 3


def test_official_without_dossiers_is_not_graded() -> None:
    result = evaluate_official([])
    assert result.total is None
    assert result.band is None
    assert result.dossiers == 0


def test_unit_evaluation_over_nine_indices() -> None:
    cases = [score_case(CaseFacts(timeliness=EARLY, step=EARLY)),
             score_case(CaseFacts(timeliness=ON, step=ON))]
    facts = UnitFacts(publication_answers=(2, 1), petitions_closed=10, petitions_on_time=9, procedures=10,
                      online_procedures=3, dossiers=2, online_dossiers=1)
    result = evaluate_unit(cases, facts)
    assert list(result.scores) == list(range(1, 10))
    assert result.scores == {1: Decimal("1.5"), 2: Decimal("1.5"), 3: Decimal("2.0"), 4: Decimal("2.0"),
                             5: Decimal(2), 6: Decimal("1.5"), 7: Decimal("1.5"), 8: Decimal(1),
                             9: Decimal(2)}
    assert result.total == Decimal("15.0")
    assert result.band is not None
    assert result.band.code == "excellent"


def test_unit_publication_without_answers_uses_what_is_known() -> None:
    result = evaluate_unit([score_case(CaseFacts(timeliness=EARLY))], UnitFacts(electronic=True))
    assert result.scores[6] == Decimal(1)


def test_unit_without_dossiers_has_no_grade() -> None:
    result = evaluate_unit([], UnitFacts())
    assert result.scores[1] is None
    assert result.scores[8] == Decimal(2)
    assert result.total is None
    assert result.band is None


@pytest.mark.parametrize(
    ("day", "quarter", "bounds"),
    [
        (date(2026, 1, 1), (2026, 1), (date(2026, 1, 1), date(2026, 3, 31))),
        (date(2026, 6, 30), (2026, 2), (date(2026, 4, 1), date(2026, 6, 30))),
        (date(2025, 9, 14), (2025, 3), (date(2025, 7, 1), date(2025, 9, 30))),
        (date(2024, 12, 31), (2024, 4), (date(2024, 10, 1), date(2024, 12, 31))),
    ],
)
def test_quarters(day: date, quarter: tuple[int, int], bounds: tuple[date, date]) -> None:
    assert quarter_of(day) == quarter
    assert quarter_bounds(*quarter) == bounds


def test_quarter_out_of_range() -> None:
    with pytest.raises(ValueError, match="quarter"):
        quarter_bounds(2026, 5)
