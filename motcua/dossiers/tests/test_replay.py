"""The replay (``dossier_replay``) writes exactly what the services write, in a handful of statements."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from conftest import COMMUNE, OTHER_COMMUNE, vn
from motcua.core.errors import Conflict, FieldError, StateError
from motcua.domain.lifecycle import Action
from motcua.dossiers import hooks
from motcua.dossiers.importer import ImportResult, import_dossiers
from motcua.dossiers.models import (
    DailySequence,
    Dossier,
    DossierComponent,
    DossierEvent,
    DossierResult,
    Payment,
)
from motcua.dossiers.replay import EventRefused, ReplayCache, ReplayEvent, dossier_replay
from motcua.dossiers.services import Applicant, ComponentIn, dossier_act, dossier_submit
from motcua.dossiers.tests.test_importer import dossier_line, ev, scenario, thousand_lines
from motcua.reports.facts import facts_verify
from motcua.reports.models import DossierFact, DueChange

pytestmark = pytest.mark.django_db

STATEMENT_BUDGET = 10
"""SQL statements a replayed line may take, at most (BEGIN and COMMIT or the savepoint pair included)."""


@pytest.fixture(autouse=True)
def no_listeners() -> Iterator[None]:
    """Other modules' listeners are theirs to test (their rows, their statements): these tests compare and
    count what the dossier services and the replay write. The contract with listeners (one call, every event)
    has its own test below."""
    with hooks.listeners_paused():
        yield


# ---------------------------------------------------------------------------------------------------------------
# what the two paths wrote, comparable across them (ids and clocks of the machine left out)

_DOSSIER_SKIP = {"id", "secret", "created_at", "updated_at"}


def _fields(obj: Any, skip: set[str]) -> dict[str, Any]:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.attname not in skip}


def written() -> dict[str, dict[str, Any]]:
    """Every dossier with its child rows and facts, keyed by external_ref (one query a table)."""

    def by_dossier(rows: Any, skip: set[str]) -> dict[int, list[dict[str, Any]]]:
        grouped: dict[int, list[dict[str, Any]]] = {}
        for row in rows:
            grouped.setdefault(row.dossier_id, []).append(_fields(row, {"id", "dossier_id", *skip}))
        return grouped

    components = by_dossier(DossierComponent.objects.order_by("id"), set())
    events = by_dossier(DossierEvent.objects.order_by("dossier_id", "seq"), {"recorded_at"})
    payments = by_dossier(Payment.objects.order_by("paid_at", "id"), set())
    results = by_dossier(DossierResult.objects.all(), set())
    due_changes = by_dossier(DueChange.objects.order_by("id"), set())
    facts = by_dossier(DossierFact.objects.all(), {"updated_at", "computed_at"})
    payloads = dict(DossierEvent.objects.values_list("pk", "payload"))
    texts: dict[int, list[str]] = {}
    for event in DossierEvent.objects.order_by("dossier_id", "seq").only("pk", "dossier_id"):
        texts.setdefault(event.dossier_id, []).append(json.dumps(payloads[event.pk]))
    out: dict[str, dict[str, Any]] = {}
    for dossier in Dossier.objects.order_by("pk"):
        assert dossier.external_ref is not None
        pk = dossier.pk
        out[dossier.external_ref] = {
            "dossier": _fields(dossier, _DOSSIER_SKIP),
            "components": components.get(pk, []),
            "events": events.get(pk, []),
            "payloads_as_text": texts.get(pk, []),  # the same keys in the same order, not only equal dicts
            "payments": payments.get(pk, []),
            "result": results.get(pk, []),
            "due_changes": due_changes.get(pk, []),
            "facts": facts.get(pk, []),
        }
    return out


def counters() -> dict[tuple[int, Any], int]:
    return {(s.unit_id, s.date): s.last for s in DailySequence.objects.all()}


class _Undo(Exception):
    pass


@contextmanager
def rolled_back() -> Iterator[None]:
    """Run the block, then undo everything it wrote."""
    try:
        with transaction.atomic():
            yield
            raise _Undo
    except _Undo:
        pass


def both_ways(run: Callable[[str], Any]) -> tuple[Any, Any, dict[str, Any], dict[str, Any], Any, Any]:
    """``run("services")`` then, after undoing it, ``run("replay")``: what each returned, wrote and counted."""
    with rolled_back():
        before = run("services")
        before_rows, before_counters = written(), counters()
        checked, differences = facts_verify()
        assert differences == [], differences[:5]
    after = run("replay")
    after_rows, after_counters = written(), counters()
    checked_after, differences = facts_verify()
    assert differences == [], differences[:5]
    assert checked_after == checked
    return before, after, before_rows, after_rows, before_counters, after_counters


# ---------------------------------------------------------------------------------------------------------------
# equivalence


def test_the_import_file_writes_the_same_rows_through_the_replay_as_through_the_services(catalogue):
    # given the 1,000-line file's first 280 lines (twenty of each of the fourteen kinds of history) and its
    # eight planted bad lines (the whole file takes minutes through the services)
    every, _, bad = thousand_lines()
    lines = [line for n, line in enumerate(every, start=1) if n <= 280 or n in bad]
    good = [line for n, line in enumerate(lines, start=1) if n <= 280 and n not in bad]

    # when it is imported through the services (one call per event), undone, then imported through the replay
    def run(via: str) -> ImportResult:
        return import_dossiers(lines, source="history.jsonl", via=via)  # type: ignore[arg-type]

    before, after, before_rows, after_rows, before_counters, after_counters = both_ways(run)

    # then the same lines fail, for the same reasons
    assert (after.imported, after.failed, after.skipped) == (before.imported, before.failed, before.skipped)
    assert after.errors == before.errors
    assert len(after.errors) == len(bad)
    # and the same dossiers, components, events (payloads byte for byte), payments, results, due changes
    # and report facts are written, and the daily counters end at the same numbers
    assert len(after_rows) == len(good)
    assert after_rows.keys() == before_rows.keys()
    for ref, rows in before_rows.items():
        assert after_rows[ref] == rows, ref
    assert after_counters == before_counters


def _edge_lines(staff: Any) -> list[str]:
    """Histories the thousand lines lack: assignment, explicit and unknown departments, codes refused or
    taken, a boundary-independent dossier forwarded, a supplement twice and late, fees exempt."""
    t0 = vn("2026-03-09 08:00")

    def h(hours: float) -> datetime:
        return t0 + timedelta(hours=hours)

    lines = [
        dossier_line(
            t0=t0,
            name="Assigned",
            external_ref="edge:assigned",
            events=[
                ev("accept", h(0.1)),
                ev("forward", h(0.2), department="TP-HT"),
                ev("assign", h(0.3), assignee="specialist"),
                ev("request_supplement", h(100), reason="muộn"),
                ev("supply_supplement", h(120)),
                ev("request_supplement", h(121), reason="lần hai"),
                ev("supply_supplement", h(122)),
                ev("confirm_payment", h(123), method="transfer", amount=15000, reference="UNC-1"),
                ev("confirm_payment", h(124), method="online", amount=1000),
                ev("resolve", h(125), result_code="KQ-A", e_copy=True),
                ev("deliver", h(126), method="postal"),
            ],
        ),
        dossier_line(
            t0=t0,
            name="Unknown department",
            external_ref="edge:nodept",
            events=[ev("accept", h(0.1)), ev("forward", h(0.2), department="XX")],
        ),
        dossier_line(
            t0=t0,
            name="Not a specialist",
            external_ref="edge:assignee",
            events=[ev("accept", h(0.1)), ev("forward", h(0.2)), ev("assign", h(0.3), assignee="desk")],
        ),
        dossier_line(
            t0=t0,
            name="Legacy code",
            code="OLD-1",
            external_ref="edge:old1",
            events=[ev("accept", h(0.1))],
        ),
        dossier_line(
            t0=t0,
            name="Code taken",
            code="OLD-1",
            external_ref="edge:old1-again",
            events=[ev("accept", h(0.1)), ev("forward", h(0.2))],
        ),
        dossier_line(
            t0=t0,
            name="Code differs",
            code="OLD-2",
            events=[ev("accept", h(0.1), code="OLD-3")],
        ),
        dossier_line(
            t0=t0,
            name="Generated code reused",
            code=f"{COMMUNE}-260309-0001",
            external_ref="edge:generated",
            events=[ev("accept", h(0.1))],
        ),
        dossier_line(
            "1.001022",
            t0=t0,
            name="Elsewhere",
            competent_unit=OTHER_COMMUNE,
            fees_exempt=True,
            events=[
                ev("accept", h(0.1)),
                ev("forward", h(0.2)),
                ev("resolve", h(10), result_code="KQ-E"),
                ev("deliver", h(11), method="desk"),
            ],
        ),
        dossier_line(
            t0=t0,
            name="Cancelled late",
            events=[ev("accept", h(0.1)), ev("forward", h(0.2)), ev("cancel", h(1), reason="trùng")],
        ),
        dossier_line(
            t0=t0,
            name="Bad amount",
            events=[ev("accept", h(0.1)), ev("confirm_payment", h(0.2), method="cheque", amount=1)],
        ),
    ]
    return [json.dumps(line, ensure_ascii=False) for line in lines]


def test_edge_histories_write_the_same_rows_and_fail_with_the_same_reasons(staff):
    # given
    lines = _edge_lines(staff)

    # when
    def run(via: str) -> ImportResult:
        return import_dossiers(lines, source="edge.jsonl", via=via)  # type: ignore[arg-type]

    before, after, before_rows, after_rows, before_counters, after_counters = both_ways(run)
    # then
    messages = {e.line_no: e.message for e in after.errors}
    assert messages == {e.line_no: e.message for e in before.errors}
    assert messages[2].startswith("events[1] (forward): department: is not a department of")
    assert messages[3].startswith("events[2] (assign): assignee: is not a specialist")
    assert messages[5] == "events[0] (accept): dossier code 'OLD-1' is already used"
    assert messages[6] == "events[0].code: differs from the dossier's code 'OLD-2' (got 'OLD-3')"
    assert messages[10].startswith("events[1] (confirm_payment): method: must be one of")
    assert messages[7] == f"events[0] (accept): dossier code '{COMMUNE}-260309-0001' is already used"
    assert after.imported == before.imported == 4
    assert after_rows == before_rows
    assert after_counters == before_counters
    assert after_rows["edge:assigned"]["dossier"]["flags"] == [
        "late_supplement_request",
        "repeat_supplement_request",
    ]


def test_a_replay_by_a_person_is_what_the_services_do_for_that_person(staff):
    # given an admin entering a history by hand, event by event, or in one replay
    t0 = vn("2026-03-10 09:00")
    steps = [
        ReplayEvent(Action.ACCEPT, t0 + timedelta(minutes=5)),
        ReplayEvent(Action.FORWARD, t0 + timedelta(minutes=6)),
        ReplayEvent(Action.REQUEST_PAYMENT, t0 + timedelta(hours=2), {"amount": 40000}),
        ReplayEvent(Action.CONFIRM_PAYMENT, t0 + timedelta(hours=30), {"method": "cash", "amount": 40000}),
        ReplayEvent(
            Action.EXTEND,
            t0 + timedelta(hours=31),
            {"new_appointment": t0 + timedelta(days=40), "reason": "xin lỗi"},
        ),
        ReplayEvent(Action.STOP, t0 + timedelta(days=3), {"reason_code": "withdrawn", "reason": "rút"}),
    ]
    submission: dict[str, Any] = {
        "procedure_code": "1.012784",
        "receiving_unit_code": COMMUNE,
        "channel": "direct",
        "applicant": Applicant(name="Hoàng Văn C", id_number="004090000123", phone="0912 345 678"),
        "components": [ComponentIn(code="DON", digitized=True)],
        "at": t0,
        "actor": staff.admin,
        "external_ref": "by-hand",
    }

    def run(via: str) -> Dossier:
        if via == "replay":
            return dossier_replay(**submission, events=steps)
        dossier = dossier_submit(**submission)
        for step in steps:
            dossier = dossier_act(
                dossier_id=dossier.pk, action=step.action, actor=staff.admin, at=step.at, payload=step.payload
            )
        return dossier

    # when
    _, dossier, before_rows, after_rows, before_counters, after_counters = both_ways(run)
    # then
    assert after_rows == before_rows
    assert after_counters == before_counters
    assert dossier.state == "stopped"
    assert [e.actor_id for e in dossier.events.all()] == [staff.admin.pk] * 7
    assert {e.actor_role for e in dossier.events.all()} == {"admin"}


# ---------------------------------------------------------------------------------------------------------------
# the service itself


def _submission(**extra: Any) -> dict[str, Any]:
    return {
        "procedure_code": "1.001193",
        "receiving_unit_code": COMMUNE,
        "channel": "direct",
        "applicant": Applicant(name="Lý Thị D"),
        "components": [ComponentIn(code="TK")],
        "at": vn("2026-03-09 08:00"),
        **extra,
    }


def test_a_refused_event_is_named_and_leaves_nothing_behind_not_even_its_number(catalogue):
    # given a history whose last event is not allowed
    events = [
        ReplayEvent(Action.ACCEPT, vn("2026-03-09 08:10")),
        ReplayEvent(Action.FORWARD, vn("2026-03-09 08:20")),
        ReplayEvent(Action.DELIVER, vn("2026-03-09 08:30"), {"method": "desk"}),
    ]
    # when
    with pytest.raises(EventRefused) as refused:
        dossier_replay(**_submission(), events=events)
    # then
    assert refused.value.index == 2
    assert isinstance(refused.value.error, StateError)
    assert refused.value.message.startswith("events[2] (deliver): action 'deliver' is not allowed in state")
    assert Dossier.objects.count() == DossierEvent.objects.count() == DailySequence.objects.count() == 0


def test_times_going_backwards_are_refused(catalogue):
    events = [ReplayEvent(Action.ACCEPT, vn("2026-03-09 07:59"))]
    with pytest.raises(EventRefused) as refused:
        dossier_replay(**_submission(), events=events)
    assert isinstance(refused.value.error, FieldError)
    assert "times going backwards" in refused.value.message


def test_a_second_replay_with_the_same_external_ref_is_a_conflict(catalogue):
    # given
    dossier_replay(**_submission(external_ref="legacy:1"), events=[])
    # when / then
    with pytest.raises(Conflict) as conflict:
        dossier_replay(**_submission(external_ref="legacy:1"), events=[])
    assert conflict.value.field == "external_ref"
    assert Dossier.objects.count() == 1


def test_a_code_taken_after_the_cache_looked_is_refused_at_the_accept(catalogue):
    # given a cache that saw the code free, then another dossier took it
    cache = ReplayCache()
    cache.codes_known(["LEGACY-9"])
    dossier_replay(
        **_submission(), events=[ReplayEvent(Action.ACCEPT, vn("2026-03-09 08:05"))], code="LEGACY-9"
    )
    # when the cache is stale
    with pytest.raises(EventRefused) as refused:
        dossier_replay(
            **_submission(),
            events=[ReplayEvent(Action.ACCEPT, vn("2026-03-09 08:05"))],
            code="LEGACY-9",
            cache=cache,
        )
    # then the unique constraint caught it, and the services' message names the accept
    assert refused.value.message == "events[0] (accept): dossier code 'LEGACY-9' is already used"
    assert Dossier.objects.count() == 1


def test_listeners_are_called_once_with_every_event_of_the_line(catalogue):
    # given
    calls: list[tuple[str, list[str]]] = []
    hooks.listen(
        "test.replay", lambda dossier, events: calls.append((dossier.state, [e.action for e in events]))
    )
    try:
        # when
        dossier_replay(
            **_submission(),
            events=[
                ReplayEvent(Action.ACCEPT, vn("2026-03-09 08:05")),
                ReplayEvent(Action.FORWARD, vn("2026-03-09 08:06")),
            ],
        )
    finally:
        hooks.unlisten("test.replay")
    # then
    assert calls == [("processing", ["submit", "accept", "forward"])]


# ---------------------------------------------------------------------------------------------------------------
# the statement budget


def test_a_replayed_line_takes_at_most_ten_statements(catalogue):
    # given the fourteen kinds of history, the catalogue already cached (as after an import's first lines)
    lines = [json.dumps(scenario(i), ensure_ascii=False) for i in range(1, 141)]
    import_dossiers(
        [json.dumps(scenario(n), ensure_ascii=False) for n in range(2000, 2014)], source="warm-up"
    )
    # when
    with CaptureQueriesContext(connection) as queries:
        result = import_dossiers(lines, source="x")
    # then
    assert (result.imported, result.failed) == (len(lines), 0)
    per_line = len(queries) / len(lines)
    assert per_line <= STATEMENT_BUDGET, [q["sql"][:60] for q in queries.captured_queries[:20]]


def test_the_services_path_took_four_times_as_many(catalogue):
    # given
    lines = [json.dumps(scenario(i), ensure_ascii=False) for i in range(1, 29)]
    # when
    with rolled_back(), CaptureQueriesContext(connection) as through_services:
        import_dossiers(lines, source="x", via="services")
    with CaptureQueriesContext(connection) as replayed:
        import_dossiers(lines, source="x")
    # then
    assert len(through_services) >= 4 * len(replayed)


# ---------------------------------------------------------------------------------------------------------------
# concurrency


def _in_thread(fn: Callable[[int], str | None], i: int) -> str | None:
    try:
        return fn(i)
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks are proven on PostgreSQL")
def test_parallel_replays_and_desk_acceptances_share_one_gapless_counter(staff):
    # given 20 dossiers waiting at the desk, and 60 historic lines accepted the same day, every fifth of which
    # is refused after its acceptance drew a number
    waiting = [
        dossier_submit(**_submission(applicant=Applicant(name=f"Chờ {i}"), actor=staff.desk)).pk
        for i in range(20)
    ]
    accepted_at = vn("2026-03-09 09:00")

    def replay(i: int) -> str | None:
        events = [ReplayEvent(Action.ACCEPT, accepted_at)]
        if i % 5 == 0:
            events.append(ReplayEvent(Action.DELIVER, accepted_at, {"method": "desk"}))
        try:
            return dossier_replay(**_submission(applicant=Applicant(name=f"Cũ {i}")), events=events).code
        except EventRefused:
            return None

    def accept(i: int) -> str | None:
        return dossier_act(dossier_id=waiting[i], action=Action.ACCEPT, actor=staff.desk, at=accepted_at).code

    # when both run at once, on 8 connections
    with ThreadPoolExecutor(max_workers=8) as pool:
        replayed = pool.map(lambda i: _in_thread(replay, i), range(60))
        desk = pool.map(lambda i: _in_thread(accept, i), range(20))
        codes = [c for c in [*replayed, *desk] if c]
    # then the 68 acceptances that stayed have the numbers 0001..0068, each once
    assert sorted(codes) == [f"{COMMUNE}-260309-{n:04d}" for n in range(1, 69)]
    assert DailySequence.objects.get().last == 68
