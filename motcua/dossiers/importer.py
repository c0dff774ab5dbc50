"""The historic dossier importer: one JSON line per dossier (interfaces §3.3), replayed through the services.

Usage::

    with open(path, encoding="utf-8") as lines:
        result = import_dossiers(lines, source=path)
    result.imported, result.failed, result.skipped, result.errors   # [LineError(17, "events[2].at: ...")]

Each non-blank line is

1. validated for shape with :class:`motcua.api.schemas.HistoricDossierIn` (the schema the REST API uses);
2. given an ``external_ref`` (its own; else ``import:<code>``; else ``import:`` + 32 hex of the SHA-256 of the
   line's canonical JSON), so that importing the same file again skips what is already there;
3. replayed by :func:`~motcua.dossiers.replay.dossier_replay`, with ``actor=None`` (the system itself): the
   submission at ``submitted_at``, then every event, in order, at its instant, decided in memory by the
   services' own steps and the pure core, then written once (the dossier row, its components, events,
   payments, result, due changes and report facts: about 7 statements a line instead of the ~43 of calling
   the services once per event). ``synced_to_portal_at`` is a plain field, not an action.

Lines are written :data:`LINES_PER_TRANSACTION` at a time in one transaction
(:func:`~motcua.dossiers.replay.replay_batch`), each line in its own savepoint; the dossier listeners (portal
outbox, fees, notifications, interconnected work) are called once for all the lines of the transaction that
succeeded (:func:`~motcua.dossiers.hooks.notify_many`), before it commits, and write their rows with one
query a table for the batch. ``lines_per_transaction=1`` writes one transaction per line, with the listeners
called per line (:func:`~motcua.dossiers.hooks.notify`), as before.

The rules (unknown procedure, an action not allowed from the state, times going backwards…) are the
services' and the core's: a line they refuse fails alone, is rolled back entirely (no dossier, event,
component, payment, result or dossier number is left behind: its savepoint is) and the next line goes on.
If anything else goes wrong in a batch (a listener raises, PostgreSQL picks the batch as a deadlock's victim,
an unexpected error), the whole batch is rolled back and its lines are written again one transaction per line,
so a line's outcome (and the error it reports, with its line number) is the one it has on its own.
``progress`` and ``on_error`` hear about a batch's lines once it has committed.

``import_dossiers(..., via="services")`` replays through :func:`~motcua.dossiers.services.dossier_submit` and
one :func:`~motcua.dossiers.services.dossier_act` per event instead: the reference the replay is tested
against (``motcua/dossiers/tests/test_replay.py``), and the "before" of ``bench/bench_import.py``.

Blank lines are ignored. A line whose ``external_ref`` already exists (imported by an earlier run, or earlier
in the same file) is *skipped*: counted apart, neither imported again nor failed.

A line's ``code`` becomes the dossier code at its ``accept`` event (the older system's number is kept); a line
never accepted (refused, returned, cancelled at intake) has no dossier code, and its old code survives only in
the ``external_ref`` (``import:<code>``). Without ``code``, ``accept`` issues the next number of the unit and
day, so numbers follow the order of the file: sort it by acceptance time to number as the desk would have.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Literal

from django.db import DatabaseError, OperationalError, transaction
from pydantic import ValidationError

from motcua.api.schemas import HistoricDossierIn, action_payload
from motcua.core.errors import ApplicationError, Conflict
from motcua.domain.calendar import CalendarError
from motcua.domain.deadlines import DeadlineError
from motcua.domain.lifecycle import Action
from motcua.dossiers.models import Dossier
from motcua.dossiers.replay import (
    EventRefused,
    ReplayBatch,
    ReplayCache,
    ReplayEvent,
    dossier_replay,
    refusal_text,
    replay_batch,
)
from motcua.dossiers.services import Applicant, ComponentIn, dossier_act, dossier_submit
from motcua.logging import mask_personal_data
from motcua.reports.facts import fact_refresh, facts_deferred

__all__ = ["ImportResult", "LineError", "external_ref_of", "import_dossiers"]

logger = logging.getLogger(__name__)

CHUNK = 256
"""Lines read ahead to look their external references up in one query (re-runs skip fast)."""
LINES_PER_TRANSACTION = 100
"""Lines replayed in one transaction (a savepoint each), their listeners called once for all of them. A batch
holds its units' daily counter rows until it commits: about half a second at most at today's speed."""
MAX_ERRORS_PER_LINE = 3
"""A line with many shape errors reports the first few and how many more."""
_PERSONAL_FIELDS = frozenset({"id_number", "phone"})
_MAX_VALUE_CHARS = 60


@dataclass(frozen=True)
class LineError:
    """Why line ``line_no`` (1-based) was not imported; ``message`` starts with the field path or event."""

    line_no: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line_no}: {self.message}"


@dataclass
class ImportResult:
    """The outcome of one import: ``imported + failed + skipped`` = the non-blank lines read."""

    source: str
    imported: int = 0
    failed: int = 0
    skipped: int = 0
    errors: list[LineError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Every line was imported or skipped."""
        return self.failed == 0

    def summary(self) -> str:
        """``imported N, failed M`` (interfaces §2)."""
        return f"imported {self.imported}, failed {self.failed}"


