"""The periodic report and the Decision 766 scoreboard on a province of 1,000,000 dossiers, against one
hand-written SQL aggregate over the same tables.

    .venv/bin/python bench/bench_report.py [--dossiers 1000000] [--communes 56] [--database sqlite|postgres|both]
                                           [--repeat 5] [--period 2025-Q3] [--seed 766] [--explain]

The script makes its own throwaway databases and migrates them: a temporary SQLite file, and (when the server
answers) a ``motcua_bench_report`` database on PostgreSQL (``--postgres-url``, default
``$MOTCUA_BENCH_POSTGRES`` or ``postgres://postgres@127.0.0.1:5432``), created at the start and dropped at the
end (the user needs ``CREATEDB``). With ``--database both`` each database runs in its own child process, one
after the other, and the parent prints one table and checks that both databases gave the same figures.

Data. The catalogue (one province, ``--communes`` communes, six sectors, nine procedures) goes through
:func:`motcua.catalogue.services.catalogue_import`. The dossiers do NOT: this is a bulk data generator, not the
product path. It writes ``Dossier``, ``DossierFact`` and ``DueChange`` rows directly (``executemany`` on SQLite,
``COPY`` on PostgreSQL, in batches), from a seeded ``random.Random``, so every run and both databases hold the
same data: dossiers submitted over 2024-2026 in id order, ~45% online / 50% direct / 5% postal, ~1% cancelled,
~2% refused, ~2% returned, the rest accepted; ~8% of the accepted never end (a backlog), the others end after
their time limit scaled at random (~75% before the due date, ~15% on it, ~10% late; 93% resolved, 7% stopped),
and those ending after 2026-12-31 are still open. Every accepted dossier has a ``DueChange`` at acceptance and
one more per supplement restart (~12% of them), as the services write. Boundary-independent dossiers are
sometimes forwarded to another commune, which then reports them (rules §4). PostgreSQL gets ``VACUUM ANALYZE``
after the load, as autovacuum would do; SQLite gets nothing the product does not do itself.

Measures, for ``--period`` (default 2025-Q3) and for one commune (the busiest) and for the province, the median
of ``--repeat`` timed runs after one warm-up run of each:

- *ours*: :func:`motcua.reports.periodic.periodic_report` and
  :func:`motcua.reports.indicators.scoreboard_compute` with ``store=False``, whole calls as the API makes them;
- *baseline*: ONE hand-written SQL statement over the same tables that computes the report's received,
  resolved, in-process (with the due in force at the end of the period from ``DueChange``), not-accepted and
  inspection figures per sector: ``COUNT(*) FILTER (WHERE ...)`` on PostgreSQL, ``SUM(CASE WHEN ... THEN 1
  ELSE 0 END)`` on SQLite. Its figures must equal the report's, per sector and in total, and those the
  scoreboard shares with it (asserted), so the comparison is honest.

On PostgreSQL every figure is measured twice: with the server's ``jit`` setting, and with ``SET jit = off`` for
the session (JIT compilation of these statements can cost more than running them). The load average before and
after the timings is printed: the figures depend on what else the machine is doing.

Goals (the issue): under 1,000 ms per report, and within 2x the hand-written query. ``--explain`` prints the
plan of every query of the province report, of the scoreboard and of the baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BENCH_DB = "motcua_bench_report"
DEFAULT_POSTGRES = os.environ.get("MOTCUA_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
PROVINCE = "000.00.00.H04"
BATCH = 25_000
GOAL_MS, GOAL_RATIO = 1000.0, 2.0
FIRST_DAY = date(2024, 1, 1)
DAYS = (date(2026, 12, 31) - FIRST_DAY).days + 1  # submissions over 2024-2026
UTC_OFFSET = 7 * 60  # minutes; every unit is in Asia/Ho_Chi_Minh
NOW = "2027-01-01 00:00:00"

SECTORS = [("HT", "Hộ tịch"), ("CT", "Chứng thực"), ("DD", "Đất đai"), ("BTXH", "Bảo trợ xã hội"),
           ("XD", "Xây dựng"), ("NN", "Nông nghiệp")]  # fmt: skip


@dataclass(frozen=True)
class Proc:
    """A procedure of the generated catalogue and what the generator needs of it."""

    code: str
    name: str
    sector: str
    weight: int
    days: int  # the time limit in working days (the generator adds weekends: x7/5)
    fee: int
    bi: bool = False
    online: str = "none"
    e_result: bool = False


PROCS = [
    Proc("1.001193", "Đăng ký khai sinh", "HT", 20, 1, 0, bi=True, online="full", e_result=True),
    Proc("1.001022", "Đăng ký nhận cha, mẹ, con", "HT", 3, 3, 15000, bi=True, online="full"),
    Proc("1.000894", "Đăng ký kết hôn", "HT", 8, 1, 0, online="partial", e_result=True),
    Proc("2.000815", "Chứng thực bản sao từ bản chính", "CT", 30, 1, 2000, bi=True, online="partial"),
    Proc("2.000884", "Chứng thực chữ ký", "CT", 12, 1, 10000, bi=True),
    Proc("1.012784", "Tách thửa hoặc hợp thửa đất", "DD", 8, 12, 50000),
    Proc("1.001776", "Trợ cấp xã hội hằng tháng", "BTXH", 7, 15, 0, online="partial"),
    Proc("1.009994", "Cấp giấy phép xây dựng nhà ở riêng lẻ", "XD", 5, 15, 75000, online="full"),
    Proc("1.003596", "Hỗ trợ khôi phục sản xuất nông nghiệp", "NN", 7, 10, 0),
]
RETURN_REASONS = ("supplement_not_provided", "cannot_submit", "other_procedure_required")
STOP_REASONS = ("withdrawn", "not_eligible", "supplement_not_provided")


def commune_code(i: int) -> str:
    return f"000.{i:02d}.00.H04"


def catalogue(communes: int) -> dict[str, Any]:
    units: list[dict[str, Any]] = [{"code": PROVINCE, "name": "Tỉnh Cao Bằng", "kind": "province",
                                    "admin_code": "04"}]  # fmt: skip
    units += [{"code": commune_code(i), "name": f"Xã {i:02d}", "kind": "commune", "parent": PROVINCE}
              for i in range(1, communes + 1)]  # fmt: skip
    procedures = [{"code": p.code, "name": p.name, "sector": p.sector,
                   "time_limit": {"value": p.days, "unit": "working_days"},
                   "fees": [{"kind": "charge", "name": "Lệ phí", "amount": p.fee}] if p.fee else [],
                   "boundary_independent": p.bi, "online": p.online, "requires_e_result": p.e_result}
                  for p in PROCS]  # fmt: skip
    return {"units": units, "sectors": [{"code": c, "name": n} for c, n in SECTORS], "procedures": procedures}


# -- the generator ---------------------------------------------------------------------------------------------

DOSSIER_COLUMNS = (
    "id", "code", "secret", "procedure_version_id", "procedure_id", "sector_id", "receiving_unit_id",
    "competent_unit_id", "department_id", "assignee_id", "channel", "state", "stop_reason", "return_reason",
    "applicant_name", "applicant_id_number", "applicant_phone", "applicant_email", "applicant_address",
    "submitted_at", "received_at", "due_at", "appointment_at", "ended_at", "closed_at", "delivered_at",
    "delivery_method", "timeliness", "calendar_version", "extensions", "supplement_requests",
    "awaiting_payment_since", "flags", "fees_exempt", "fee_total", "synced_to_portal_at", "external_ref",
    "last_event_at", "version", "created_at", "updated_at",
)  # fmt: skip
FACT_COLUMNS = (
    "dossier_id", "report_unit_id", "province_id", "receiving_unit_id", "sector_id", "procedure_id", "channel",
    "accepted_on", "ended_on", "end_state", "timeliness", "due_on", "not_accepted", "not_accepted_on",
    "return_reason", "cancelled_on", "components_digitized", "has_result", "result_e_copy", "postal",
    "fee_required", "paid_online", "boundary_independent", "synced", "supplement_requests",
    "components_reused", "online_level", "requires_e_result", "resolution_seconds", "updated_at",
)  # fmt: skip
DUE_COLUMNS = ("dossier_id", "effective_at", "effective_on", "due_on")

_DAY = [(FIRST_DAY + timedelta(days=d)).isoformat() for d in range(-1, DAYS + 400)]  # _DAY[d + 1]
_HM = [f"{m // 60:02d}:{m % 60:02d}:00" for m in range(1440)]


def _on(day: int) -> str:
    return _DAY[day + 1]


def _at(minute: int) -> str:
    """The UTC text of a local minute counted from 2024-01-01 00:00 local (Django stores UTC)."""
    u = minute - UTC_OFFSET
    return f"{_DAY[u // 1440 + 1]} {_HM[u % 1440]}"


@dataclass(frozen=True)
class Ids:
    province: int
    communes: list[int]  # unit ids, commune 1 first
    procs: list[tuple[Proc, int, int, int]]  # (proc, procedure id, version id, sector id)


def _table(weights: Sequence[float], size: int = 4096) -> list[int]:
    """Indexes laid out in proportion to ``weights``: ``table[int(r * len(table))]`` is a weighted draw."""
    total = sum(weights)
    table: list[int] = []
    for i, w in enumerate(weights):
        table += [i] * round(w / total * size)
    return table


def generate(n: int, ids: Ids, seed: int) -> Iterator[tuple[list[tuple[Any, ...]], ...]]:
    """Batches of (dossier rows, fact rows, due-change rows), in the column orders above."""
    rng = random.Random(seed)
    r = rng.random
    k = len(ids.communes)
    weights = [2.5] + [0.5 + 1.5 * r() for _ in range(k - 1)]  # commune 1 is the busiest
    commune_of = _table(weights)
    proc_of = _table([p[0].weight for p in ids.procs])
    horizon = DAYS - 1
    dossiers: list[tuple[Any, ...]] = []
    facts: list[tuple[Any, ...]] = []
    dues: list[tuple[Any, ...]] = []
    for i in range(n):
        pk = i + 1
        day = i * DAYS // n
        receiving = ids.communes[commune_of[int(r() * len(commune_of))]]
        proc, procedure_id, version_id, sector_id = ids.procs[proc_of[int(r() * len(proc_of))]]
        x = r()
        channel = "online" if x < 0.45 else "direct" if x < 0.95 else "postal"
        submitted = day * 1440 + 450 + int(r() * 570)  # 07:30-17:00 local
        outcome = r()
        accepted = ended = due_day = cancelled_day = not_accepted_day = None
        state = stop_reason = return_reason = end_state = timeliness = not_accepted = ""
        supplements = 0
        competent = report_unit = receiving
        if outcome < 0.05:  # never accepted: cancelled (some after acceptance), refused, returned
            if outcome < 0.01:
                state, cancelled_day = "cancelled", day + int(r() * 5)
                if outcome < 0.004:
                    accepted = submitted + 5
            else:
                not_accepted = state = "refused" if outcome < 0.03 else "returned"
                not_accepted_day = day + int(r() * 3)
                if state == "returned":
                    return_reason = RETURN_REASONS[int(r() * 3)]
        else:
            accepted = submitted + 5 + (0 if channel == "direct" else int(r() * 3) * 1440)
        if accepted is not None:
            span = proc.days * 7 // 5
            start = accepted // 1440
            due_day = start + span
            dues.append((pk, _at(accepted), _on(start), _on(due_day)))
            x = r()
            supplements = 2 if x < 0.02 else 1 if x < 0.12 else 0
            for _ in range(supplements):  # the clock restarts from the supplied supplement (rules §2.2)
                start += 1 + int(r() * (span + 3))
                due_day = start + span
                dues.append((pk, _at(start * 1440 + 600), _on(start), _on(due_day)))
            if state != "cancelled" and r() >= 0.08:  # 8% never end
                x = r()
                if x < 0.75:  # due_day > start: every span is at least one day
                    end_day = start + int(r() * (due_day - start))
                else:
                    end_day = due_day if x < 0.90 else due_day + 1 + int(r() * 30)
                if end_day <= horizon:
                    ended = max(end_day * 1440 + 450 + int(r() * 570), accepted + 30)
                    end_day = ended // 1440
                    timeliness = ("before_due" if end_day < due_day else "on_time" if end_day == due_day
                                  else "overdue")  # fmt: skip
                    end_state = "resolved" if r() < 0.93 else "stopped"
            if state != "cancelled":
                state = "processing" if ended is None else "stopped" if end_state == "stopped" else (
                    "delivered" if r() < 0.9 else "resolved")
                if end_state == "stopped":
                    stop_reason = STOP_REASONS[int(r() * 3)]
            if proc.bi and r() < 0.1:  # forwarded to the competent commune, which reports it (rules §4)
                competent = report_unit = ids.communes[int(r() * k)]
        resolved = end_state == "resolved"
        has_result = resolved and r() >= 0.005
        e_copy = has_result and r() < 0.6
        fee_required = proc.fee > 0 and r() >= 0.1
        paid_online = fee_required and channel == "online" and r() < 0.6
        postal = channel == "postal" or (resolved and r() < 0.05)
        synced = accepted is not None and r() < 0.85
        digitized = r() < 0.7
        reused = r() < 0.2
        closed = ((not_accepted_day * 1440 + 600) if not_accepted_day is not None
                  else (cancelled_day * 1440 + 660) if cancelled_day is not None
                  else (ended + 60) if state == "delivered" and ended is not None else None)  # fmt: skip
        last = max(t for t in (submitted, accepted, ended, closed) if t is not None)
        dossiers.append((
            pk, f"{pk:07d}" if accepted is not None else None, f"{pk * 7919 % 10**8:08d}", version_id,
            procedure_id, sector_id, receiving, competent, None, None, channel, state, stop_reason, return_reason,
            f"Công dân {pk:07d}", f"{pk * 2654435761 % 10**12:012d}", f"09{pk * 40503 % 10**8:08d}", "", "",
            _at(submitted), _at(accepted) if accepted is not None else None,
            _at(due_day * 1440 + 1020) if due_day is not None else None, None,
            _at(ended) if ended is not None else None, _at(closed) if closed is not None else None,
            _at(closed) if state == "delivered" and closed is not None else None,
            "postal" if postal and state == "delivered" else "desk" if state == "delivered" else "",
            timeliness, "bench", 0, supplements, None, "[]", False, proc.fee if fee_required else 0,
            _at(accepted + 30) if synced and accepted is not None else None, None, _at(last), 1,
            _at(submitted), NOW,
        ))  # fmt: skip
        facts.append((
            pk, report_unit, ids.province, receiving, sector_id, procedure_id, channel,
            _on(accepted // 1440) if accepted is not None else None, _on(ended // 1440) if ended else None,
            end_state, timeliness, _on(due_day) if due_day is not None else None, not_accepted,
            _on(not_accepted_day) if not_accepted_day is not None else None, return_reason,
            _on(cancelled_day) if cancelled_day is not None else None, digitized, has_result, e_copy, postal,
            fee_required, paid_online, proc.bi, synced, supplements, reused, proc.online, proc.e_result,
            (ended - accepted) * 60 if ended is not None and accepted is not None else None, NOW,
        ))  # fmt: skip
        if len(dossiers) >= BATCH:
            yield dossiers, facts, dues
            dossiers, facts, dues = [], [], []
    if dossiers:
        yield dossiers, facts, dues


# -- the throwaway database ------------------------------------------------------------------------------------


@contextmanager
def throwaway_database(kind: str, postgres_url: str) -> Iterator[str]:
    """Point motcua at a fresh database for this run; yield its description; drop it afterwards."""
    if kind == "postgres":
        import psycopg

        parts = urlsplit(postgres_url)
        admin_url = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}"')
            admin.execute(f'CREATE DATABASE "{BENCH_DB}"')
        os.environ["MOTCUA_DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{BENCH_DB}"))
        try:
            yield f"PostgreSQL {parts.hostname}:{parts.port or 5432}/{BENCH_DB}"
        finally:
            from django.db import connections

            connections.close_all()
            with psycopg.connect(admin_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}"')
    else:
        with tempfile.TemporaryDirectory(prefix="motcua-bench-report-") as tmp:
            os.environ["MOTCUA_DATA_DIR"] = tmp
            os.environ["MOTCUA_DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
            try:
                yield f"SQLite {tmp}/bench.sqlite3"
            finally:
                from django.db import connections

                connections.close_all()


def postgres_reachable(url: str) -> bool:
    try:
        import psycopg

        with psycopg.connect(urlunsplit(urlsplit(url)._replace(path="/postgres")), connect_timeout=3):
            return True
    except Exception:
        return False


def setup(communes: int) -> Ids:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)

    from motcua.catalogue.models import Procedure, Sector, Unit
    from motcua.catalogue.services import catalogue_import
    from motcua.dossiers.models import Dossier
    from motcua.reports.models import DossierFact, DueChange

    for model, columns in ((Dossier, DOSSIER_COLUMNS), (DossierFact, FACT_COLUMNS), (DueChange, DUE_COLUMNS)):
        actual = {f.column for f in model._meta.concrete_fields} - {"id"} | ({"id"} & set(columns))
        assert actual == set(columns), f"{model.__name__}: the generator's columns are out of date: " + str(
            sorted(actual ^ set(columns))
        )
    catalogue_import(data=catalogue(communes))
    units = dict(Unit.objects.values_list("code", "pk"))
    sectors = dict(Sector.objects.values_list("code", "pk"))
    procedures = {p.code: p for p in Procedure.objects.all()}
    return Ids(
        province=units[PROVINCE],
        communes=[units[commune_code(i)] for i in range(1, communes + 1)],
        procs=[(p, procedures[p.code].pk, procedures[p.code].current_version_id or 0, sectors[p.sector])
               for p in PROCS],
    )


def fill(n: int, ids: Ids, seed: int) -> dict[str, float]:
    """Bulk-load the generated rows; returns seconds spent generating, writing and finishing (VACUUM...)."""
    from django.db import connection

    from motcua.dossiers.models import Dossier
    from motcua.reports.models import DossierFact, DueChange

    tables = [(Dossier._meta.db_table, DOSSIER_COLUMNS), (DossierFact._meta.db_table, FACT_COLUMNS),
              (DueChange._meta.db_table, DUE_COLUMNS)]  # fmt: skip
    connection.ensure_connection()
    raw = connection.connection
    spent = {"generate": 0.0, "write": 0.0, "finish": 0.0}
    rows = 0
    t = time.perf_counter()
    if connection.vendor == "sqlite":
        # a bigger page cache for the load only: the timed runs use a new connection with the product's settings
        raw.execute("PRAGMA cache_size=-1000000")
        inserts = [f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"  # noqa: S608
                   for table, cols in tables]  # fmt: skip
    for batch in generate(n, ids, seed):
        now = time.perf_counter()
        spent["generate"] += now - t
        t = now
        if connection.vendor == "sqlite":
            raw.execute("BEGIN")
            for sql, data in zip(inserts, batch, strict=True):
                raw.executemany(sql, data)
            raw.execute("COMMIT")
        else:
            with raw.transaction(), raw.cursor() as cur:
                cur.execute("SET LOCAL TIME ZONE 'UTC'")
                for (table, cols), data in zip(tables, batch, strict=True):
                    with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                        for row in data:
                            copy.write_row(row)
        rows += len(batch[0])
        now = time.perf_counter()
        spent["write"] += now - t
        t = now
        print(f"\r  {rows:,} dossiers", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    if connection.vendor == "postgresql":
        raw.autocommit = True
        with raw.cursor() as cur:
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{tables[0][0]}', 'id'), {n})")
            for table, _ in tables:
                cur.execute(f"VACUUM (ANALYZE) {table}")
        raw.autocommit = False
    else:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    spent["finish"] = time.perf_counter() - t
    connection.close()
    return spent


# -- the hand-written baseline ---------------------------------------------------------------------------------

LIVE = "cancelled_on IS NULL"
OPEN_AT_END = f"{LIVE} AND accepted_on <= %(t)s AND (ended_on IS NULL OR ended_on > %(t)s)"
ACC = f"{LIVE} AND accepted_on BETWEEN %(f)s AND %(t)s"
END = f"{LIVE} AND ended_on BETWEEN %(f)s AND %(t)s"
RETURNED = f"{LIVE} AND not_accepted = 'returned' AND not_accepted_on BETWEEN %(f)s AND %(t)s"
FIGURES: dict[str, str] = {
    "r_online": f"{ACC} AND channel = 'online'",
    "r_direct": f"{ACC} AND channel = 'direct'",
    "r_postal": f"{ACC} AND channel = 'postal'",
    "r_carried": f"{LIVE} AND accepted_on < %(f)s AND (ended_on IS NULL OR ended_on >= %(f)s)",
    "e_before": f"{END} AND timeliness = 'before_due'",
    "e_on_time": f"{END} AND timeliness = 'on_time'",
    "e_overdue": f"{END} AND timeliness = 'overdue'",
    "e_result": f"{END} AND end_state = 'resolved'",
    "e_no_result": f"{END} AND end_state = 'stopped'",
    "p_open": OPEN_AT_END,
    "n_refused": f"{LIVE} AND not_accepted = 'refused' AND not_accepted_on BETWEEN %(f)s AND %(t)s",
    "n_returned": RETURNED,
    **{f"ret_{r}": f"{RETURNED} AND return_reason = '{r}'" for r in RETURN_REASONS},
    "n_cancelled": "cancelled_on BETWEEN %(f)s AND %(t)s",
    "d_components": f"{ACC} AND components_digitized",
    "d_results": f"{END} AND end_state = 'resolved' AND has_result AND result_e_copy",
    "d_both": f"{END} AND end_state = 'resolved' AND has_result AND result_e_copy AND components_digitized",
    "x_postal": f"{ACC} AND postal",
    "x_fee_required": f"{ACC} AND fee_required",
    "x_paid_online": f"{ACC} AND fee_required AND paid_online",
    "x_bi": f"{ACC} AND boundary_independent",
    "x_synced": f"{ACC} AND synced",
    "x_results_missing": f"{END} AND end_state = 'resolved' AND NOT has_result",
}


def baseline_sql(vendor: str, province: bool) -> str:
    """One statement over the rows of the scope that can count in the period: every figure per sector, and
    for the dossiers still open at the end of the period, whether the due in force then (the latest
    ``DueChange`` in effect on that date; none = within due) is not past. ``p_within`` is a SUM of that 0/1
    so that the due lookup runs once per open dossier; ``overdue`` is ``p_open - p_within``."""
    if vendor == "postgresql":
        figures = [f"COUNT(*) FILTER (WHERE {cond}) AS {name}" for name, cond in FIGURES.items()]
    else:
        figures = [f"SUM(CASE WHEN {cond} THEN 1 ELSE 0 END) AS {name}" for name, cond in FIGURES.items()]
    scope = "province_id" if province else "report_unit_id"
    within = f"""SUM(CASE WHEN {OPEN_AT_END} THEN COALESCE((
             SELECT CASE WHEN d.due_on >= %(t)s THEN 1 ELSE 0 END FROM reports_duechange d
             WHERE d.dossier_id = f.dossier_id AND d.effective_on <= %(t)s
             ORDER BY d.effective_at DESC, d.id DESC LIMIT 1), 1) ELSE 0 END) AS p_within"""  # noqa: S608
    return f"""
