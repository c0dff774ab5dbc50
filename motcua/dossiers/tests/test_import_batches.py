"""The import in batches: many lines a transaction (a savepoint each), the listeners called once a batch.

``import_dossiers`` replays ``lines_per_transaction`` lines in one transaction and calls the dossier listeners
once for all the lines that succeeded (``hooks.notify_many``). These tests hold that it writes exactly what the
line-by-line import writes (one transaction and one ``hooks.notify`` a line), listeners' rows included, that a
bad line still fails alone, and that the batch costs fewer statements.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from conftest import COMMUNE, OTHER_COMMUNE, Staff, vn
from motcua.core.errors import FieldError
from motcua.domain.lifecycle import Action
from motcua.dossiers import hooks
from motcua.dossiers import importer as importer_module
from motcua.dossiers.importer import ImportResult, import_dossiers
from motcua.dossiers.models import DailySequence, Dossier, DossierEvent, Payment
from motcua.dossiers.replay import ReplayEvent, dossier_replay
from motcua.dossiers.services import Applicant, ComponentIn, dossier_act, dossier_submit
from motcua.dossiers.tests.test_importer import dossier_line, ev, planted_bad_lines, scenario
from motcua.dossiers.tests.test_replay import _in_thread, counters, rolled_back, written
from motcua.interop.listeners import linked_cache_clear
from motcua.interop.models import AgencyRequest, AgencyRequestEvent, BoundaryHop, BoundaryHopEvent
from motcua.interop.services import linked_groups_load
from motcua.interop.tests.test_interop import GROUP
from motcua.notify.models import NotificationLog
from motcua.payments import services as pay
from motcua.payments.models import FeeLine, GatewayTransaction, Refund
from motcua.portal.models import OutboxMessage

pytestmark = pytest.mark.django_db

ACCEPTED_AT = vn("2026-03-09 09:00")


def dump(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False)


@pytest.fixture
def linked(catalogue: dict[str, object]) -> Iterator[None]:
    """The birth registration (1.001193) is an interconnected procedure (three sequential steps)."""
    linked_groups_load(GROUP)
    yield
    linked_cache_clear()  # the group is rolled back with the test; the process-wide cache must forget it


@pytest.fixture
def notify_calls(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[int]]:
    """How the listeners were called: events per ``notify``, items per ``notify_many``."""
    calls: dict[str, list[int]] = {"notify": [], "notify_many": []}
    one, many = hooks.notify, hooks.notify_many

    def notify(dossier: Dossier, events: Sequence[DossierEvent]) -> None:
        calls["notify"].append(len(events))
        one(dossier, events)

    def notify_many(items: Sequence[hooks.Item]) -> None:
        calls["notify_many"].append(len(items))
        many(items)

    monkeypatch.setattr(hooks, "notify", notify)
    monkeypatch.setattr(hooks, "notify_many", notify_many)
    return calls


# ---------------------------------------------------------------------------------------------------------------
# lines


def recent_lines(now: datetime) -> list[str]:
    """Histories of the last day: the applicant is told of them (older events send nothing)."""
    t0 = (now - timedelta(hours=20)).replace(second=0, microsecond=0)

    def h(hours: float) -> datetime:
        return t0 + timedelta(hours=hours)

    email = {"email": "a@example.vn"}
    return [
        dump(
            dossier_line(
                "1.001022",
                t0=t0,
                name="Gần đây 1",
                channel="online",
                events=[
                    ev("accept", h(0.1)),
                    ev("forward", h(0.2)),
                    ev("request_supplement", h(1), reason="thiếu chứng cứ"),
                    ev("supply_supplement", h(2)),
                    ev("resolve", h(3), result_code="KQ-R1"),
                ],
            )
            | {"applicant": {"name": "Gần đây 1", "phone": "0912345678", **email}}
        ),
        dump(
            dossier_line(
                "2.000815",
                t0=t0,
                name="Gần đây 2",
                events=[
                    ev("accept", h(0.1)),
                    ev("confirm_payment", h(0.2), method="cash", amount=2000),
                    ev("forward", h(0.3)),
                    ev("resolve", h(4), result_code="KQ-R2"),
                ],
            )
        ),
        dump(
            dossier_line(
                "2.000815",
                t0=t0,
                name="Gần đây 3",
                events=[
                    ev("accept", h(0.1)),
                    ev("confirm_payment", h(0.2), method="cash", amount=2000),
                    ev("stop", h(5), reason="not_eligible"),
                ],
            )
        ),
        dump(
            dossier_line(t0=t0, name="Gần đây 4", events=[ev("refuse", h(0.1), reason="không đủ điều kiện")])
        ),
    ]


def other_lines() -> list[str]:
    """Paid then stopped, boundary-independent to its end, interconnected and then stopped, two late refusals
    (one with an old code of its own, one after its acceptance drew a number)."""
    t0 = vn("2025-09-08 08:00")

    def h(hours: float) -> datetime:
        return t0 + timedelta(hours=hours)

    bad = planted_bad_lines()
    return [
        dump(
            dossier_line(
                "2.000815",
                t0=t0,
                name="Nộp rồi dừng",
                events=[
                    ev("accept", h(0.1)),
                    ev("confirm_payment", h(0.2), method="cash", amount=2000),
                    ev("stop", h(2), reason="withdrawn"),
                ],
            )
        ),
        dump(
            dossier_line(
                "1.001022",
                t0=t0,
                name="Phi địa giới",
                competent_unit=OTHER_COMMUNE,
                events=[
                    ev("accept", h(0.1)),
                    ev("forward", h(0.2)),
                    ev("resolve", h(20), result_code="KQ-PDG"),
                    ev("deliver", h(30), method="desk"),
                ],
            )
        ),
        dump(
            dossier_line(
                "1.001193",
                t0=t0,
                name="Liên thông dừng",
                events=[ev("accept", h(0.1)), ev("forward", h(0.2)), ev("stop", h(3), reason="withdrawn")],
            )
        ),
        bad[707][0],
        dump(
            dossier_line(
                t0=t0,
                name="Chuyển hai lần",
                events=[ev("accept", h(0.1)), ev("forward", h(0.2)), ev("forward", h(0.3))],
            )
        ),
    ]


def equivalence_lines() -> list[str]:
    lines = [dump(scenario(i)) for i in range(1, 43)]  # three of each of the fourteen kinds of history
    extra = other_lines() + recent_lines(timezone.now())
    for k, line in enumerate(extra):
        lines.insert(3 + 4 * k, line)  # spread over several batches
    lines.insert(20, lines[7])  # the same line twice: skipped the second time
    return lines


# ---------------------------------------------------------------------------------------------------------------
# what the listeners wrote, comparable across two imports (ids of the machine replaced by what they name)

_DOSSIER_ID = re.compile(r"(\d{3}\.\d{2}\.\d{2}\.H\d{2}):(\d+)|dossier:(\d+):")


def _fields(obj: Any, skip: set[str]) -> dict[str, Any]:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.attname not in skip}


def listener_rows() -> dict[str, list[Any]]:
    """The portal outbox, fee lines, refunds, held transactions, notification logs and their send tasks, hops
    and interconnected steps, in the order they were written; dossier ids replaced by external references."""
    ref = dict(Dossier.objects.values_list("pk", "external_ref"))
    receipt = dict(Payment.objects.values_list("pk", "receipt_number"))
    txn = dict(GatewayTransaction.objects.values_list("pk", "txn_ref"))

    def text(value: Any) -> str:
        def swap(m: re.Match[str]) -> str:
            if m.group(3):
                return f"dossier:{ref[int(m.group(3))]}:"
            return f"{m.group(1)}:{ref[int(m.group(2))]}"

        return _DOSSIER_ID.sub(
            swap, value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        )

    def by_dossier(row: dict[str, Any]) -> dict[str, Any]:
        row["dossier"] = ref[row.pop("dossier_id")]
        return row

    outbox = [
        by_dossier(_fields(m, {"id", "created_at"}))
        | {"idempotency_key": text(m.idempotency_key), "payload": text(m.payload)}
        for m in OutboxMessage.objects.order_by("id")
    ]
    logs = {log.pk: text(log.key) for log in NotificationLog.objects.all()}
    notifications = [
        by_dossier(_fields(log, {"id", "uuid", "created_at", "user_id"})) | {"key": text(log.key)}
        for log in NotificationLog.objects.order_by("id")
    ]
    tasks = [
        (t.task_path, [logs.get(a, a) for a in t.args_kwargs["args"]])
        for t in DBTaskResult.objects.order_by("enqueued_at", "id")
    ]
    refunds = [
        by_dossier(_fields(r, {"id", "payment_id", "transaction_id"}))
        | {"payment": receipt.get(r.payment_id), "transaction": txn.get(r.transaction_id)}
        for r in Refund.objects.order_by("id")
    ]
    hop_of = dict(BoundaryHop.objects.values_list("pk", "dossier_id"))
    request_of = {r.pk: (ref[r.dossier_id], r.order) for r in AgencyRequest.objects.all()}
    return {
        "outbox": outbox,
        "fee_lines": [by_dossier(_fields(f, {"id"})) for f in FeeLine.objects.order_by("id")],
        "refunds": refunds,
        "gateway": [_fields(t, {"id", "dossier_id"}) for t in GatewayTransaction.objects.order_by("id")],
        "notifications": notifications,
        "tasks": tasks,
        "hops": [by_dossier(_fields(h, {"id"})) for h in BoundaryHop.objects.order_by("id")],
        "hop_events": [
            _fields(e, {"id", "hop_id"}) | {"dossier": ref[hop_of[e.hop_id]]}
            for e in BoundaryHopEvent.objects.order_by("id")
        ],
        "requests": [by_dossier(_fields(r, {"id"})) for r in AgencyRequest.objects.order_by("id")],
        "request_events": [
            _fields(e, {"id", "request_id", "recorded_at"}) | {"request": request_of[e.request_id]}
            for e in AgencyRequestEvent.objects.order_by("id")
        ],
    }


Rows = dict[str, Any]


def two_ways(run: Callable[[int], ImportResult]) -> tuple[ImportResult, ImportResult, Rows, Rows, Rows, Rows]:
    """``run(1)`` (a transaction and a notify a line) then, after undoing it, ``run(n)`` (batches)."""
    with rolled_back():
        one = run(1)
        one_rows, one_listeners, one_counters = written(), listener_rows(), counters()
    many = run(7)
    many_rows, many_listeners, many_counters = written(), listener_rows(), counters()
    assert many_counters == one_counters
    return one, many, one_rows, many_rows, one_listeners, many_listeners


# ---------------------------------------------------------------------------------------------------------------
# equivalence


def test_batches_write_the_same_rows_as_one_transaction_a_line_listeners_included(
    linked: None, notify_calls: dict[str, list[int]]
) -> None:
    # given 42 lines of the fourteen kinds of history, histories of the last day (messages to the applicant), a
    # paid dossier stopped (a refund), a boundary-independent one (its hop), interconnected ones (their steps,
    # one withdrawn), two late refusals and a repeated line
    lines = equivalence_lines()

    # when the file is imported a transaction a line, undone, then imported seven lines a transaction
    def run(per_transaction: int) -> ImportResult:
        return import_dossiers(lines, source="history.jsonl", lines_per_transaction=per_transaction)

    one, many, one_rows, many_rows, one_listeners, many_listeners = two_ways(run)

    # then the line-by-line import called the listeners per line, the batched one per batch
    assert len(notify_calls["notify"]) == one.imported
    assert sum(notify_calls["notify_many"]) == many.imported
    assert len(notify_calls["notify_many"]) == -(-len(lines) // 7)
    # and the same lines fail for the same reasons, with their line numbers
    assert (many.imported, many.failed, many.skipped) == (one.imported, one.failed, one.skipped) == (49, 2, 1)
    assert many.errors == one.errors
    assert [e.line_no for e in many.errors] == [
        lines.index(other_lines()[3]) + 1,
        lines.index(other_lines()[4]) + 1,
    ]
    # and the same dossiers, events, payments, results, facts are written
    assert many_rows == one_rows
    # and the listeners wrote the same rows, in the same order
    for table, rows in one_listeners.items():
        assert len(many_listeners[table]) == len(rows), table
        for k, (row, other) in enumerate(zip(rows, many_listeners[table], strict=True)):
            assert other == row, (table, k)
    assert many_listeners.keys() == one_listeners.keys()
    # (each kind of row is there: a vacuous comparison proves nothing)
    for table in ("outbox", "fee_lines", "refunds", "notifications", "tasks", "hops", "hop_events"):
        assert many_listeners[table], table
    assert {r["status"] for r in many_listeners["requests"]} == {"sent", "waiting", "withdrawn"}
    assert {r["template"] for r in many_listeners["notifications"]} == {
        "dossier_accepted",
        "supplement_requested",
        "result_ready",
        "payment_received",
    }


def test_an_imported_boundary_independent_dossier_gets_the_hop_the_services_give_it(catalogue: None) -> None:
    # given a dossier received here for the other commune, forwarded, resolved there and delivered here
    t0 = vn("2025-09-08 08:00")
    line = dossier_line(
        "1.001022",
        t0=t0,
        competent_unit=OTHER_COMMUNE,
        events=[
            ev("accept", t0 + timedelta(hours=0.1)),
            ev("forward", t0 + timedelta(hours=0.2)),
            ev("resolve", t0 + timedelta(hours=20), result_code="KQ"),
            ev("deliver", t0 + timedelta(hours=30), method="desk"),
        ],
    )
    # when it is imported through the services (a notify an action), undone, then through the replay
    with rolled_back():
        import_dossiers([dump(line)], source="x", via="services")
        services = listener_rows()
    import_dossiers([dump(line)], source="x")
    replayed = listener_rows()
    # then both give it the same hop, moved through each of its states
    assert replayed["hops"] == services["hops"]
    assert replayed["hop_events"] == services["hop_events"]
    assert [e["status"] for e in replayed["hop_events"]] == [1, 4, 3]


# ---------------------------------------------------------------------------------------------------------------
# failures inside a batch


def accepted_line(i: int, *, late_refusal: bool = False) -> str:
    """A line accepted on ACCEPTED_AT without a code of its own (it draws a number); ``late_refusal``: its next
    event is not allowed, after the number was drawn."""
    events = [ev("accept", ACCEPTED_AT)]
    if late_refusal:
        events.append(ev("deliver", ACCEPTED_AT + timedelta(minutes=1), method="desk"))
    return dump(dossier_line(t0=ACCEPTED_AT - timedelta(minutes=30), name=f"Công dân {i:03d}", events=events))


def codes_in_file_order() -> list[str | None]:
    return list(Dossier.objects.order_by("pk").values_list("code", flat=True))


def test_a_bad_line_in_a_batch_fails_alone_and_every_other_line_is_imported_once(catalogue: None) -> None:
    # given nine lines in one batch: the fifth is refused after its acceptance drew a number, the eighth repeats
    # the second
    lines = [accepted_line(i, late_refusal=i == 5) for i in range(1, 8)]
    lines.insert(7, lines[1])
    lines.append(accepted_line(9))
    # when
    result = import_dossiers(lines, source="x", lines_per_transaction=100)
    # then the bad line is reported with its number, and nothing of it remains
    assert (result.imported, result.failed, result.skipped) == (7, 1, 1)
    assert [str(e) for e in result.errors] == [
        "line 5: events[1] (deliver): action 'deliver' is not allowed in state 'received'; "
        "allowed: forward, confirm_payment, stop, cancel"
    ]
    assert not Dossier.objects.filter(applicant_name="Công dân 005").exists()
    # and the other lines are imported once each, numbered without a gap in the order of the file
    names = list(Dossier.objects.order_by("pk").values_list("applicant_name", flat=True))
    assert names == [f"Công dân {i:03d}" for i in (1, 2, 3, 4, 6, 7, 9)]
    assert codes_in_file_order() == [f"{COMMUNE}-260309-{n:04d}" for n in range(1, 8)]
    assert DailySequence.objects.get().last == 7
    # and the listeners wrote for those seven lines: two portal messages each (lodged, received), fee lines
    assert OutboxMessage.objects.count() == 14
    assert set(OutboxMessage.objects.values_list("dossier_id", flat=True)) == set(
        Dossier.objects.values_list("pk", flat=True)
    )
    assert FeeLine.objects.values("dossier_id").distinct().count() == 7


def test_a_listener_refusing_one_dossier_fails_its_line_alone(catalogue: None) -> None:
    # given a listener that refuses one applicant's dossier, and a batch of six lines, the fourth of them his
    def refuse(dossier: Dossier, events: Sequence[DossierEvent]) -> None:
        if dossier.applicant_name == "Công dân 004":
            raise FieldError("applicant.name", dossier.applicant_name, "is refused by a listener")

    def refuse_many(items: Sequence[hooks.Item]) -> None:
        for dossier, events in items:
            refuse(dossier, events)

    hooks.listen("tests.refuse", refuse, batch=refuse_many)
    try:
        # when
        result = import_dossiers(
            [accepted_line(i) for i in range(1, 7)], source="x", lines_per_transaction=100
        )
    finally:
        hooks.unlisten("tests.refuse")
    # then the batch was written again line by line: that line fails with its number, the others are imported
    # once, numbered without a gap
    assert (result.imported, result.failed, result.skipped) == (5, 1, 0)
    assert [(e.line_no, e.message) for e in result.errors] == [
        (4, "applicant.name: is refused by a listener (got 'Công dân 004')")
    ]
    assert codes_in_file_order() == [f"{COMMUNE}-260309-{n:04d}" for n in range(1, 6)]
    assert OutboxMessage.objects.count() == 10


def test_a_batch_picked_as_a_deadlock_victim_is_written_again_line_by_line(
    catalogue: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the database gives up on a lock while the third line of a batch is written, once
    real = importer_module.dossier_replay
    failed: list[str] = []

    class DeadlockDetected(Exception):
        sqlstate = "40P01"

    def replay(**kwargs: Any) -> Dossier:
        if kwargs["batch"] is not None and kwargs["applicant"].name == "Công dân 003" and not failed:
            failed.append("once")
            try:
                raise DeadlockDetected("deadlock detected")
            except DeadlockDetected as exc:
                raise OperationalError("deadlock detected") from exc
        return real(**kwargs)

    monkeypatch.setattr(importer_module, "dossier_replay", replay)
    # when
    result = import_dossiers([accepted_line(i) for i in range(1, 6)], source="x", lines_per_transaction=100)
    # then no line failed for it: the batch was rolled back and its lines written again, each once
    assert failed == ["once"]
    assert (result.imported, result.failed, result.skipped) == (5, 0, 0)
    assert codes_in_file_order() == [f"{COMMUNE}-260309-{n:04d}" for n in range(1, 6)]
    assert OutboxMessage.objects.count() == 10


def test_lines_per_transaction_must_be_positive(catalogue: None) -> None:
    with pytest.raises(ValueError, match="lines_per_transaction must be at least 1, got 0"):
        import_dossiers([], source="x", lines_per_transaction=0)


# ---------------------------------------------------------------------------------------------------------------
# the statement budget, listeners on


STATEMENT_BUDGET_WITH_LISTENERS = 9
"""SQL statements a line may take, at most, with every listener on (savepoints included): the replay's own
~6 and its savepoint pair; the listeners' statements are per batch."""