class _LineFailed(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _BatchAbandoned(Exception):
    """A line of a batch failed for a reason of the moment (a lock), not its own: write the batch line by line."""


@dataclass(frozen=True)
class _Parsed:
    line_no: int
    data: HistoricDossierIn | None = None
    external_ref: str = ""
    error: str = ""


@dataclass(frozen=True)
class _Outcome:
    """What became of one line: imported, skipped, or failed with ``error``."""

    item: _Parsed
    error: str | None = None
    skipped: bool = False


# ---------------------------------------------------------------------------------------------------------------
# messages


def _mask(value: str) -> str:
    """Never print a full ID or phone number: keep the last 3 characters."""
    return "*" * max(0, len(value) - 3) + value[-3:]


def _path(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _shown_value(loc: Sequence[int | str], value: object) -> str | None:
    """The offending value as printed in an error, or None when it is not a plain value."""
    if isinstance(value, bool) or value is None or isinstance(value, int | float):
        return json.dumps(value)
    if not isinstance(value, str):
        return None  # an object or a list (the parent of a missing key): long, may hold personal data
    if loc and loc[-1] in _PERSONAL_FIELDS:
        value = _mask(value)
    if len(value) > _MAX_VALUE_CHARS:
        value = value[:_MAX_VALUE_CHARS] + "…"
    return json.dumps(value, ensure_ascii=False)


def _validation_message(exc: ValidationError) -> str:
    errors = exc.errors(include_url=False)
    parts: list[str] = []
    for err in errors[:MAX_ERRORS_PER_LINE]:
        if err["type"] == "json_invalid":
            parts.append(f"invalid JSON: {err.get('ctx', {}).get('error', err['msg'])}")
            continue
        loc = err["loc"]
        text = f"{_path(loc)}: {err['msg']}" if loc else str(err["msg"])
        shown = _shown_value(loc, err.get("input")) if err["type"] != "missing" else None
        if shown is not None:
            text += f" (got {shown})"
        parts.append(text)
    if len(errors) > MAX_ERRORS_PER_LINE:
        parts.append(f"and {len(errors) - MAX_ERRORS_PER_LINE} more")
    return "; ".join(parts)


_error_text = refusal_text


# ---------------------------------------------------------------------------------------------------------------
# reading


def external_ref_of(data: HistoricDossierIn, raw_line: str) -> str:
    """The import key of a line: its ``external_ref``; else ``import:<code>``; else a hash of its content.

    The hash is over the line's canonical JSON (keys sorted, no spaces), so re-formatting a file does not
    change it.
    """
    if data.external_ref:
        return data.external_ref
    if data.code:
        return f"import:{data.code}"
    canonical = json.dumps(json.loads(raw_line), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return "import:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]


def _parse(line_no: int, line: str) -> _Parsed:
    try:
        data = HistoricDossierIn.model_validate_json(line)
    except ValidationError as exc:
        return _Parsed(line_no=line_no, error=_validation_message(exc))
    return _Parsed(line_no=line_no, data=data, external_ref=external_ref_of(data, line))


def _chunks(lines: Iterable[str], size: int = CHUNK) -> Iterator[list[tuple[int, str]]]:
    numbered = ((n, line) for n, line in enumerate(lines, start=1) if line.strip())
    while chunk := list(islice(numbered, size)):
        yield chunk


# ---------------------------------------------------------------------------------------------------------------
# replaying one line


def _applicant(data: HistoricDossierIn) -> Applicant:
    applicant = data.applicant
    return Applicant(
        name=applicant.name,
        id_number=applicant.id_number,
        phone=applicant.phone,
        email=applicant.email,
        address=applicant.address,
    )


def _components(data: HistoricDossierIn) -> list[ComponentIn]:
    return [
        ComponentIn(code=c.code, digitized=c.digitized, reused=c.reused, submitted=c.submitted)
        for c in data.components
    ]


def _replay(
    data: HistoricDossierIn, external_ref: str, cache: ReplayCache, batch: ReplayBatch | None = None
) -> None:
    """The line as one :func:`dossier_replay`: its own transaction, or a savepoint of ``batch``'s."""
    events = [ReplayEvent(action=e.action, at=e.at, payload=action_payload(e.action, e)) for e in data.events]
    try:
        dossier_replay(
            procedure_code=data.procedure,
            receiving_unit_code=data.receiving_unit,
            competent_unit_code=data.competent_unit,
            channel=data.channel,
            applicant=_applicant(data),
            components=_components(data),
            fees_exempt=data.fees_exempt,
            at=data.submitted_at,
            events=events,
            actor=None,
            external_ref=external_ref,
            code=data.code,
            synced_to_portal_at=data.synced_to_portal_at,
            cache=None if batch is not None else cache,
            batch=batch,
        )
    except Conflict as exc:
        if exc.field == "external_ref":
            raise  # a duplicate: the caller counts it as skipped
        raise _LineFailed(_error_text(exc)) from exc
    except EventRefused as exc:
        raise _LineFailed(exc.message) from exc
    except (ApplicationError, DeadlineError, CalendarError, DatabaseError) as exc:
        raise _LineFailed(_error_text(exc)) from exc


def _replay_through_services(data: HistoricDossierIn, external_ref: str, cache: ReplayCache) -> None:
    """Submit, then perform each event through the services, in one transaction."""
    with transaction.atomic(), facts_deferred():
        _through_services(data, external_ref)


def _through_services(data: HistoricDossierIn, external_ref: str) -> None:
    try:
        dossier = dossier_submit(
            procedure_code=data.procedure,
            receiving_unit_code=data.receiving_unit,
            competent_unit_code=data.competent_unit,
            channel=data.channel,
            applicant=_applicant(data),
            components=_components(data),
            fees_exempt=data.fees_exempt,
            at=data.submitted_at,
            actor=None,
            external_ref=external_ref,
        )
    except Conflict as exc:
        if exc.field == "external_ref":
            raise  # a duplicate: the caller counts it as skipped
        raise _LineFailed(_error_text(exc)) from exc
    except (ApplicationError, DeadlineError, CalendarError, DatabaseError) as exc:
        raise _LineFailed(_error_text(exc)) from exc

    for k, event in enumerate(data.events):
        action = Action(event.action)
        payload = action_payload(action, event)
        if action is Action.ACCEPT and data.code:
            if payload.get("code", data.code) != data.code:
                raise _LineFailed(
                    f"events[{k}].code: differs from the dossier's code {data.code!r} (got {payload['code']!r})"
                )
            payload["code"] = data.code
        try:
            dossier = dossier_act(
                dossier_id=dossier.pk, action=action, actor=None, at=event.at, payload=payload
            )
        except (ApplicationError, DeadlineError, CalendarError, DatabaseError) as exc:
            raise _LineFailed(f"events[{k}] ({action.value}): {_error_text(exc)}") from exc

    if data.synced_to_portal_at is not None:
        Dossier.objects.filter(pk=dossier.pk).update(synced_to_portal_at=data.synced_to_portal_at)
        dossier.synced_to_portal_at = data.synced_to_portal_at
        fact_refresh(dossier)  # the report facts (portal_sync) see it when the line's facts are written


# ---------------------------------------------------------------------------------------------------------------
# the import


def _transient(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) is a lock the database gave up on, not a fault of the line."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OperationalError):
            # PostgreSQL's deadlock, serialization failure and lock timeout; SQLite's busy timeout
            state = getattr(seen.__cause__, "sqlstate", None)
            if state in {"40P01", "40001", "55P03"} or "database is locked" in str(seen):
                return True
        seen = seen.__cause__ or seen.__context__
    return False


Replay = Callable[[HistoricDossierIn, str, ReplayCache], None]


def _line(item: _Parsed, existing: set[str], replay: Replay, cache: ReplayCache) -> _Outcome:
    if item.data is None:
        return _Outcome(item, error=item.error)
    if item.external_ref in existing:
        return _Outcome(item, skipped=True)
    try:
        replay(item.data, item.external_ref, cache)
    except _LineFailed as exc:
        return _Outcome(item, error=exc.message)
    except Conflict:  # the same external_ref earlier in this file (or a concurrent import)
        return _Outcome(item, skipped=True)
    return _Outcome(item)


def _line_by_line(
    group: Sequence[_Parsed], existing: set[str], replay: Replay, cache: ReplayCache
) -> list[_Outcome]:
    """One transaction per line, the listeners called per line."""
    return [_line(item, existing, replay, cache) for item in group]


def _in_one_transaction(group: Sequence[_Parsed], existing: set[str], cache: ReplayCache) -> list[_Outcome]:
    """The group's lines in one transaction, a savepoint each, the listeners called once for all; if the batch
    cannot be written as a whole (module docstring), line by line instead."""
    to_write = sum(1 for item in group if item.data is not None and item.external_ref not in existing)
    if to_write < 2:
        return _line_by_line(group, existing, _replay, cache)
    outcomes: list[_Outcome] = []
    try:
        with replay_batch(cache) as batch:

            def replay(data: HistoricDossierIn, external_ref: str, cache: ReplayCache) -> None:
                try:
                    _replay(data, external_ref, cache, batch)
                except _LineFailed as exc:
                    if _transient(exc):
                        raise _BatchAbandoned from exc
                    raise

            outcomes = [_line(item, existing, replay, cache) for item in group]
    except Exception as exc:  # any failure of the batch: each line gets the outcome it has on its own
        logger.warning(
            "lines %d-%d written one transaction per line: their batch failed (%s)",
            group[0].line_no,
            group[-1].line_no,
            "a lock the database gave up on" if isinstance(exc, _BatchAbandoned) else type(exc).__name__,
        )
        return _line_by_line(group, existing, _replay, cache)
    return outcomes


def _groups(parsed: Sequence[_Parsed], size: int) -> Iterator[Sequence[_Parsed]]:
    for first in range(0, len(parsed), size):
        yield parsed[first : first + size]


def import_dossiers(
    lines: Iterable[str],
    *,
    source: str,
    progress: Callable[[int], None] | None = None,
    on_error: Callable[[LineError], None] | None = None,
    via: Literal["replay", "services"] = "replay",
    lines_per_transaction: int = LINES_PER_TRANSACTION,
) -> ImportResult:
    """Import historic dossiers from JSON Lines (interfaces §3.3); each line is atomic.

    ``lines`` is read lazily, a chunk of :data:`CHUNK` lines at a time (a file object streams).
    ``progress(n)`` is called after each non-blank line with its line number (blank lines count in the
    numbering); ``on_error(error)`` as soon as a line fails (once its batch is written), so a long import can
    report while it runs. ``source`` names the input in the result and the log. ``lines_per_transaction``
    lines are replayed in one transaction, each in a savepoint (1: a transaction per line). ``via="services"``
    replays each line through the services, one call per event, one transaction per line (slower; the
    reference the replay is tested against).
    """
    if lines_per_transaction < 1:
        raise ValueError(f"lines_per_transaction must be at least 1, got {lines_per_transaction}")
    result = ImportResult(source=source)
    cache = ReplayCache()  # catalogue rows and used codes, for all the lines of this import
    if via == "services":
        lines_per_transaction = 1

    def write(group: Sequence[_Parsed], existing: set[str]) -> list[_Outcome]:
        if via == "services":
            return _line_by_line(group, existing, _replay_through_services, cache)
        if lines_per_transaction == 1:
            return _line_by_line(group, existing, _replay, cache)
        return _in_one_transaction(group, existing, cache)

    for chunk in _chunks(lines, max(CHUNK, lines_per_transaction)):
        parsed = [_parse(n, line) for n, line in chunk]
        refs = [p.external_ref for p in parsed if p.data is not None]
        existing = set(Dossier.objects.filter(external_ref__in=refs).values_list("external_ref", flat=True))
        cache.codes_known(p.data.code for p in parsed if p.data is not None and p.data.code)
        for group in _groups(parsed, lines_per_transaction):
            for outcome in write(group, existing):
                if outcome.error is not None:
                    error = LineError(line_no=outcome.item.line_no, message=mask_personal_data(outcome.error))
                    result.failed += 1
                    result.errors.append(error)
                    if on_error is not None:
                        on_error(error)
                elif outcome.skipped:
                    result.skipped += 1
                else:
                    result.imported += 1
                if progress is not None:
                    progress(outcome.item.line_no)
    logger.info(
        "import of %s: imported %d, failed %d, skipped %d",
        source,
        result.imported,
        result.failed,
        result.skipped,
    )
    return result
