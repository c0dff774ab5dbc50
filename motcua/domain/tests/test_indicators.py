"""Decision 766 scoring (rules §5): score = points × min(1, rate / threshold), half-up to 2 decimals."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from motcua.domain.indicators import (
    TOTAL_POINTS,
    DefinitionError,
    IndicatorDefinition,
    IndicatorInput,
    Measure,
    Status,
    evaluate,
    half_up,
    score_indicator,
    validate_definitions,
)


def d(
    code: str = "x",
    points: str = "6",
    threshold: str | None = "100",
    *,
    group: str = "G",
    formula: str | None = None,
    measure: Measure = Measure.PERCENT,
) -> IndicatorDefinition:
    return IndicatorDefinition(
        code=code,
        group=group,
        points=Decimal(points),
        threshold=None if threshold is None else Decimal(threshold),
        formula=formula or code,
        measure=measure,
    )


@pytest.mark.parametrize(
    ("points", "threshold", "numerator", "denominator", "rate", "score"),
    [
        ("6", "30", 276, 332, "83.13", "6.00"),  # seed 3.6: 83.13% ≥ 30% → full marks
        ("6", "100", 415, 711, "58.37", "3.50"),  # seed 1.4: linear, 6 × 0.58368… = 3.502…
        ("4", "80", 940, 940, "100.00", "4.00"),  # seed 4.2: all resolved dossiers digitized
        ("4", "80", 940, 944, "99.58", "4.00"),  # above the threshold: capped at the points
        ("6", "80", 2, 5, "40.00", "3.00"),  # below: 6 × 40 / 80
        ("2", "80", 1, 2, "50.00", "1.25"),  # 2 × 50 / 80
        ("20", "100", 0, 7, "0.00", "0.00"),
        ("6", "50", 1, 3, "33.33", "4.00"),  # 6 × (100/3) / 50 = 4 exactly, from the exact ratio
        ("6", "100", 1, 8, "12.50", "0.75"),
        ("1", "100", 1, 200, "0.50", "0.01"),  # 0.005 points rounds half-up to 0.01
        ("6", "30", 9, 8, "112.50", "6.00"),  # a numerator above the denominator never exceeds the points
    ],
)
def test_score_is_points_times_the_capped_share_of_the_threshold(
    points: str, threshold: str, numerator: int, denominator: int, rate: str, score: str
) -> None:
    # when
    result = score_indicator(d(points=points, threshold=threshold), IndicatorInput(numerator, denominator))
    # then
    assert result.status is Status.COMPUTED
    assert (result.numerator, result.denominator) == (numerator, denominator)
    assert (result.rate, result.score) == (Decimal(rate), Decimal(score))
    assert str(result.score) == score  # always 2 decimals


@pytest.mark.parametrize(
    ("given", "status", "denominator"),
    [
        (None, Status.NO_DATA, None),  # the data does not exist in the system
        (IndicatorInput(0, 0), Status.NO_DATA, 0),  # nothing to measure in the period
        (IndicatorInput.not_applicable(), Status.NOT_APPLICABLE, None),
    ],
)
def test_without_data_an_indicator_has_no_rate_and_no_score(
    given: IndicatorInput | None, status: Status, denominator: int | None
) -> None:
    result = score_indicator(d(), given)
    assert (result.status, result.denominator, result.rate, result.score) == (status, denominator, None, None)
    assert result.available == 0


def test_a_mean_is_information_only() -> None:
    # given 2.2: 3 dossiers took 4.5 days in all
    result = score_indicator(
        d("2.2", points="0", threshold=None, measure=Measure.MEAN), IndicatorInput(Decimal("4.5"), 3)
    )
    assert (result.status, result.rate, result.score) == (Status.COMPUTED, Decimal("1.50"), Decimal("0.00"))


def test_a_negative_input_is_a_bug() -> None:
    with pytest.raises(ValueError, match="negative"):
        score_indicator(d(), IndicatorInput(-1, 3))


def test_a_percent_indicator_without_threshold_cannot_be_scored() -> None:
    with pytest.raises(DefinitionError, match="threshold"):
        score_indicator(d(threshold=None), IndicatorInput(1, 3))


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        (Fraction(1, 200), "0.01"),
        (Fraction(1, 300), "0.00"),
        (Fraction(2501, 1000), "2.50"),
        (Fraction(2505, 1000), "2.51"),
        (Fraction(0), "0.00"),
        (Fraction(-2505, 1000), "-2.51"),
    ],
)
def test_half_up_is_exact(value: Fraction, rounded: str) -> None:
    assert str(half_up(value)) == rounded


def small_set() -> list[IndicatorDefinition]:
    return [
        d("1.1", "6", group="CKMB", formula="announced"),
        d("1.4", "6", group="CKMB", formula="portal_sync"),
        d("2.1", "20", group="TDGQ", formula="on_time"),
        d("2.2", "0", None, group="TDGQ", formula="mean_days", measure=Measure.MEAN),
        d("3.6", "6", "30", group="TTTT", formula="online_payment"),
    ]


def test_evaluate_sums_groups_and_leaves_no_data_out_of_the_total() -> None:
    # when
    board = evaluate(
        small_set(),
        {
            "portal_sync": IndicatorInput(415, 711),
            "on_time": IndicatorInput(0, 0),  # no dossiers: no_data
            "mean_days": IndicatorInput(Decimal(9), 4),
            "online_payment": IndicatorInput(276, 332),
            # "announced" missing: no_data
        },
    )
    # then every definition is listed, in order
    assert [(r.code, r.status) for r in board.indicators] == [
        ("1.1", Status.NO_DATA),
        ("1.4", Status.COMPUTED),
        ("2.1", Status.NO_DATA),
        ("2.2", Status.COMPUTED),
        ("3.6", Status.COMPUTED),
    ]
    assert [(g.group, g.points, g.max_available, g.score) for g in board.groups] == [
        ("CKMB", Decimal(12), Decimal(6), Decimal("3.50")),
        ("TDGQ", Decimal(20), Decimal(0), Decimal("0.00")),
        ("TTTT", Decimal(6), Decimal(6), Decimal("6.00")),
    ]
    assert (board.total, board.max_available, board.max_possible) == (Decimal("9.50"), 12, 38)
    assert board.indicator("2.2").rate == Decimal("2.25")
    with pytest.raises(KeyError):
        board.indicator("9.9")


def test_definitions_sharing_a_formula_share_its_input() -> None:
    board = evaluate(
        [d("a", "2", "50", formula="f"), d("b", "2", "100", formula="f")], {"f": IndicatorInput(1, 4)}
    )
    assert [r.score for r in board.indicators] == [Decimal("1.00"), Decimal("0.50")]


def test_evaluate_refuses_duplicate_codes() -> None:
    with pytest.raises(DefinitionError, match="duplicate indicator codes: a"):
        evaluate([d("a"), d("a")], {})


def full_set() -> tuple[list[IndicatorDefinition], dict[str, Decimal]]:
    groups = {
        "CKMB": Decimal(18),
        "TDGQ": Decimal(20),
        "CLGQ": Decimal(12),
        "TTTT": Decimal(10),
        "MDSH": Decimal(22),
        "MDHL": Decimal(18),
    }
    definitions = [
        d(f"{group}.{i}", str(points / 2), group=group) for group, points in groups.items() for i in (1, 2)
    ]
    return definitions, groups


def test_a_perfect_unit_scores_exactly_100_and_never_more() -> None:
    definitions, groups = full_set()
    assert validate_definitions(definitions, group_points=groups) == []
    perfect = evaluate(definitions, {x.formula: IndicatorInput(5, 4) for x in definitions})
    assert perfect.total == perfect.max_available == perfect.max_possible == TOTAL_POINTS
    uneven = evaluate(definitions, {x.formula: IndicatorInput(i, 7) for i, x in enumerate(definitions)})
    assert uneven.total <= uneven.max_available <= uneven.max_possible == TOTAL_POINTS
    assert uneven.total == sum(g.score for g in uneven.groups)


def test_validate_definitions_names_every_problem() -> None:
    definitions = [
        d("1.1", "6", group="A"),
        d("1.1", "6", group="A"),
        d("1.2", "-1", group="A"),
        d("1.3", "2", "0", group="A"),
        d("1.4", "2", "120", group="B"),
        d("2.2", "1", None, group="B", measure=Measure.MEAN),
        d("3.1", "1", group="Z"),
    ]
    problems = validate_definitions(definitions, group_points={"A": Decimal(12), "B": Decimal(3)})
    assert problems == [
        "1.1: duplicate code",
        "1.2: points must be ≥ 0 (got -1)",
        "1.3: threshold must be a percent in (0, 100] (got 0)",
        "1.4: threshold must be a percent in (0, 100] (got 120)",
        "2.2: a mean is information only and must have 0 points (got 1)",
        "3.1: group 'Z' is not declared",
        "group A: its indicators add up to 13, not 12",
        "the groups add up to 15, not 100",
    ]
    assert validate_definitions(definitions[:1]) == []