def test_a_batched_line_takes_at_most_nine_statements_with_the_listeners_on(catalogue: None) -> None:
    # given the fourteen kinds of history, the catalogue already cached (as after an import's first lines)
    lines = [dump(scenario(i)) for i in range(1, 141)]
    import_dossiers([dump(scenario(n)) for n in range(2000, 2014)], source="warm-up")
    # when they are imported one transaction a line, undone, then in batches
    with rolled_back(), CaptureQueriesContext(connection) as line_by_line:
        import_dossiers(lines, source="x", lines_per_transaction=1)
    with CaptureQueriesContext(connection) as batched:
        result = import_dossiers(lines, source="x")
    # then
    assert (result.imported, result.failed) == (len(lines), 0)
    per_line = len(batched) / len(lines)
    assert per_line <= STATEMENT_BUDGET_WITH_LISTENERS, [q["sql"][:60] for q in batched.captured_queries[:40]]
    assert len(line_by_line) >= 2 * len(batched)


# ---------------------------------------------------------------------------------------------------------------
# the hooks


def test_notify_many_calls_each_batch_listener_once_and_the_others_per_dossier(staff: Staff) -> None:
    # given two dossiers and their events, a batch listener and a plain one
    with hooks.listeners_paused():
        a = dossier_submit(
            procedure_code="1.001193",
            receiving_unit_code=COMMUNE,
            channel="direct",
            applicant=Applicant(name="A"),
            components=[ComponentIn(code="TK")],
            actor=staff.desk,
        )
        b = dossier_replay(
            procedure_code="1.001193",
            receiving_unit_code=COMMUNE,
            channel="direct",
            applicant=Applicant(name="B"),
            components=[ComponentIn(code="TK")],
            at=ACCEPTED_AT - timedelta(minutes=30),
            events=[ReplayEvent(Action.ACCEPT, ACCEPTED_AT)],
        )
        calls: list[tuple[str, Any]] = []
        hooks.listen(
            "tests.batch",
            lambda d, events: calls.append(("batch.one", d.applicant_name)),
            batch=lambda items: calls.append(("batch.many", [(d.applicant_name, len(e)) for d, e in items])),
        )
        hooks.listen(
            "tests.plain", lambda d, events: calls.append(("plain", (d.applicant_name, len(events))))
        )
        a_events = list(a.events.all())
        b_events = list(b.events.order_by("seq"))
        # when
        hooks.notify_many([(a, a_events), (b, []), (b, b_events)])
        hooks.notify(a, a_events)
        hooks.notify_many([(a, [])])
    # then items without events are left out; notify calls the single functions only
    assert calls == [
        ("batch.many", [("A", 1), ("B", 2)]),
        ("plain", ("A", 1)),
        ("plain", ("B", 2)),
        ("batch.one", "A"),
        ("plain", ("A", 1)),
    ]


