"""The sample plan of Đông Khê 2025 gives the inspection's figures (seed-figures.md)."""

from __future__ import annotations

from datetime import date

from conftest import COMMUNE
from motcua.catalogue.models import Unit
from motcua.reform.models import ReformPlan
from motcua.reform.selectors import plan_completion
from motcua.reform.services import plan_load_demo
from motcua.reform.tests.conftest import AT


def test_the_demo_plan_gives_41_tasks_31_done_75_61_percent(demo_plan: ReformPlan) -> None:
    # when
    figures = plan_completion(demo_plan, as_of=date(2025, 11, 30))
    # then
    assert (figures["total"], figures["removed"], figures["done"], figures["rate"]) == (41, 0, 31, 75.61)
    assert (figures["in_progress"] + figures["not_started"], figures["overdue"]) == (10, 0)
    assert figures["done_on_time"] > 0
    assert figures["done_late"] > 0
    assert {a["area"] for a in figures["by_area"]} == {"institutional", "procedures", "apparatus", "civil_service",
                                                      "public_finance", "digital_government"}
    assert figures["by_year_end"]["numerator"] == 31
    assert set(demo_plan.tasks.exclude(status__startswith="done").values_list("deadline", flat=True)) == {
        date(2025, 12, 31)}  # the 10 open tasks "will be evaluated at year end"
    assert demo_plan.decision_number.endswith("/KH-UBND")
    assert demo_plan.decision_date.month == 7


def test_loading_the_demo_again_changes_nothing(demo_plan: ReformPlan) -> None:
    # when
    again = plan_load_demo(Unit.objects.get(code=COMMUNE), at=AT)
    # then
    assert (again.plan.pk, again.created, again.updated, len(again.unchanged)) == (demo_plan.pk, [], [], 41)
