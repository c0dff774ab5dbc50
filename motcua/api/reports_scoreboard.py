"""``/reports/scoreboard``: the Decision 766 scoreboard of a unit for a period (rules §5), and stored runs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router
from pydantic import Field

from motcua.api.auth import request_user
from motcua.api.errors import ProblemOut
from motcua.api.reports import PeriodQuery, resolve_period, visible_unit
from motcua.reports.indicators import score_run_get, scoreboard_compute, scoreboard_get

__all__ = ["router"]

router = Router(tags=["reports"])


class ScoreboardQuery(PeriodQuery):
    indicator_set: str | None = Field(
        None,
        alias="set",
        description="indicator set version (default: the one in force at the end of the period)",
    )


@router.get(
    "/reports/scoreboard",
    response={200: dict[str, Any], 401: ProblemOut, 404: ProblemOut, 422: ProblemOut},
    operation_id="scoreboard_compute",
    summary="The Decision 766 scoreboard of a unit for a period (computed and stored as a run)",
)
def scoreboard(request: HttpRequest, query: Query[ScoreboardQuery]) -> Any:
    """Computes the indicators of Decision 766/QĐ-TTg for a commune (or a province: the sum over its
    communes) from the stored dossier facts and the catalogue, stores the result as a new, immutable run
    and returns it. Readable by anyone with a role in the unit or its province; 404 for others. An indicator
    motcua has no data for yet is listed with status ``no_data`` and counts neither in ``total`` nor in
    ``max_available``. See docs/indicators-766.md."""
    unit = visible_unit(request, query.unit)
    date_from, date_to = resolve_period(query)
    run = scoreboard_compute(
        unit=unit,
        date_from=date_from,
        date_to=date_to,
        actor=request_user(request),
        version=query.indicator_set,
    )
    return scoreboard_get(run=run)


@router.get(
    "/reports/scoreboard/runs/{run_id}",
    response={200: dict[str, Any], 401: ProblemOut, 404: ProblemOut},
    operation_id="scoreboard_run_get",
    summary="A stored scoreboard run, exactly as computed",
)
def scoreboard_run(request: HttpRequest, run_id: int) -> Any:
    """A run as it was computed, with the definitions it used, whatever was loaded since."""
    return scoreboard_get(run=score_run_get(run_id=run_id, user=request_user(request)))