# ---------------------------------------------------------------------------------------------------------------
# payments: held online payments and refunds, one dossier at a time or in a batch


def test_the_payments_batch_listener_writes_and_schedules_what_the_single_one_does(
    staff: Staff, django_capture_on_commit_callbacks: Any
) -> None:
    # given, written with the listeners off: A accepted with an online payment held before acceptance, B refused
    # at intake with one held, C paid at the desk and stopped, D submitted
    def submitted(name: str) -> Dossier:
        return dossier_submit(
            procedure_code="1.001022",
            receiving_unit_code=COMMUNE,
            channel="online",
            applicant=Applicant(name=name),
            components=[ComponentIn(code="TK"), ComponentIn(code="CC")],
            actor=None,
            at=ACCEPTED_AT - timedelta(hours=1),
            external_ref=f"test:{name}",
        )

    def held(dossier: Dossier, ref: str) -> None:
        GatewayTransaction.objects.create(
            txn_ref=ref,
            dossier=dossier,
            amount=15000,
            order_info="x",
            status=GatewayTransaction.Status.HELD,
            created_at=ACCEPTED_AT - timedelta(minutes=30),
            expires_at=ACCEPTED_AT,
        )

    with hooks.listeners_paused():
        a, b, c, d = (submitted(name) for name in "ABCD")
        held(a, "HELD-A")
        held(b, "HELD-B")
        a = dossier_act(dossier_id=a.pk, action=Action.ACCEPT, actor=staff.desk, at=ACCEPTED_AT)
        b = dossier_act(dossier_id=b.pk, action=Action.REFUSE, actor=staff.desk, payload={"reason": "sai"})
        for action, actor, payload in [
            (Action.ACCEPT, staff.desk, {}),
            (Action.CONFIRM_PAYMENT, staff.desk, {"method": "cash", "amount": 15000}),
            (Action.STOP, staff.approver, {"reason_code": "withdrawn"}),
        ]:
            c = dossier_act(dossier_id=c.pk, action=action, actor=actor, payload=payload)

    def events(dossier: Dossier, *, submission: bool) -> list[DossierEvent]:
        found = dossier.events.order_by("seq")
        return list(found if submission else found.exclude(action="submit"))

    # what each operation reported: A's acceptance, B's refusal, C's whole history, D's submission
    items = [
        (a, events(a, submission=False)),
        (b, events(b, submission=False)),
        (c, events(c, submission=True)),
        (d, events(d, submission=True)),
    ]
    # when the single listener runs per dossier, undone, then the batch one for all
    with rolled_back():
        with django_capture_on_commit_callbacks() as one_callbacks:
            for dossier, events in items:
                pay.on_dossier_events(dossier, events)
        one = listener_rows()
    with django_capture_on_commit_callbacks() as many_callbacks:
        pay.on_dossier_events_many(items)
    many = listener_rows()
    # then the same rows: fee lines of C and D, refunds of C's payment and B's held payment, B's held
    # transaction to review; and the same work after commit: recording A's held payment
    assert many == one
    assert [r["reason"] for r in many["refunds"]] == ["Từ chối tiếp nhận: sai", "Dừng xử lý: withdrawn"]
    assert [(t["txn_ref"], t["status"]) for t in many["gateway"]] == [
        ("HELD-A", "held"),
        ("HELD-B", "review"),
    ]
    assert {f["dossier"] for f in many["fee_lines"]} == {c.external_ref, d.external_ref}
    assert len(one_callbacks) == len(many_callbacks) == 1
    assert one_callbacks[0].args == many_callbacks[0].args == (a.pk,)


