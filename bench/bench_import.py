"""Historic import, lines per second: ``import_dossiers`` against raw INSERTs of the same rows.

    .venv/bin/python bench/bench_import.py [--lines 2000] [--seed 7] [--max-seconds 60] [--services 200]
                                           [--lines-per-transaction N] [--without-listeners]
                                           [--profile FILE.pstats]
    MOTCUA_DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_me .venv/bin/python bench/bench_import.py

The script makes its own throwaway database and migrates it: a temporary SQLite file by default, or, when
``MOTCUA_DATABASE_URL`` names a PostgreSQL server, a database named after the URL's with ``_bench`` appended
(``motcua_me_bench``; created at the start, dropped at the end). It loads a small catalogue (one province, two
communes, five procedures of the four time units) and the default calendar overrides, then:

1. *before* (``--services N``, default 200, 0 to skip): imports N other lines with
   ``import_dossiers(..., via="services")``, i.e. ``dossier_submit`` then one ``dossier_act`` per event, the
   import path before the replay, on the same database in the same run;
2. *ours*: imports ``--lines`` deterministic, valid JSON lines (fourteen kinds of history: resolved, delivered,
   paid, supplemented, extended, stopped, cancelled, refused, returned…) through
   :func:`motcua.dossiers.importer.import_dossiers`, i.e. through :func:`motcua.dossiers.replay.dossier_replay`,
   ``--lines-per-transaction`` lines a transaction (default: the importer's, 100; each line a savepoint, the
   dossier listeners called once a transaction; 1: a transaction and a listener call a line, as before
   2026-11-27). The import stops early, at a transaction boundary, after ``--max-seconds`` (default 60), so a
   run stays bounded; the figures are then over the lines imported;
3. *baseline*: reads back every row that import produced (dossiers, components, events, payments, results,
   due changes, report facts, as the driver would receive them) and INSERTs copies of them with
   ``cursor.executemany`` on the same database, one statement a table, in one transaction: the floor for
   writing the same data with no rules at all.

It prints the rates, the ratio ours / baseline, the SQL statements and the client CPU time per line, the time
1,000,000 lines would take at each rate, and how fast a re-run skips lines already imported. A few warm-up
lines (calendar and holiday caches) are imported first and not counted. The dossier listeners other modules
register (portal outbox, payments, interop…) run as in production, unless ``--without-listeners``.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PROVINCE, COMMUNE, OTHER = "000.00.00.H11", "000.31.00.H11", "000.32.00.H11"
BENCH_SUFFIX = "_bench"
WARM_UP = 20
BATCH = 50

CATALOGUE: dict[str, Any] = {
    "units": [
        {"code": PROVINCE, "name": "Tỉnh Cao Bằng", "kind": "province", "admin_code": "04"},
        {"code": COMMUNE, "name": "Xã Đông Khê", "kind": "commune", "parent": PROVINCE, "admin_code": "01786"},
        {"code": OTHER, "name": "Xã Thạch An", "kind": "commune", "parent": PROVINCE},
    ],
    "sectors": [{"code": "HT", "name": "Hộ tịch"}, {"code": "DD", "name": "Đất đai"},
                {"code": "CT", "name": "Chứng thực"}],
    "procedures": [
        {"code": "1.001022", "name": "Đăng ký nhận cha, mẹ, con", "sector": "HT",
         "time_limit": {"value": 3, "unit": "working_days"},
         "fees": [{"kind": "charge", "name": "Lệ phí", "amount": 15000}],
         "components": [{"code": "TK", "name": "Tờ khai", "required": True},
                        {"code": "CC", "name": "Chứng cứ", "required": True}],
         "boundary_independent": True, "online": "full"},
        {"code": "1.001193", "name": "Đăng ký khai sinh", "sector": "HT",
         "time_limit": {"value": 1, "unit": "same_day"},
         "components": [{"code": "TK", "name": "Tờ khai", "required": True}], "online": "full"},
        {"code": "1.012784", "name": "Tách thửa hoặc hợp thửa đất", "sector": "DD",
         "time_limit": {"value": 12, "unit": "working_days"}, "pause_for_payment": True,
         "fees": [{"kind": "charge", "name": "Lệ phí", "amount": None}],
         "components": [{"code": "DON", "name": "Đơn", "required": True}]},
        {"code": "1.013949", "name": "Giao đất, cho thuê đất", "sector": "DD",
         "time_limit": {"value": 15, "unit": "calendar_days"}, "components": []},
        {"code": "2.000815", "name": "Chứng thực bản sao từ bản chính", "sector": "CT",
         "time_limit": {"value": 4, "unit": "working_hours"},
         "online_time_limit": {"value": 1, "unit": "working_days"},
         "fees": [{"kind": "fee", "name": "Phí", "amount": 2000}],
         "components": [{"code": "BC", "name": "Bản chính", "required": True}]},
    ],
}  # fmt: skip
COMPONENTS = {"1.001022": ["TK", "CC"], "1.001193": ["TK"], "1.012784": ["DON"], "2.000815": ["BC"]}


# -- input -----------------------------------------------------------------------------------------------------


def history(kind: int, h: Callable[[float], str], n: int) -> list[dict[str, Any]]:
    """The events of one of fourteen kinds of history; ``h(hours)`` is an instant after submission."""

    def e(action: str, hours: float, **fields: Any) -> dict[str, Any]:
        return {"action": action, "at": h(hours), **fields}

    return [
        [e("accept", .1), e("forward", .2), e("resolve", 30, result_code=f"KQ-{n}", e_copy=True),
         e("deliver", 31, method="desk")],
        [e("accept", .1), e("forward", .2), e("resolve", 5, result_code=f"KQ-{n}"), e("deliver", 6, method="online")],
        [e("accept", .1), e("forward", .2), e("request_payment", 24, amount=50000),
         e("confirm_payment", 48, method="online", amount=50000), e("resolve", 200, result_code=f"KQ-{n}"),
         e("deliver", 201, method="postal")],
        [e("accept", .1), e("confirm_payment", .15, method="cash", amount=2000), e("forward", .2),
         e("resolve", 3, result_code=f"KQ-{n}")],
        [e("accept", .1), e("forward", .2), e("request_supplement", 24, reason="thiếu bản đồ"),
         e("supply_supplement", 72), e("resolve", 300, result_code=f"KQ-{n}", e_copy=True)],
        [e("accept", .1), e("forward", .2), e("propose", 2), e("reject_proposal", 3), e("propose", 4),
         e("approve", 5), e("resolve", 6, result_code=f"KQ-{n}"), e("deliver", 30, method="desk")],
        [e("accept", .1), e("forward", .2), e("request_supplement", 1, reason="thiếu"), e("supply_supplement", 24),
         e("request_supplement", 25, reason="thiếu chữ ký"), e("supply_supplement", 48),
         e("resolve", 49, result_code=f"KQ-{n}")],
        [e("accept", .1), e("stop", 2, reason="not_eligible")],
        [e("accept", .1), e("forward", .2), e("extend", 1, new_appointment=h(24 * 60), reason="xin lỗi"),
         e("stop", 48, reason="withdrawn")],
        [e("cancel", .1, reason="trùng hồ sơ")],
        [e("accept", .1), e("forward", .2)],
        [e("refuse", .1, reason="không đủ điều kiện")],
        [e("return_unaccepted", .1, reason="cannot_submit")],
        [e("request_intake_supplement", .1, reason="thiếu tờ khai"), e("supply_intake_supplement", 24),
         e("accept", 24.1), e("forward", 24.2), e("resolve", 26, result_code=f"KQ-{n}")],
    ][kind]  # fmt: skip


PROCEDURE_OF_KIND = ["1.001022", "1.001193", "1.012784", "2.000815", "1.013949", "1.001022", "1.001193",
                     "1.001022", "1.012784", "2.000815", "1.001022", "1.001022", "1.001022", "1.001193"]  # fmt: skip


def make_lines(count: int, seed: int, *, offset: int = 0) -> list[str]:
    rng = random.Random(seed)
    first = datetime(2024, 1, 1, 7, 30, tzinfo=VN)
    lines = []
    for n in range(offset, offset + count):
        t0 = first + timedelta(days=rng.randrange(3 * 365), minutes=rng.randrange(9 * 60))
        kind = rng.randrange(len(PROCEDURE_OF_KIND))

        def h(hours: float, t0: datetime = t0) -> str:
            return (t0 + timedelta(hours=hours)).isoformat()

        procedure = PROCEDURE_OF_KIND[kind]
        line: dict[str, Any] = {
            "procedure": procedure, "receiving_unit": COMMUNE,
            "channel": rng.choice(["direct", "online", "postal"]), "submitted_at": t0.isoformat(),
            "applicant": {"name": f"Công dân {n:07d}", "id_number": f"{rng.randrange(10**12):012d}",
                          "phone": f"09{rng.randrange(10**8):08d}"},
            "components": [{"code": c, "digitized": rng.random() < 0.8} for c in COMPONENTS.get(procedure, [])],
            "events": history(kind, h, n),
        }  # fmt: skip
        if kind == 10:
            line["competent_unit"] = OTHER
        if rng.random() < 0.3:
            line["code"] = f"CB-{n:07d}"
        if rng.random() < 0.5:
            line["synced_to_portal_at"] = h(0.5)
        lines.append(json.dumps(line, ensure_ascii=False))
    return lines


# -- the throwaway database ------------------------------------------------------------------------------------


@contextmanager
def throwaway_database() -> Iterator[str]:
    """Point motcua at a fresh database for this run; yield its description; drop it afterwards."""
    url = os.environ.get("MOTCUA_DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        parts = urlsplit(url)
        bench_db = (parts.path.strip("/") or "motcua") + BENCH_SUFFIX
        admin_url = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{bench_db}"')
            admin.execute(f'CREATE DATABASE "{bench_db}"')
        os.environ["MOTCUA_DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{bench_db}"))
        try:
            yield f"PostgreSQL {parts.hostname}:{parts.port or 5432}/{bench_db}"
        finally:
            from django.db import connections

            connections.close_all()
            with psycopg.connect(admin_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{bench_db}"')
    else:
        with tempfile.TemporaryDirectory(prefix="motcua-bench-") as tmp:
            os.environ["MOTCUA_DATA_DIR"] = tmp
            os.environ["MOTCUA_DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
            try:
                yield f"SQLite {tmp}/bench.sqlite3 (WAL, synchronous=NORMAL)"
            finally:
                from django.db import connections

                connections.close_all()


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)

    from motcua.catalogue.models import Unit
    from motcua.catalogue.services import calendar_install_defaults, catalogue_import, department_create

    catalogue_import(data=CATALOGUE)
    calendar_install_defaults()
    commune = Unit.objects.get(code=COMMUNE)
    department_create(unit=commune, code="TP-HT", name="Tư pháp – Hộ tịch", sector_codes=["HT", "CT"])
    department_create(unit=commune, code="DC", name="Địa chính", sector_codes=["DD"])


# -- the two runs ----------------------------------------------------------------------------------------------


def run_import(
    lines: Sequence[str],
    profile: str | None,
    budget: float = float("inf"),
    via: str = "replay",
    per_transaction: int | None = None,
) -> tuple[float, float, int, int]:
    """Wall and client-CPU seconds to import ``lines`` (or as many as ``budget`` seconds allow) ``via`` the
    replay or the services, ``per_transaction`` lines a transaction (None: the importer's default), the queries
    made and the number of lines imported."""
    from django.db import connection

    from motcua.dossiers.importer import LINES_PER_TRANSACTION, import_dossiers

    per_transaction = per_transaction or LINES_PER_TRANSACTION
    step = per_transaction * -(-BATCH // per_transaction)  # whole transactions, at least BATCH lines

    queries = 0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    profiler = cProfile.Profile() if profile else None
    with connection.execute_wrapper(count):
        start, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        deadline, imported, failed, skipped = start + budget, 0, 0, 0
        for first in range(0, len(lines), step):  # in steps, so the budget is checked every step
            result = import_dossiers(
                lines[first : first + step],
                source="bench",
                via=via,  # type: ignore[arg-type]
                lines_per_transaction=per_transaction,
            )
            assert not result.errors, result.errors[:5]
            imported, failed, skipped = (
                imported + result.imported,
                failed + result.failed,
                skipped + result.skipped,
            )
            if time.perf_counter() > deadline:
                break
        if profiler:
            profiler.disable()
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    if profiler and profile:
        profiler.dump_stats(profile)
    assert (failed, skipped) == (0, 0), (failed, skipped)
    return elapsed, cpu, queries, imported


def run_rerun(lines: Sequence[str]) -> float:
    """Seconds to import the same lines again: every one is recognised by its external_ref and skipped."""
    from motcua.dossiers.importer import import_dossiers

    start = time.perf_counter()
    result = import_dossiers(lines, source="bench (again)")
    elapsed = time.perf_counter() - start
    assert (result.imported, result.skipped, result.failed) == (0, len(lines), 0), result.summary()
    return elapsed


def _rows(
    model: Any, queryset: Any, connection: Any, change: Callable[[dict[str, Any]], None]
) -> list[tuple[Any, ...]]:
    fields = list(model._meta.concrete_fields)
    rows = []
    for obj in queryset:
        values = {f.attname: getattr(obj, f.attname) for f in fields}
        change(values)
        rows.append(tuple(f.get_db_prep_save(values[f.attname], connection) for f in fields))
    return rows


def run_raw_inserts(after_pk: int) -> tuple[float, int, int, int]:
    """Seconds to INSERT copies of every row the import wrote for the dossiers after ``after_pk`` (dossier,
    components, events, payments, result, due changes, facts) with one executemany a table, in one transaction.
    Returns the seconds, the dossiers, the events and all the rows copied."""
    from django.db import connection, transaction

    from motcua.dossiers.models import Dossier, DossierComponent, DossierEvent, DossierResult, Payment
    from motcua.reports.models import DossierFact, DueChange

    shift = (Dossier.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1_000_000

    def dossier_copy(values: dict[str, Any]) -> None:
        values["id"] += shift
        values["code"] = f"raw-{values['code']}" if values["code"] else None
        values["external_ref"] = f"raw-{values['external_ref']}"

    def child_copy(values: dict[str, Any]) -> None:
        values["dossier_id"] += shift
        if "receipt_number" in values:
            values["receipt_number"] = f"raw-{values['receipt_number']}"

    def insert(model: Any, fields: Sequence[Any]) -> str:
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        table = connection.ops.quote_name(model._meta.db_table)
        return f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608

    batches = [
        (
            Dossier,
            list(Dossier._meta.concrete_fields),
            _rows(Dossier, Dossier.objects.filter(pk__gt=after_pk), connection, dossier_copy),
        )
    ]
    for model in (DossierComponent, DossierEvent, Payment, DossierResult, DueChange, DossierFact):
        keep = [i for i, f in enumerate(model._meta.concrete_fields) if f.attname != "id"]  # id: generated
        fields = [model._meta.concrete_fields[i] for i in keep]
        rows = _rows(model, model.objects.filter(dossier_id__gt=after_pk), connection, child_copy)
        batches.append((model, fields, [tuple(row[i] for i in keep) for row in rows]))

    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for model, fields, rows in batches:
            if rows:
                cursor.executemany(insert(model, fields), rows)
    elapsed = time.perf_counter() - start
    counts = {model: len(rows) for model, _, rows in batches}
    return elapsed, counts[Dossier], counts[DossierEvent], sum(counts.values())


def db_version() -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        import sqlite3

        return f"sqlite {sqlite3.sqlite_version}"
    connection.ensure_connection()
    version = connection.pg_version
    return f"PostgreSQL server {version // 10000}.{version % 10000}"


def hms(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 3600}h{s % 3600 // 60:02d}m{s % 60:02d}s"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=2000, help="lines to import (default 2000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--max-seconds", type=float, default=60.0, help="stop importing after this (60)")
    parser.add_argument(
        "--services",
        type=int,
        default=200,
        metavar="N",
        help="also import N lines through the services (200)",
    )
    parser.add_argument(
        "--lines-per-transaction",
        type=int,
        default=None,
        metavar="N",
        help="lines the replay writes in one transaction (default: the importer's, 100; 1: one a line)",
    )
    parser.add_argument(
        "--without-listeners", action="store_true", help="unregister other modules' dossier listeners"
    )
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of the import to FILE (pstats)")
    args = parser.parse_args(argv)

    lines = make_lines(args.lines, args.seed)
    warm_up = make_lines(WARM_UP, args.seed + 1, offset=10**6)
    before_lines = make_lines(args.services, args.seed + 2, offset=2 * 10**6)
    with throwaway_database() as where:
        setup_django()
        from motcua.dossiers import hooks
        from motcua.dossiers.models import Dossier, DossierEvent

        listeners = ", ".join(hooks._listeners) or "none"
        if args.without_listeners:
            hooks._listeners.clear()
            listeners = "none (--without-listeners)"
        from motcua.dossiers.importer import LINES_PER_TRANSACTION

        per_transaction = args.lines_per_transaction or LINES_PER_TRANSACTION
        print(f"database: {where}, {db_version()}; dossier listeners: {listeners}")
        print(f"replay: {per_transaction} line(s) a transaction")
        run_import(warm_up, None)
        services: tuple[float, float, int, int] | None = None
        if before_lines:
            services = run_import(before_lines, None, args.max_seconds, "services", 1)
        after_warm_up = Dossier.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        ours_s, ours_cpu, queries, n = run_import(
            lines, args.profile, args.max_seconds, "replay", per_transaction
        )
        events = DossierEvent.objects.filter(dossier_id__gt=after_warm_up).count()
        rerun_s = run_rerun(lines[:n])
        raw_s, raw_dossiers, raw_events, raw_rows = run_raw_inserts(after_warm_up)
        assert (raw_dossiers, raw_events) == (n, events)

    if n < len(lines):
        print(f"stopped after --max-seconds {args.max_seconds:g}: {n} of {len(lines)} lines imported")
    ours_rate, raw_rate = n / ours_s, n / raw_s
    print(
        f"{n} lines (seed {args.seed}), {events} events ({events / n:.1f} a line), {raw_rows / n:.1f} rows a line, "
        f"{queries / n:.1f} SQL statements a line"
    )
    print(f"{'':40s}{'lines/s':>10s}{'ms/line':>9s}{'CPU ms':>8s}{'SQL/line':>9s}{'1,000,000 lines':>17s}")
    rows = [("import_dossiers, replay (ours)", ours_rate, ours_cpu / n * 1000, queries / n)]
    if services is not None:
        s_s, s_cpu, s_queries, s_n = services
        rows.append((f"via services, {s_n} lines (before)", s_n / s_s, s_cpu / s_n * 1000, s_queries / s_n))
    rows.append(("raw INSERT executemany (baseline)", raw_rate, float("nan"), float("nan")))
    for label, rate, cpu, sql in rows:
        print(f"{label:40s}{rate:10,.1f}{1000 / rate:9.3f}{cpu:8.2f}{sql:9.1f}{hms(1e6 / rate):>17s}")
    print(
        f"ratio ours / baseline: {ours_rate / raw_rate:.4f} (the baseline is {raw_rate / ours_rate:,.1f}× faster)"
    )
    if services is not None:
        print(f"ratio ours / before: {ours_rate / (services[3] / services[0]):.1f}× faster")
    print(
        f"client CPU during the import: {ours_cpu / n * 1000:.2f} ms a line ({ours_cpu / ours_s:.0%} of wall time)"
    )
    print(f"importing the same lines again skips them all at {n / rerun_s:,.0f} lines/s")
    if args.profile:
        print(f"profile written to {args.profile} (python -m pstats {args.profile})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