SELECT sector_id, {", ".join(figures)},
       {within}
FROM reports_dossierfact f
WHERE f.{scope} = %(u)s
  AND ((f.accepted_on <= %(t)s AND (f.ended_on IS NULL OR f.ended_on >= %(f)s))
       OR f.not_accepted_on BETWEEN %(f)s AND %(t)s OR f.cancelled_on BETWEEN %(f)s AND %(t)s)
GROUP BY sector_id"""  # noqa: S608 (our own constants)


def baseline_params(vendor: str, unit_id: int, date_from: date, date_to: date) -> dict[str, Any]:
    if vendor == "sqlite":  # dates are stored as ISO text
        return {"u": unit_id, "f": date_from.isoformat(), "t": date_to.isoformat()}
    return {"u": unit_id, "f": date_from, "t": date_to}


def run_baseline(sql: str, params: dict[str, Any]) -> dict[int, dict[str, int]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c[0] for c in cursor.description]
        return {row[0]: {k: int(v or 0) for k, v in zip(names[1:], row[1:], strict=True)}
                for row in cursor.fetchall()}  # fmt: skip


def report_figures(per_sector: dict[int, dict[str, int]]) -> dict[str, Any]:
    """The baseline's figures in the report's shape: totals and per sector code."""
    from motcua.catalogue.models import Sector

    codes = dict(Sector.objects.values_list("pk", "code"))

    def shape(c: dict[str, int]) -> dict[str, Any]:
        return {
            "received": {"online": c["r_online"], "direct": c["r_direct"], "postal": c["r_postal"],
                         "carried_over": c["r_carried"]},
            "resolved": {"before_due": c["e_before"], "on_time": c["e_on_time"], "overdue": c["e_overdue"],
                         "with_result": c["e_result"], "without_result": c["e_no_result"]},
            "in_process": {"within_due": c["p_within"], "overdue": c["p_overdue"]},
            "not_accepted": {"refused": c["n_refused"], "returned": c["n_returned"], "cancelled": c["n_cancelled"],
                             "returned_by_reason": {r: c[f"ret_{r}"] for r in RETURN_REASONS}},
        }  # fmt: skip

    for c in per_sector.values():
        c["p_overdue"] = c["p_open"] - c["p_within"]
    total = {k: sum(c[k] for c in per_sector.values()) for k in [*FIGURES, "p_within", "p_overdue"]}
    accepted = total["r_online"] + total["r_direct"] + total["r_postal"]
    return {
        **shape(total),
        "digitization": {"components": total["d_components"], "results": total["d_results"],
                         "both": total["d_both"]},
        "postal": total["x_postal"],
        "online_payment": {"numerator": total["x_paid_online"], "denominator": total["x_fee_required"]},
        "boundary_independent": {"numerator": total["x_bi"], "denominator": accepted},
        "portal_sync": {"numerator": total["x_synced"], "denominator": accepted},
        "results_missing": total["x_results_missing"],
        "by_sector": {codes[s]: shape(c) for s, c in per_sector.items() if any(c.values())},
    }


def _subset(ours: Any, theirs: Any) -> Any:
    """``ours`` cut down to the keys of ``theirs`` (recursively), to compare like with like."""
    if isinstance(theirs, dict):
        return {k: _subset(ours[k], v) for k, v in theirs.items()}
    return ours


def check_report(report: dict[str, Any], base: dict[str, Any], label: str) -> None:
    ours = {k: _subset(report[k], v) for k, v in base.items() if k != "by_sector"}
    theirs = {k: v for k, v in base.items() if k != "by_sector"}
    assert ours == theirs, f"{label}: periodic_report and the hand-written query differ:\n{ours}\n{theirs}"
    sectors = {s["sector"]: _subset(s, base["by_sector"].get(s["sector"], {})) for s in report["by_sector"]}
    assert sectors == base["by_sector"], f"{label}: per-sector figures differ:\n{sectors}\n{base['by_sector']}"
    in_process = base["in_process"]["within_due"] + base["in_process"]["overdue"]
    assert report["in_process"]["total"] == in_process, (label, report["in_process"], in_process)


def check_scoreboard(run: Any, base: dict[str, Any], label: str) -> None:
    """The scoreboard's inputs that are also report figures must be the baseline's."""
    f = run.inputs["formulas"]
    accepted = base["portal_sync"]["denominator"]
    resolved = sum(base["resolved"][k] for k in ("before_due", "on_time", "overdue"))
    in_process = base["in_process"]["within_due"] + base["in_process"]["overdue"]
    expected = {
        "portal_sync": {"numerator": base["portal_sync"]["numerator"], "denominator": accepted},
        "online_dossiers": {"numerator": base["received"]["online"], "denominator": accepted},
        "online_payment": base["online_payment"],
    }
    got = {k: f[k] for k in expected}
    assert got == expected, f"{label}: scoreboard inputs differ from the hand-written query: {got} {expected}"
    assert f["on_time"]["denominator"] == resolved + in_process, (label, f["on_time"], resolved, in_process)


# -- timing ----------------------------------------------------------------------------------------------------


def median_ms(fn: Callable[[], Any], repeat: int) -> tuple[float, list[float]]:
    fn()  # warm-up, not counted
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t) * 1000)
    return statistics.median(runs), runs


def captured_queries(fn: Callable[[], Any]) -> list[tuple[str, Any]]:
    from django.db import connection

    seen: list[tuple[str, Any]] = []

    def keep(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        seen.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        fn()
    return seen


def explain(label: str, sql: str, params: Any) -> None:
    from django.db import connection

    if sql.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT")):
        return
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
    with connection.cursor() as cursor:
        t = time.perf_counter()
        cursor.execute(prefix + sql, params)
        rows = cursor.fetchall()
        ms = (time.perf_counter() - t) * 1000
    print(f"--- {label} ({ms:.0f} ms to explain)\n{sql.strip()[:400]}{' …' if len(sql) > 400 else ''}")
    for row in rows:
        print("   ", row[-1] if connection.vendor == "sqlite" else row[0])


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """The whole run on one database (in this process)."""
    with throwaway_database(args.database, args.postgres_url) as where:
        t = time.perf_counter()
        ids = setup(args.communes)
        migrate_s = time.perf_counter() - t
        from django.db import connection

        print(f"database: {where}; migrated and catalogue loaded in {migrate_s:.1f} s", flush=True)
        t = time.perf_counter()
        spent = fill(args.dossiers, ids, args.seed)
        fill_s = time.perf_counter() - t
        from motcua.catalogue.models import Unit
        from motcua.dossiers.models import Dossier
        from motcua.reports.indicators import scoreboard_compute
        from motcua.reports.models import DossierFact, DueChange
        from motcua.reports.periodic import period_preset, periodic_report

        counts = {"dossiers": Dossier.objects.count(), "facts": DossierFact.objects.count(),
                  "due_changes": DueChange.objects.count()}  # fmt: skip
        assert counts["dossiers"] == counts["facts"] == args.dossiers, counts
        print(f"filled {counts['dossiers']:,} dossiers + facts and {counts['due_changes']:,} due changes in "
              f"{fill_s:.1f} s (generate {spent['generate']:.1f} s, write {spent['write']:.1f} s, "
              f"{'VACUUM ANALYZE' if connection.vendor == 'postgresql' else 'checkpoint'} "
              f"{spent['finish']:.1f} s)", flush=True)  # fmt: skip
        size = db_size()
        date_from, date_to = period_preset(args.period)
        rows: list[dict[str, Any]] = []
        load = [os.getloadavg()[0]]
        for scope, unit in (("commune", Unit.objects.get(code=commune_code(1))),
                            ("province", Unit.objects.get(code=PROVINCE))):  # fmt: skip
            vendor = connection.vendor
            sql = baseline_sql(vendor, scope == "province")
            params = baseline_params(vendor, unit.pk, date_from, date_to)
            base = report_figures(run_baseline(sql, params))
            report = periodic_report(unit=unit, date_from=date_from, date_to=date_to)
            check_report(report, base, f"{vendor} {scope}")
            board = scoreboard_compute(unit=unit, date_from=date_from, date_to=date_to, store=False)
            check_scoreboard(board, base, f"{vendor} {scope}")
            in_scope = DossierFact.objects.filter(
                **({"province_id": unit.pk} if scope == "province" else {"report_unit_id": unit.pk})
            ).count()
            if args.explain and scope == "province":
                for i, (q, p) in enumerate(captured_queries(
                        lambda u=unit: periodic_report(unit=u, date_from=date_from, date_to=date_to))):
                    explain(f"periodic_report query {i + 1}", q, p)
                for i, (q, p) in enumerate(captured_queries(
                        lambda u=unit: scoreboard_compute(unit=u, date_from=date_from, date_to=date_to,
                                                          store=False))):  # fmt: skip
                    explain(f"scoreboard_compute query {i + 1}", q, p)
                explain("baseline", sql, params)
            # PostgreSQL also without JIT: with the server's default (jit=on) a plan whose estimated cost is
            # high enough is compiled first, which can cost more than it saves on these aggregates
            for setting in ("", "jit=off") if vendor == "postgresql" else ("",):
                set_jit("off" if setting else None)
                base_ms, base_runs = median_ms(lambda sql=sql, params=params: run_baseline(sql, params),
                                               args.repeat)  # fmt: skip
                for what, fn in (
                    ("periodic_report", lambda u=unit: periodic_report(unit=u, date_from=date_from,
                                                                       date_to=date_to)),
                    ("scoreboard_compute", lambda u=unit: scoreboard_compute(unit=u, date_from=date_from,
                                                                             date_to=date_to, store=False)),
                ):  # fmt: skip
                    ours_ms, ours_runs = median_ms(fn, args.repeat)
                    rows.append({"database": vendor, "setting": setting, "scope": scope, "report": what,
                                 "facts_in_scope": in_scope, "ours_ms": ours_ms, "baseline_ms": base_ms,
                                 "ours_runs": ours_runs, "baseline_runs": base_runs})  # fmt: skip
                set_jit(None)
            rows[-1]["figures"] = {k: report[k] for k in ("received", "resolved", "in_process", "not_accepted")}
            print(f"  {scope} {unit.code}: {in_scope:,} facts; received {report['received']['total']:,}, "
                  f"resolved {report['resolved']['total']:,}, in process {report['in_process']['total']:,} "
                  f"({report['in_process']['overdue']:,} overdue): hand-written query agrees", flush=True)
        load.append(os.getloadavg()[0])
        return {"where": where, "version": db_version(), "fill_s": fill_s, "spent": spent, "counts": counts,
                "size": size, "rows": rows, "load": load, "jit": server_setting("jit")}  # fmt: skip


def server_setting(name: str) -> str | None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {name}")
        return str(cursor.fetchone()[0])


def set_jit(value: str | None) -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("RESET jit" if value is None else f"SET jit = {value}")


def db_version() -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    connection.ensure_connection()
    version = connection.pg_version
    return f"PostgreSQL {version // 10000}.{version % 10000}"


def db_size() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()")
        else:
            cursor.execute("SELECT pg_database_size(current_database())")
        return f"{cursor.fetchone()[0] / 2**20:,.0f} MiB"


def table(results: Sequence[dict[str, Any]], repeat: int) -> str:
    lines = [f"{'database':<19}{'scope':<10}{'report':<20}{'facts':>10}{'ours ms':>10}{'hand ms':>10}"
             f"{'ratio':>7}  < {GOAL_MS:,.0f} ms  ratio ≤ {GOAL_RATIO:g}"]  # fmt: skip
    for result in results:
        for row in result["rows"]:
            ratio = row["ours_ms"] / row["baseline_ms"]
            fast = "pass" if row["ours_ms"] < GOAL_MS else "FAIL"
            close = "pass" if ratio <= GOAL_RATIO else "FAIL"
            name = result["version"].split()[0] + (f" {row['setting']}" if row["setting"] else "")
            lines.append(f"{name:<19}{row['scope']:<10}{row['report']:<20}"
                         f"{row['facts_in_scope']:>10,}{row['ours_ms']:>10.1f}{row['baseline_ms']:>10.1f}"
                         f"{ratio:>7.2f}  {fast:<11}{close}")  # fmt: skip
    lines.append(f"(median of {repeat} runs after a warm-up; 'hand' = the one hand-written SQL aggregate)")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--dossiers", type=int, default=1_000_000, help="dossiers to generate (1,000,000)")
    parser.add_argument("--communes", type=int, default=56, help="communes of the province (56, Cao Bằng)")
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"),
                        help="default: both when PostgreSQL answers, else sqlite")  # fmt: skip
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each query; the median is shown")
    parser.add_argument("--period", default="2025-Q3", help="the period, as the CLI's presets (2025-Q3)")
    parser.add_argument("--seed", type=int, default=766)
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES)
    parser.add_argument("--explain", action="store_true", help="print the query plans (province scope)")
    parser.add_argument("--result-file", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.dossiers < 1 or args.communes < 2 or args.repeat < 1:
        parser.error("--dossiers ≥ 1, --communes ≥ 2 and --repeat ≥ 1")
    if args.database is None:
        args.database = "both" if postgres_reachable(args.postgres_url) else "sqlite"
        if args.database == "sqlite":
            print(f"PostgreSQL does not answer at {args.postgres_url}: SQLite only", flush=True)

    if args.database != "both":
        result = measure(args)
        if args.result_file:
            Path(args.result_file).write_text(json.dumps(result), encoding="utf-8")
        if args.result_file:  # a child of --database both: the parent prints the summary
            return 0
        results = [result]
    else:  # each database in its own process: Django is configured once per process
        results = []
        with tempfile.TemporaryDirectory(prefix="motcua-bench-report-") as tmp:
            for kind in ("sqlite", "postgres"):
                out = Path(tmp) / f"{kind}.json"
                child = [sys.executable, __file__, "--database", kind, "--result-file", str(out),
                         "--dossiers", str(args.dossiers), "--communes", str(args.communes),
                         "--repeat", str(args.repeat), "--period", args.period, "--seed", str(args.seed),
                         "--postgres-url", args.postgres_url, *(["--explain"] if args.explain else [])]  # fmt: skip
                subprocess.run(child, check=True)
                results.append(json.loads(out.read_text(encoding="utf-8")))
        figures = [[row["figures"] for row in r["rows"] if "figures" in row] for r in results]
        assert figures[0] == figures[1], "SQLite and PostgreSQL reports differ on the same data"
        print("SQLite and PostgreSQL give the same report figures on the same data")
    print()
    print(f"{args.dossiers:,} dossiers, {args.communes} communes, period {args.period}, seed {args.seed}")
    for r in results:
        print(f"{r['version']}: fill {r['fill_s']:.1f} s (generate {r['spent']['generate']:.1f} s, write "
              f"{r['spent']['write']:.1f} s, finish {r['spent']['finish']:.1f} s), {r['counts']['due_changes']:,} "
              f"due changes, database {r['size']}; load average {r['load'][0]:.2f} before the timings, "
              f"{r['load'][1]:.2f} after" + (f"; server jit={r['jit']}" if r["jit"] else ""))  # fmt: skip
    print(table(results, args.repeat))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