# ---------------------------------------------------------------------------------------------------------------
# concurrency


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks are proven on PostgreSQL")
def test_parallel_batched_imports_and_desk_acceptances_share_one_gapless_counter(staff: Staff) -> None:
    # given 20 dossiers waiting at the desk, and four files of 15 lines accepted the same day, every fifth line
    # refused after its acceptance drew a number
    waiting = [
        dossier_submit(
            procedure_code="1.001193",
            receiving_unit_code=COMMUNE,
            channel="direct",
            applicant=Applicant(name=f"Chờ {i}"),
            components=[ComponentIn(code="TK")],
            actor=staff.desk,
            at=ACCEPTED_AT - timedelta(hours=1),
        ).pk
        for i in range(20)
    ]
    files = [[accepted_line(100 * f + i, late_refusal=i % 5 == 0) for i in range(15)] for f in range(4)]

    def run(f: int) -> ImportResult:
        return import_dossiers(files[f], source=f"file-{f}", lines_per_transaction=5)

    def accept(i: int) -> str | None:
        return dossier_act(dossier_id=waiting[i], action=Action.ACCEPT, actor=staff.desk, at=ACCEPTED_AT).code

    # when the four imports and the desk run at once, on 8 connections
    with ThreadPoolExecutor(max_workers=8) as pool:
        imports = pool.map(lambda f: _in_thread(run, f), range(4))  # type: ignore[arg-type]
        desk = pool.map(lambda i: _in_thread(accept, i), range(20))
        results, desk_codes = list(imports), list(desk)
    # then each file imported its 12 good lines, and the 68 acceptances that stayed have 0001..0068, each once
    assert [(r.imported, r.failed) for r in results] == [(12, 3)] * 4  # type: ignore[attr-defined]
    assert all(desk_codes)
    codes = list(Dossier.objects.exclude(code=None).values_list("code", flat=True))
    assert sorted(codes) == [f"{COMMUNE}-260309-{n:04d}" for n in range(1, 69)]
    assert DailySequence.objects.get().last == 68
