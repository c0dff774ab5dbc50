"""Decision 766 indicators (rules §5): versioned definition sets, their inputs from the stored facts and the
catalogue, and immutable score runs. docs/indicators-766.md lists every indicator as implemented.

- :func:`indicator_set_load` (service) stores a definition file as a new set version when its content is new.
- :func:`indicator_inputs` (selector) gives each formula's numerator and denominator for a unit and period:
  one aggregate query over the unit's :class:`~motcua.reports.models.DossierFact` rows (the same facts as the
  periodic report, a cancelled record void, a province = the sum over its communes) and one query over the
  catalogue. A formula whose data motcua does not record yet gives ``None``: the indicator is ``no_data``.
- :func:`scoreboard_compute` (service) scores them with :func:`motcua.domain.indicators.evaluate` and stores
  a :class:`~motcua.reports.models.ScoreRun`; :func:`scoreboard_get` (selector) gives a run as a dict.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from motcua.accounts.models import User
from motcua.accounts.selectors import units_visible_to
from motcua.catalogue.models import Procedure, ProcedureVersion, Unit
from motcua.core.errors import ApplicationError, Conflict, FieldError, NotFound
from motcua.domain import indicators as core
from motcua.reports.facts import FORMULA_VERSION as FACTS_VERSION
from motcua.reports.models import (
    DossierFact,
    DueChange,
    IndicatorDefinition,
    IndicatorScore,
    IndicatorSet,
    ScoreRun,
)
from motcua.reports.periodic import fact_scope

__all__ = [
    "BUNDLED_DEFINITIONS",
    "FORMULAS",
    "INPUTS_VERSION",
    "DefinitionsInvalid",
    "Formula",
    "indicator_inputs",
    "indicator_set_for",
    "indicator_set_load",
    "score_run_get",
    "scoreboard_compute",
    "scoreboard_get",
    "scoreboard_table",
]

BUNDLED_DEFINITIONS = Path(__file__).parent / "data" / "indicators_766_v1.json"
INPUTS_VERSION = "2026.1"
"""The version of the queries below (stored with every run, beside the scoring rule's version)."""


class DefinitionsInvalid(ApplicationError):
    """A definition file whose indicators cannot be scored (group totals, thresholds...): every problem."""

    status = 422
    code = "invalid_field"

    def __init__(self, problems: list[str]) -> None:
        super().__init__("indicators: " + "; ".join(problems), field="indicators", value=len(problems))
        self.problems = problems


@dataclass(frozen=True)
class Formula:
    """A formula id of the definition files: what its denominator counts, or why motcua has no data for it."""

    id: str
    denominator: str
    no_data: str = ""


FORMULAS: dict[str, Formula] = {
    f.id: f
    for f in (
        # from the stored dossier facts
        Formula("portal_sync", "dossiers accepted in the period"),
        Formula("on_time", "dossiers ended in the period or in process at its end"),
        Formula("mean_resolution_days", "dossiers resolved in the period"),
        Formula("online_dossiers", "dossiers accepted in the period"),
        Formula("full_online_dossiers", "dossiers of fully online procedures accepted in the period"),
        Formula("fee_procedures_paid_online", "procedures with fee-bearing dossiers accepted in the period"),
        Formula("online_payment", "fee-bearing dossiers accepted in the period"),
        Formula("e_results", "dossiers resolved in the period under procedures requiring an e-result"),
        Formula("digitized", "dossiers resolved in the period"),
        Formula("reused", "dossiers accepted in the period"),
        # from the catalogue
        Formula("online_procedures", "active commune-level procedures"),
        Formula("online_services_used", "active commune-level procedures offered online"),
        Formula("fee_procedures_online", "active commune-level procedures with fees > 0"),
        # not recorded by motcua yet
        Formula(
            "announced_on_time",
            "",
            "motcua does not record procedure announcement decisions nor the effective "
            "dates of their legal bases (needs the catalogue to keep them)",
        ),
        Formula(
            "published_on_time",
            "",
            "motcua does not record when a procedure was published on the National "
            "TTHC Database (needs the catalogue to keep publication dates)",
        ),
        Formula(
            "published_complete",
            "",
            "motcua does not record the publication of each procedure's parts "
            "(needs the catalogue to keep the published record)",
        ),
        Formula(
            "certified_e_copies",
            "",
            "formula not in the source; needs the certification (chứng thực) register",
        ),
        Formula(
            "e_store",
            "",
            "motcua does not record components taken from, or results pushed to, the citizen's "
            "DVCQG e-store (needs the portal integration)",
        ),
        Formula(
            "population_db_procedures",
            "",
            "motcua does not record VNeID authentication or population-"
            "database links (needs the population-database integration)",
        ),
        Formula(
            "population_db_dossiers",
            "",
            "motcua does not record VNeID authentication or population-database "
            "links (needs the population-database integration)",
        ),
        Formula("petitions_by_type", "", "petitions (phản ánh, kiến nghị) arrive with the feedback feature"),
        Formula("petitions_on_time", "", "petitions (phản ánh, kiến nghị) arrive with the feedback feature"),
        Formula("petitions_satisfaction", "", "petitions and their ratings arrive with the feedback feature"),
        Formula(
            "service_satisfaction",
            "",
            "needs satisfaction ratings and petitions (feedback feature); the "
            "overdue rate alone would overstate it",
        ),
    )
}

ONLINE = (ProcedureVersion.Online.PARTIAL, ProcedureVersion.Online.FULL)
SECONDS_PER_DAY = Decimal(86400)
CENT = Decimal("0.01")


# --- definition sets -------------------------------------------------------------------------------------


def _text(
    item: Mapping[str, Any], key: str, where: str, *, required: bool = True, max_length: int = 300
) -> str:
    value = item.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise FieldError(f"{where}.{key}" if where else key, value, "must be a non-empty string")
    if len(value) > max_length:
        raise FieldError(
            f"{where}.{key}" if where else key, value[:40] + "…", f"must be ≤ {max_length} characters"
        )
    return value.strip()


def _decimal(item: Mapping[str, Any], key: str, where: str, *, nullable: bool = False) -> Decimal | None:
    value = item.get(key)
    if value is None and nullable:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise FieldError(f"{where}.{key}", value, "must be a number" + (" or null" if nullable else ""))
    try:
        number = Decimal(str(value))
        exact = number.is_finite() and number == number.quantize(CENT) and abs(number) < 10_000
    except InvalidOperation as exc:
        raise FieldError(f"{where}.{key}", value, "must be a number") from exc
    if not exact:
        raise FieldError(f"{where}.{key}", value, "must be a number below 10,000 with at most 2 decimals")
    return number


def _only(item: Mapping[str, Any], keys: set[str], where: str) -> None:
    unknown = sorted(set(item) - keys)
    if unknown:
        raise FieldError(
            f"{where}.{unknown[0]}", item[unknown[0]], f"is not a known key ({', '.join(sorted(keys))})"
        )


GROUP_KEYS = {"code", "name", "name_en", "points"}
INDICATOR_KEYS = {
    "code",
    "group",
    "name",
    "name_en",
    "points",
    "threshold",
    "measure",
    "formula",
    "confidence",
    "source",
    "note",
}


def _parse(data: Any) -> dict[str, Any]:
    """The definition file, checked field by field; raises :class:`FieldError` naming the first bad field."""
    if not isinstance(data, Mapping):
        raise FieldError("file", type(data).__name__, "must be a JSON object")
    _only(data, {"version", "effective_from", "source", "groups", "indicators"}, "file")
    version = _text(data, "version", "", max_length=40)
    try:
        effective_from = date.fromisoformat(str(data.get("effective_from")))
    except ValueError as exc:
        raise FieldError("effective_from", data.get("effective_from"), "must be a date YYYY-MM-DD") from exc
    groups: list[dict[str, Any]] = []
    raw_groups = data.get("groups")
    if not isinstance(raw_groups, list) or not raw_groups:
        raise FieldError("groups", raw_groups, "must be a non-empty list")
    for i, g in enumerate(raw_groups):
        where = f"groups[{i}]"
        if not isinstance(g, Mapping):
            raise FieldError(where, g, "must be an object")
        _only(g, GROUP_KEYS, where)
        groups.append(
            {
                "code": _text(g, "code", where, max_length=10),
                "name": _text(g, "name", where),
                "name_en": _text(g, "name_en", where, required=False),
                "points": _decimal(g, "points", where),
            }
        )
    indicators: list[dict[str, Any]] = []
    raw = data.get("indicators")
    if not isinstance(raw, list) or not raw:
        raise FieldError("indicators", raw, "must be a non-empty list")
    for i, x in enumerate(raw):
        where = f"indicators[{i}]"
        if not isinstance(x, Mapping):
            raise FieldError(where, x, "must be an object")
        _only(x, INDICATOR_KEYS, where)
        if "threshold" not in x:
            raise FieldError(f"{where}.threshold", None, "is required (null only for a mean)")
        formula = _text(x, "formula", where, max_length=60)
        if formula not in FORMULAS:
            raise FieldError(
                f"{where}.formula",
                formula,
                f"is not a formula motcua implements ({', '.join(sorted(FORMULAS))})",
            )
        measure = x.get("measure", core.Measure.PERCENT.value)
        if measure not in core.Measure.__members__.values():
            raise FieldError(f"{where}.measure", measure, "must be percent or mean")
        indicators.append(
            {
                "code": _text(x, "code", where, max_length=10),
                "group": _text(x, "group", where, max_length=10),
                "name": _text(x, "name", where),
                "name_en": _text(x, "name_en", where, required=False),
                "points": _decimal(x, "points", where),
                "threshold": _decimal(x, "threshold", where, nullable=True),
                "measure": str(measure),
                "formula": formula,
                "confidence": _text(x, "confidence", where, required=False, max_length=2),
                "source": _text(x, "source", where, required=False, max_length=2000),
                "note": _text(x, "note", where, required=False, max_length=4000),
            }
        )
    problems = core.validate_definitions(
        [_domain(x) for x in indicators], group_points={g["code"]: g["points"] for g in groups}
    )
    if problems:
        raise DefinitionsInvalid(problems)
    return {
        "version": version,
        "effective_from": effective_from,
        "source": _text(data, "source", "", required=False, max_length=4000),
        "groups": groups,
        "indicators": indicators,
    }


def _domain(x: Mapping[str, Any]) -> core.IndicatorDefinition:
    return core.IndicatorDefinition(
        code=x["code"],
        group=x["group"],
        points=x["points"],
        threshold=x["threshold"],
        formula=x["formula"],
        measure=core.Measure(x["measure"]),
    )


def _stored(d: IndicatorDefinition) -> core.IndicatorDefinition:
    return core.IndicatorDefinition(
        code=d.code,
        group=d.group,
        points=d.points,
        threshold=d.threshold,
        formula=d.formula,
        measure=core.Measure(d.measure),
    )


def _canonical(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {k: _canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return value


def _content_hash(parsed: Mapping[str, Any]) -> str:
    """The hash of everything but the version name: the same content under another name is the same set."""
    content = {k: v for k, v in parsed.items() if k != "version"}
    text = json.dumps(_canonical(content), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@transaction.atomic
def indicator_set_load(*, data: Any) -> tuple[IndicatorSet, bool]:
    """Store a definition file (the shape of ``reports/data/indicators_766_v1.json``) as a new set version.

    Returns (the set, created). A file whose content equals a stored set's changes nothing (whatever its
    version name); a changed content needs a version name not used yet (:class:`Conflict` otherwise), so a
    stored set, and every score computed with it, never changes.
    """
    parsed = _parse(data)
    content_hash = _content_hash(parsed)
    same = IndicatorSet.objects.filter(content_hash=content_hash).first()
    if same is not None:
        return same, False
    if IndicatorSet.objects.filter(version=parsed["version"]).exists():
        raise Conflict(
            f"indicator set {parsed['version']!r} already exists with different content: give the "
            f"changed definitions a new version",
            field="version",
            value=parsed["version"],
        )
    try:
        with transaction.atomic():
            indicator_set = IndicatorSet.objects.create(
                version=parsed["version"],
                effective_from=parsed["effective_from"],
                source=parsed["source"],
                groups=_canonical(parsed["groups"]),
                content_hash=content_hash,
            )
    except IntegrityError as exc:  # a concurrent load of the same file
        raise Conflict(
            f"indicator set {parsed['version']!r} was just loaded", field="version", value=parsed["version"]
        ) from exc
    IndicatorDefinition.objects.bulk_create(
        IndicatorDefinition(indicator_set=indicator_set, position=i, **x)
        for i, x in enumerate(parsed["indicators"], start=1)
    )
    return indicator_set, True


@cache
def _bundled() -> tuple[dict[str, Any], str]:
    """The bundled v1 definitions and their content hash."""
    data: dict[str, Any] = json.loads(BUNDLED_DEFINITIONS.read_text(encoding="utf-8"))
    return data, _content_hash(_parse(data))


def indicator_set_for(*, date_to: date, version: str | None = None) -> IndicatorSet:
    """The set named ``version``, or the one in force for a period ending on ``date_to``: the latest
    ``effective_from`` on or before it, the latest loaded first. The bundled v1 set is loaded on first use."""
    if version:
        found = IndicatorSet.objects.filter(version=version).first()
        if found is None:
            raise NotFound(f"indicator set {version!r} does not exist", field="set", value=version)
        return found
    bundled, bundled_hash = _bundled()
    if not IndicatorSet.objects.filter(content_hash=bundled_hash).exists():
        indicator_set_load(data=bundled)
    found = (
        IndicatorSet.objects.filter(effective_from__lte=date_to)
        .order_by("-effective_from", "-created_at", "-id")
        .first()
    )
    if found is None:
        raise FieldError("to", date_to.isoformat(), "no Decision 766 indicator set is in force on that date")
    return found


# --- inputs ----------------------------------------------------------------------------------------------


def _fact_counts(unit: Unit, date_from: date, date_to: date) -> dict[str, Any]:
    """Every dossier-based numerator and denominator, in one aggregate query over the unit's facts.

    Aliases never repeat a column name (SQLite would read the column instead of the aggregate).
    """
    accepted = Q(accepted_on__gte=date_from, accepted_on__lte=date_to)
    ended = Q(ended_on__gte=date_from, ended_on__lte=date_to)
    open_at_end = Q(ended_on__isnull=True) | Q(ended_on__gt=date_to)
    at_most_one_supplement = Q(supplement_requests__lte=1)  # a second request counts as overdue (766)
    resolved = ended & Q(end_state="resolved")
    fee = accepted & Q(fee_required=True)
    due_then = Subquery(
        DueChange.objects.filter(dossier_id=OuterRef("dossier_id"), effective_on__lte=date_to)
        .order_by("-effective_at", "-id")
        .values("due_on")[:1]
    )
    facts = (
        DossierFact.objects.filter(fact_scope(unit), cancelled_on__isnull=True, accepted_on__lte=date_to)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=date_from))
        .annotate(due_then=due_then)
    )
    counts: dict[str, Any] = facts.aggregate(
        n_accepted=Count("pk", filter=accepted),
        n_synced=Count("pk", filter=accepted & Q(synced=True)),
        n_online=Count("pk", filter=accepted & Q(channel="online")),
        n_full_procedure=Count("pk", filter=accepted & Q(online_level="full")),
        n_full_online=Count("pk", filter=accepted & Q(online_level="full", channel="online")),
        n_fee=Count("pk", filter=fee),
        n_fee_paid_online=Count("pk", filter=fee & Q(paid_online=True)),
        n_fee_procedures=Count("procedure_id", distinct=True, filter=fee),
        n_fee_procedures_paid=Count("procedure_id", distinct=True, filter=fee & Q(paid_online=True)),
        n_reused=Count("pk", filter=accepted & Q(components_reused=True)),
        n_ended=Count("pk", filter=ended),
        n_ended_in_time=Count(
            "pk", filter=ended & Q(timeliness__in=("before_due", "on_time")) & at_most_one_supplement
        ),
        n_open=Count("pk", filter=open_at_end),
        # within due = not past due (no due at all included): one lookup of the due, not two
        n_open_counted=Count("pk", filter=open_at_end & at_most_one_supplement),
        n_open_past_due=Count("pk", filter=open_at_end & at_most_one_supplement & Q(due_then__lt=date_to)),
        n_resolved=Count("pk", filter=resolved),
        n_digitized=Count(
            "pk",
            filter=resolved
            & Q(has_result=True, components_digitized=True)
            & (Q(requires_e_result=False) | Q(result_e_copy=True)),
        ),
        n_e_result_required=Count("pk", filter=resolved & Q(requires_e_result=True)),
        n_e_result=Count(
            "pk", filter=resolved & Q(requires_e_result=True, has_result=True, result_e_copy=True)
        ),
        n_timed=Count("pk", filter=resolved & Q(resolution_seconds__isnull=False)),
        s_resolution_seconds=Sum("resolution_seconds", filter=resolved),
    )
    counts["n_open_within"] = counts.pop("n_open_counted") - counts.pop("n_open_past_due")
    return counts


def _catalogue_counts(unit: Unit, date_from: date, date_to: date) -> dict[str, int]:
    """The catalogue-based figures, from the current version of every active commune-level procedure."""
    used_online = DossierFact.objects.filter(
        fact_scope(unit),
        procedure_id=OuterRef("pk"),
        cancelled_on__isnull=True,
        channel="online",
        accepted_on__gte=date_from,
        accepted_on__lte=date_to,
    )
    procedures = (
        Procedure.objects.filter(active=True, level=Procedure.Level.COMMUNE, current_version__isnull=False)
        .select_related("current_version")
        .annotate(used_online=Exists(used_online))
    )
    counts = dict.fromkeys(("procedures", "online", "online_used", "fee", "fee_online"), 0)
    for procedure in procedures:
        version = procedure.current_version
        assert version is not None
        online = version.online in ONLINE
        fee = version.fee_total() > 0
        counts["procedures"] += 1
        counts["online"] += online
        counts["online_used"] += online and procedure.used_online
        counts["fee"] += fee
        counts["fee_online"] += fee and online
    return counts


def indicator_inputs(*, unit: Unit, date_from: date, date_to: date) -> dict[str, core.IndicatorInput | None]:
    """Each formula's numerator and denominator for ``unit`` over [``date_from``, ``date_to``] (local dates);
    ``None`` where motcua does not record the data yet. docs/indicators-766.md states every formula."""
    f = _fact_counts(unit, date_from, date_to)
    c = _catalogue_counts(unit, date_from, date_to)
    i = core.IndicatorInput
    seconds = Decimal(f["s_resolution_seconds"] or 0)
    inputs: dict[str, core.IndicatorInput | None] = dict.fromkeys(FORMULAS)
    inputs.update(
        {
            "portal_sync": i(f["n_synced"], f["n_accepted"]),
            "on_time": i(f["n_ended_in_time"] + f["n_open_within"], f["n_ended"] + f["n_open"]),
            "mean_resolution_days": i((seconds / SECONDS_PER_DAY).quantize(CENT), f["n_timed"]),
            "online_dossiers": i(f["n_online"], f["n_accepted"]),
            "full_online_dossiers": i(f["n_full_online"], f["n_full_procedure"]),
            "fee_procedures_paid_online": i(f["n_fee_procedures_paid"], f["n_fee_procedures"]),
            "online_payment": i(f["n_fee_paid_online"], f["n_fee"]),
            "e_results": i(f["n_e_result"], f["n_e_result_required"]),
            "digitized": i(f["n_digitized"], f["n_resolved"]),
            "reused": i(f["n_reused"], f["n_accepted"]),
            "online_procedures": i(c["online"], c["procedures"]),
            "online_services_used": i(c["online_used"], c["online"]),
            "fee_procedures_online": i(c["fee_online"], c["fee"]),
        }
    )
    return inputs


# --- runs ------------------------------------------------------------------------------------------------


def _json_number(value: Decimal | int | None) -> int | float | None:
    if value is None:
        return None
    if isinstance(value, int):
        return value
    return int(value) if value == value.to_integral_value() else float(value)


def _note(formula: str, result: core.IndicatorResult) -> str:
    if result.status is core.Status.COMPUTED:
        return ""
    if result.status is core.Status.NOT_APPLICABLE:
        return "does not apply to this unit"
    known = FORMULAS[formula]
    if result.denominator is None:
        return f"no data: {known.no_data}"
    return f"no data in the period: no {known.denominator}"


@transaction.atomic
def scoreboard_compute(
    *,
    unit: Unit,
    date_from: date,
    date_to: date,
    actor: User | None = None,
    store: bool = True,
    version: str | None = None,
    at: datetime | None = None,
) -> ScoreRun:
    """Score ``unit`` for [``date_from``, ``date_to``] with the indicator set in force (or ``version``).

    With ``store`` the run and its scores are saved, once: re-evaluating creates a new run, and a later set
    version never touches it. Without it the run is returned unsaved (``pk`` None). ``actor`` (None = the
    system) must see the unit.
    """
    if date_from > date_to:
        raise FieldError("from", date_from.isoformat(), f"must not be after to ({date_to.isoformat()})")
    if actor is not None and not units_visible_to(actor).filter(pk=unit.pk).exists():
        raise NotFound(f"unit {unit.code!r} does not exist or is not yours", field="unit", value=unit.code)
    indicator_set = indicator_set_for(date_to=date_to, version=version)
    definitions = list(indicator_set.definitions.order_by("position"))
    inputs = indicator_inputs(unit=unit, date_from=date_from, date_to=date_to)
    board = core.evaluate([_stored(d) for d in definitions], inputs)
    run = ScoreRun(
        unit=unit,
        date_from=date_from,
        date_to=date_to,
        indicator_set=indicator_set,
        computed_at=at or timezone.now(),
        computed_by=actor,
        inputs={
            "formula_version": core.FORMULA_VERSION,
            "inputs_version": INPUTS_VERSION,
            "facts_version": FACTS_VERSION,
            "unit_kind": unit.kind,
            "formulas": {
                k: None
                if v is None
                else {"numerator": _json_number(v.numerator), "denominator": v.denominator}
                for k, v in inputs.items()
            },
        },
        total=board.total,
        max_available=board.max_available,
        max_possible=board.max_possible,
    )
    scores = [
        IndicatorScore(
            run=run,
            definition=d,
            numerator=r.numerator,
            denominator=r.denominator,
            rate=r.rate,
            score=r.score,
            status=r.status.value,
            note=_note(d.formula, r),
        )
        for d, r in zip(definitions, board.indicators, strict=True)
    ]
    if store:
        run.save()
        IndicatorScore.objects.bulk_create(scores)
    run._computed_scores = scores  # type: ignore[attr-defined]
    return run


def score_run_get(*, run_id: int, user: User | None) -> ScoreRun:
    """A stored run, if ``user`` (None = the system) may see its unit."""
    runs = ScoreRun.objects.select_related("unit", "indicator_set", "computed_by")
    if user is not None:
        runs = runs.filter(unit__in=units_visible_to(user))
    run = runs.filter(pk=run_id).first()
    if run is None:
        raise NotFound(f"score run {run_id} does not exist or is not yours", field="run", value=run_id)
    return run


def scoreboard_get(*, run: ScoreRun) -> dict[str, Any]:
    """The scoreboard of a run, stored or not, exactly as computed (stored rows never change)."""
    scores: list[IndicatorScore] = getattr(run, "_computed_scores", None) or list(
        run.scores.select_related("definition").order_by("definition__position")
    )
    indicators = []
    for s in scores:
        d = s.definition
        indicators.append(
            {
                "code": d.code,
                "group": d.group,
                "name": d.name,
                "name_en": d.name_en,
                "points": _json_number(d.points),
                "threshold": _json_number(d.threshold),
                "measure": d.measure,
                "numerator": _json_number(s.numerator),
                "denominator": s.denominator,
                "rate": None if s.rate is None else float(s.rate),
                "score": None if s.score is None else float(s.score),
                "status": s.status,
                "note": s.note,
                "formula": d.formula,
                "confidence": d.confidence,
            }
        )
    groups = []
    for g in run.indicator_set.groups:
        members = [s for s in scores if s.definition.group == g["code"]]
        groups.append(
            {
                "group": g["code"],
                "name": g["name"],
                "name_en": g.get("name_en", ""),
                "points": _json_number(Decimal(g["points"])),
                "max_available": _json_number(
                    sum(
                        (s.definition.points for s in members if s.status == IndicatorScore.Status.COMPUTED),
                        Decimal(0),
                    )
                ),
                "score": float(sum((s.score for s in members if s.score is not None), Decimal(0))),
            }
        )
    tz = ZoneInfo(run.unit.timezone)
    return {
        "unit": run.unit.code,
        "unit_name": run.unit.name,
        "from": run.date_from.isoformat(),
        "to": run.date_to.isoformat(),
        "indicator_set": run.indicator_set.version,
        "indicators": indicators,
        "groups": groups,
        "total": float(run.total),
        "max_available": _json_number(run.max_available),
        "max_possible": _json_number(run.max_possible),
        "run_id": run.pk,
        "computed_at": run.computed_at.astimezone(tz).isoformat(timespec="seconds"),
        "computed_by": run.computed_by.username if run.computed_by else None,
        "formula_version": run.inputs.get("formula_version"),
    }


def scoreboard_table(board: Mapping[str, Any]) -> str:
    """The scoreboard as a plain-text table (the CLI's ``--format table``)."""

    def num(value: Any) -> str:
        return "—" if value is None else f"{value:.2f}" if isinstance(value, float) else str(value)

    lines = [
        f"Decision 766 scoreboard — {board['unit_name']} ({board['unit']}), {board['from']}..{board['to']}",
        f"indicator set {board['indicator_set']}, run {board['run_id'] or 'not stored'}, "
        f"computed {board['computed_at']}",
        "",
        f"{'code':<5} {'group':<5} {'indicator':<48} {'num/den':>13} {'rate':>7} {'full at':>7} "
        f"{'points':>6} {'score':>6}  status",
    ]
    for x in board["indicators"]:
        fraction = "—" if x["denominator"] is None else f"{x['numerator']}/{x['denominator']}"
        name = x["name"] if len(x["name"]) <= 48 else x["name"][:47] + "…"
        threshold = "—" if x["threshold"] is None else f"{x['threshold']}%"
        lines.append(
            f"{x['code']:<5} {x['group']:<5} {name:<48} {fraction:>13} {num(x['rate']):>7} "
            f"{threshold:>7} {x['points']:>6} {num(x['score']):>6}  {x['status']}"
        )
    lines.append("")
    for g in board["groups"]:
        lines.append(
            f"{g['group']:<5} {g['name']:<40} {g['score']:>6.2f} of {g['points']:>3} "
            f"({g['max_available']} with data)"
        )
    lines.append(
        f"total {board['total']:.2f} of {board['max_possible']} ({board['max_available']} with data)"
    )
    notes = [f"{x['code']}: {x['note']}" for x in board["indicators"] if x["note"]]
    if notes:
        lines += ["", *notes]
    return "\n".join(lines) + "\n"
