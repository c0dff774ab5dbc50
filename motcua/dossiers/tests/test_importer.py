"""The historic importer (interfaces §3.3) and ``motcua dossiers import`` (interfaces §2)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from conftest import COMMUNE, OTHER_COMMUNE, vn
from motcua.cli import main
from motcua.dossiers.importer import import_dossiers
from motcua.dossiers.models import (
    DailySequence,
    Dossier,
    DossierComponent,
    DossierEvent,
    DossierResult,
    Payment,
)
from motcua.reports.models import DossierFact, DueChange

pytestmark = pytest.mark.django_db

# ``motcua.cli.main`` runs the command as from a shell, and Django closes the database connections at the end of
# such a run: tests that call it cannot live inside a rolled-back test transaction (on PostgreSQL).
MAIN_CLOSES_CONNECTIONS = pytest.mark.django_db(transaction=True)


# ---------------------------------------------------------------------------------------------------------------
# building lines


def iso(at: datetime) -> str:
    return at.isoformat()


def ev(action: str, at: datetime, **fields: Any) -> dict[str, Any]:
    return {"action": action, "at": iso(at), **fields}


def dossier_line(
    procedure: str = "1.001022",
    *,
    t0: datetime,
    events: list[dict[str, Any]],
    channel: str = "direct",
    name: str = "Nông Văn A",
    **extra: Any,
) -> dict[str, Any]:
    components = {"1.001022": ["TK", "CC"], "1.001193": ["TK"], "1.012784": ["DON"], "2.000815": ["BC"]}
    return {
        "procedure": procedure,
        "receiving_unit": COMMUNE,
        "channel": channel,
        "submitted_at": iso(t0),
        "applicant": {"name": name, "id_number": "004090000123", "phone": "0912345678"},
        "components": [{"code": c, "digitized": True} for c in components.get(procedure, [])],
        "events": events,
        **extra,
    }


def scenario(i: int) -> dict[str, Any]:
    """A valid historic dossier, deterministic in ``i``: fourteen kinds of history over the test catalogue."""
    day = vn("2025-07-01 08:00") + timedelta(days=i % 150, minutes=i % 50)

    def h(hours: float) -> datetime:
        return day + timedelta(hours=hours)

    name = f"Công dân {i:04d}"
    kind = i % 14
    extra: dict[str, Any] = {}
    if i % 7 == 3:
        extra["external_ref"] = f"legacy-system:{i}"
    if kind == 0:
        return dossier_line(
            "1.001022",
            t0=day,
            name=name,
            code=f"CB-2025-{i:05d}",
            synced_to_portal_at=iso(h(0.5)),
            events=[
                ev("accept", h(0.1)),
                ev("forward", h(0.2)),
                ev("resolve", h(30), result_code=f"KQ-{i}", e_copy=True),
                ev("deliver", h(31), method="desk"),
            ],
        )
    if kind == 1:
        return dossier_line(
            "1.001193",
            t0=day,
            name=name,
            channel="online",
            **extra,
            events=[
                ev("accept", h(0.1)),
                ev("forward", h(0.2)),
                ev("resolve", h(5), result_code=f"KQ-{i}"),
                ev("deliver", h(6), method="online"),
            ],
        )
    if kind == 2:
        return dossier_line(
            "1.012784",
            t0=day,
            name=name,
            **extra,
            events=[
                ev("accept", h(0.1)),
                ev("forward", h(0.2)),
                ev("request_payment", h(24), amount=50000),
                ev("confirm_payment", h(48), method="online", amount=50000),
                ev("resolve", h(200), result_code=f"KQ-{i}"),
                ev("deliver", h(201), method="postal"),
            ],
        )
    if kind == 3:
        return dossier_line(
            "2.000815",
            t0=day,
            name=name,
            channel="online",
            **extra,
            events=[
                ev("accept", h(0.1)),
                ev("confirm_payment", h(0.15), method="cash", amount=2000),
                ev("forward", h(0.2)),
                ev("resolve", h(3), result_code=f"KQ-{i}"),
            ],
        )
    if kind == 4:
        return dossier_line(
            "1.013949",
            t0=day,
            name=name,
            channel="postal",
            **extra,
            events=[
                ev("accept", h(0.1)),
                ev("forward", h(0.2)),
                ev("request_supplement", h(24), reason="thiếu bản đồ"),
                ev("supply_supplement", h(72)),
                ev("resolve", h(300), result_code=f"KQ-{i}", e_copy=True),
            ],
        )
    if kind == 5:
        return dossier_line(
            "1.001022",
            t0=day,
            name=name,
            **extra,
            events=[
                ev("accept", h(0.1)),
                ev("forward", h(0.2)),
                ev("propose", h(2), note="đề xuất"),
                ev("reject_proposal", h(3), note="bổ sung ý kiến"),
                ev("propose", h(4)),
                ev("approve", h(5)),
                ev("resolve", h(6), result_code=f"KQ-{i}"),
                ev("deliver", h(30), method="desk"),
            ],
        )
    if kind == 6:
        return dossier_line(
            "1.001193",
            t0=day,
            name=name,
            **extra,
            events=[
                ev("accept", h(0.1)),
                ev("forward", h(0.2)),
                ev("request_supplement", h(1), reason="thiếu tờ khai"),
                ev("supply_supplement", h(24)),
                ev("request_supplement", h(25), reason="thiếu chữ ký"),
                ev("supply_supplement", h(48)),
                ev("resolve", h(49), result_code=f"KQ-{i}"),
            ],
        )
    if kind == 7:
        return dossier_line(
            "1.001022",
            t0=day,
            name=name,
            channel="online",
            **extra,
            events=[ev("accept", h(0.1)), ev("stop", h(2), reason="not_eligible")],
        )
    if kind == 8:
        return dossier_line(
            "1.012784",
            t0=day,
            name=name,
            **extra,
            events=[
                ev("accept", h(0.1)),
                ev("forward", h(0.2)),
                ev("extend", h(1), new_appointment=iso(h(24 * 60)), reason="xin lỗi"),
                ev("stop", h(48), reason="withdrawn"),
            ],
        )
    if kind == 9:
        return dossier_line(
            "2.000815", t0=day, name=name, **extra, events=[ev("cancel", h(0.1), reason="trùng hồ sơ")]
        )
    if kind == 10:
        return dossier_line(
            "1.001022",
            t0=day,
            name=name,
            competent_unit=OTHER_COMMUNE,
            **extra,
            events=[ev("accept", h(0.1)), ev("forward", h(0.2))],
        )
    if kind == 11:
        return dossier_line(
            t0=day, name=name, **extra, events=[ev("refuse", h(0.1), reason="không đủ điều kiện")]
        )
    if kind == 12:
        return dossier_line(
            t0=day,
            name=name,
            channel="online",
            **extra,
            events=[ev("return_unaccepted", h(0.1), reason="cannot_submit")],
        )
    return dossier_line(
        "1.001193",
        t0=day,
        name=name,
        **extra,
        events=[
            ev("request_intake_supplement", h(0.1), reason="thiếu tờ khai"),
            ev("supply_intake_supplement", h(24)),
            ev("accept", h(24.1)),
            ev("forward", h(24.2)),
        ],
    )


def planted_bad_lines() -> dict[int, tuple[str, list[str]]]:
    """Line number -> (the line's text, fragments its error must contain)."""
    t0 = vn("2025-08-05 08:00")

    def h(hours: float) -> datetime:
        return t0 + timedelta(hours=hours)

    def dump(data: dict[str, Any]) -> str:
        return json.dumps(data, ensure_ascii=False)

    naive = dossier_line(
        t0=t0,
        name="Naive",
        events=[ev("accept", h(1)), ev("forward", h(2)), {"action": "resolve", "at": "2025-08-06T10:00:00"}],
    )
    return {
        101: (
            dump(dossier_line("9.999999", t0=t0, name="Unknown", events=[ev("accept", h(1))])),
            ["procedure", "9.999999", "is not a known procedure"],
        ),
        202: (
            dump(
                dossier_line(
                    t0=t0, name="Too early", events=[ev("accept", h(1)), ev("resolve", h(2), result_code="X")]
                )
            ),
            ["events[1] (resolve)", "not allowed in state 'received'"],
        ),
        303: (
            dump(dossier_line(t0=t0, name="Backwards", events=[ev("accept", h(2)), ev("forward", h(1))])),
            ["events[1] (forward)", "times going backwards"],
        ),
        404: ('{"procedure": "1.001022", "receiving_unit": "' + COMMUNE + '", "channel": ', ["invalid JSON"]),
        505: (dump(dossier_line(t0=t0, name="Fax", channel="fax", events=[])), ["channel", '"fax"']),
        606: (dump(naive), ["events[2].at", "timezone"]),
        707: (
            dump(
                dossier_line(
                    t0=t0,
                    name="Late failure",
                    code="CB-BAD-707",
                    events=[
                        ev("accept", h(1)),
                        ev("confirm_payment", h(1.5), method="cash", amount=15000),
                        ev("forward", h(2)),
                        ev("resolve", h(3), result_code="KQ-BAD"),
                        ev("deliver", h(4), method="desk"),
                        ev("forward", h(5)),
                    ],
                )
            ),
            ["events[5] (forward)", "not allowed in state 'delivered'"],
        ),
        808: (
            dump(
                dossier_line(
                    "1.001193",
                    t0=t0,
                    name="Late apology",
                    events=[
                        ev("accept", h(0.5)),
                        ev("forward", h(0.6)),
                        ev("extend", h(1), new_appointment=iso(h(48))),
                    ],
                )
            ),
            ["events[2] (extend)", "at least 1 working day"],
        ),
    }


def thousand_lines() -> tuple[list[str], list[dict[str, Any]], dict[int, tuple[str, list[str]]]]:
    bad = planted_bad_lines()
    lines: list[str] = []
    good: list[dict[str, Any]] = []
    for n in range(1, 1001):
        if n in bad:
            lines.append(bad[n][0] + "\n")
        else:
            data = scenario(n)
            good.append(data)
            lines.append(json.dumps(data, ensure_ascii=False) + "\n")
    return lines, good, bad


def one(data: dict[str, Any]) -> list[str]:
    return [json.dumps(data, ensure_ascii=False)]


# ---------------------------------------------------------------------------------------------------------------
# the importer


def test_thousand_lines_import_all_but_the_planted_bad_ones_and_a_rerun_skips_them(catalogue):
    # given
    lines, good, bad = thousand_lines()
    # when
    result = import_dossiers(lines, source="history.jsonl")
    # then: exactly the planted lines fail, each with its reason
    assert sorted(e.line_no for e in result.errors) == sorted(bad)
    assert (result.imported, result.failed, result.skipped) == (1000 - len(bad), len(bad), 0)
    for error in result.errors:
        for fragment in bad[error.line_no][1]:
            assert fragment in error.message, (error, fragment)
    # and every other line is there, with all its events, and nothing of the bad ones
    assert Dossier.objects.count() == len(good)
    assert DossierEvent.objects.count() == sum(1 + len(d["events"]) for d in good)
    assert Payment.objects.count() == sum(
        1 for d in good for e in d["events"] if e["action"] == "confirm_payment"
    )
    assert DossierResult.objects.count() == sum(
        1 for d in good for e in d["events"] if e["action"] == "resolve"
    )
    assert DossierComponent.objects.count() == sum(len(d["components"]) for d in good)
    assert DossierFact.objects.count() == len(good)  # the report facts, written in each line's transaction
    assert DossierFact.objects.filter(synced=True).count() == sum(
        1 for d in good if "synced_to_portal_at" in d
    )
    assert not Dossier.objects.filter(
        applicant_name__in=["Unknown", "Too early", "Backwards", "Late failure", "Late apology"]
    ).exists()
    # and issued dossier numbers have no gap (the rolled-back acceptances gave theirs back)
    issued: dict[str, list[int]] = {}
    for code in Dossier.objects.filter(code__startswith=COMMUNE).values_list("code", flat=True):
        prefix, seq = code.rsplit("-", 1)
        issued.setdefault(prefix, []).append(int(seq))
    assert issued
    assert all(sorted(seqs) == list(range(1, len(seqs) + 1)) for seqs in issued.values())

    # when the same file is imported again
    again = import_dossiers(lines, source="history.jsonl")
    # then nothing new, nothing duplicated
    assert (again.imported, again.failed, again.skipped) == (0, len(bad), len(good))
    assert Dossier.objects.count() == len(good)
    assert DossierEvent.objects.count() == sum(1 + len(d["events"]) for d in good)


def test_a_failing_line_leaves_nothing_behind(catalogue):
    # given a line that pays, resolves and delivers, then breaks a rule at its last event
    _, _, bad = thousand_lines()
    before = DailySequence.objects.count()
    # when
    result = import_dossiers([bad[707][0]], source="x")
    # then
    assert result.failed == 1
    assert result.errors[0].line_no == 1
    assert str(result.errors[0]).startswith("line 1: events[5] (forward): ")
    for model in (Dossier, DossierEvent, DossierComponent, Payment, DossierResult, DossierFact, DueChange):
        assert model.objects.count() == 0, model
    assert DailySequence.objects.count() == before


def test_an_accepted_line_keeps_its_code_and_is_keyed_by_it(catalogue):
    # given
    line = scenario(0)  # kind 0: code CB-2025-00000, synced to the portal
    # when
    result = import_dossiers(one(line), source="x")
    # then
    assert result.imported == 1
    dossier = Dossier.objects.get()
    assert dossier.code == "CB-2025-00000"
    assert dossier.external_ref == "import:CB-2025-00000"
    assert dossier.state == "delivered"
    assert dossier.synced_to_portal_at == vn("2025-07-01 08:30")
    assert DossierFact.objects.get(dossier=dossier).synced is True
    assert dossier.received_at == vn("2025-07-01 08:06")
    assert [e.actor for e in dossier.events.all()] == [None] * 5


def test_a_line_without_code_gets_one_from_accept_and_a_content_hash_as_key(catalogue):
    # given
    line = dossier_line(t0=vn("2026-03-09 08:00"), events=[ev("accept", vn("2026-03-09 09:00"))])
    # when
    import_dossiers(one(line), source="x")
    # then
    dossier = Dossier.objects.get()
    assert dossier.code == f"{COMMUNE}-260309-0001"
    assert dossier.due_at == vn("2026-03-12 09:00")
    assert dossier.external_ref is not None
    assert dossier.external_ref.startswith("import:")
    assert len(dossier.external_ref) == len("import:") + 32


def test_the_content_key_ignores_key_order_and_spacing(catalogue):
    # given the same dossier written twice, differently
    line = dossier_line(t0=vn("2026-03-09 08:00"), events=[ev("accept", vn("2026-03-09 09:00"))])
    reformatted = json.dumps(dict(reversed(list(line.items()))), indent=None, separators=(" , ", " : "))
    # when
    result = import_dossiers([json.dumps(line), reformatted], source="x")
    # then
    assert (result.imported, result.skipped, result.failed) == (1, 1, 0)
    assert Dossier.objects.count() == 1


def test_confirm_payment_outside_awaiting_payment_records_a_payment_without_a_state_change(catalogue):
    # given fees paid at intake
    t0 = vn("2026-03-09 08:00")
    line = dossier_line(
        t0=t0,
        events=[
            ev("accept", t0 + timedelta(minutes=5)),
            ev("confirm_payment", t0 + timedelta(minutes=6), method="cash", amount=15000),
        ],
    )
    # when
    import_dossiers(one(line), source="x")
    # then
    dossier = Dossier.objects.get()
    assert dossier.state == "received"
    payment = Payment.objects.get()
    assert (payment.method, payment.amount, payment.paid_at) == ("cash", 15000, t0 + timedelta(minutes=6))
    event = dossier.events.get(action="confirm_payment")
    assert (event.from_state, event.to_state) == ("received", "received")


def test_a_payment_that_ends_a_wait_resumes_processing(catalogue):
    # given
    result = import_dossiers(one(scenario(2)), source="x")  # request_payment, confirm_payment, resolve...
    # then
    assert result.imported == 1
    events = list(DossierEvent.objects.values_list("action", "from_state", "to_state"))
    assert ("confirm_payment", "awaiting_payment", "processing") in events
    assert Payment.objects.get().method == "online"


def test_histories_refused_or_returned_at_intake_are_imported(catalogue):
    # given the intake outcomes of interfaces §3.3
    t0 = vn("2025-09-10 08:00")
    lines = [
        dossier_line(t0=t0, name="Refused", events=[ev("refuse", t0 + timedelta(minutes=5), reason="sai")]),
        dossier_line(
            t0=t0,
            name="Returned",
            events=[ev("return_unaccepted", t0 + timedelta(minutes=5), reason="cannot_submit")],
        ),
        dossier_line(
            t0=t0,
            name="Completed at intake",
            events=[
                ev("request_intake_supplement", t0 + timedelta(minutes=5), reason="thiếu"),
                ev("supply_intake_supplement", t0 + timedelta(days=1)),
                ev("accept", t0 + timedelta(days=1, minutes=5)),
            ],
        ),
    ]
    # when
    result = import_dossiers([json.dumps(line) for line in lines], source="x")
    # then
    assert result.errors == []
    states = dict(Dossier.objects.values_list("applicant_name", "state"))
    assert states == {"Refused": "refused", "Returned": "returned", "Completed at intake": "received"}
    assert Dossier.objects.get(applicant_name="Returned").return_reason == "cannot_submit"


def test_a_repeated_line_in_one_file_is_skipped_not_duplicated(catalogue):
    line = scenario(1)
    result = import_dossiers(one(line) * 3, source="x")
    assert (result.imported, result.skipped, result.failed) == (1, 2, 0)
    assert Dossier.objects.count() == 1


def test_blank_lines_are_ignored_but_counted_in_line_numbers(catalogue):
    result = import_dossiers(["\n", json.dumps(scenario(1)) + "\n", "  \n", "{nope\n"], source="x")
    assert (result.imported, result.failed) == (1, 1)
    assert result.errors[0].line_no == 4


def test_errors_never_show_a_full_id_or_phone_number(catalogue):
    # given a bad ID number (refused by the service) and an over-long phone (refused by the schema)
    t0 = vn("2026-03-09 08:00")
    bad_id = dossier_line(t0=t0, events=[])
    bad_id["applicant"]["id_number"] = "00409000012"
    bad_phone = dossier_line(t0=t0, events=[])
    bad_phone["applicant"]["phone"] = "091234567890123456789"
    missing_name = dossier_line(t0=t0, events=[])
    del missing_name["applicant"]["name"]
    # when
    result = import_dossiers(
        [json.dumps(bad_id), json.dumps(bad_phone), json.dumps(missing_name)], source="x"
    )
    # then
    messages = [str(e) for e in result.errors]
    assert len(messages) == 3
    assert "applicant.id_number" in messages[0]
    assert "********012" in messages[0]
    assert "applicant.phone" in messages[1]
    assert "789" in messages[1]
    assert "applicant.name: Field required" in messages[2]
    for text in messages:
        for secret in ("00409000012", "0912345678", "004090000123", "091234567890123456789"):
            assert secret not in text


# ---------------------------------------------------------------------------------------------------------------
# the command


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line if line.endswith("\n") else line + "\n" for line in lines), encoding="utf-8")
    return path


def test_command_prints_the_summary_and_each_failure_with_file_and_line(catalogue, tmp_path):
    # given
    _, _, bad = thousand_lines()
    path = write(
        tmp_path / "old.jsonl", [json.dumps(scenario(1)), bad[202][0], json.dumps(scenario(3)), bad[404][0]]
    )
    out, err = StringIO(), StringIO()
    # when
    with pytest.raises(SystemExit) as exit_:
        call_command("dossiers", "import", str(path), stdout=out, stderr=err)
    # then
    assert exit_.value.code == 1
    assert out.getvalue() == "imported 2, failed 2\n"
    errors = err.getvalue().splitlines()
    assert len(errors) == 2
    assert errors[0].startswith(f"{path}:2: events[1] (resolve): action 'resolve' is not allowed")
    assert errors[1].startswith(f"{path}:4: invalid JSON")
    assert Dossier.objects.count() == 2  # the good lines are committed


@MAIN_CLOSES_CONNECTIONS
def test_command_exits_0_and_reports_skipped_lines_on_a_rerun(catalogue, tmp_path, capsys):
    # given
    path = write(tmp_path / "old.jsonl", [json.dumps(scenario(1)), json.dumps(scenario(4))])
    assert main(["dossiers", "import", str(path)]) == 0
    assert capsys.readouterr().out == "imported 2, failed 0\n"
    # when
    code = main(["dossiers", "import", str(path)])
    # then
    captured = capsys.readouterr()
    assert code == 0
    assert captured.out == "imported 0, failed 0\nskipped 2 (already imported)\n"
    assert captured.err == ""
    assert Dossier.objects.count() == 2


@MAIN_CLOSES_CONNECTIONS
def test_command_on_a_terminal_shows_progress_and_still_prints_each_failure(
    catalogue, tmp_path, capsys, monkeypatch
):
    # given stderr is a terminal
    from django.core.management.base import OutputWrapper

    monkeypatch.setattr(OutputWrapper, "isatty", lambda self: True)
    _, _, bad = thousand_lines()
    path = write(tmp_path / "old.jsonl", [json.dumps(scenario(1)), bad[505][0]])
    # when
    code = main(["dossiers", "import", str(path)])
    # then
    captured = capsys.readouterr()
    assert code == 1
    assert captured.out == "imported 1, failed 1\n"
    assert f"{path}:2: channel: Input should be" in captured.err


@MAIN_CLOSES_CONNECTIONS
def test_command_refuses_a_missing_file(catalogue, tmp_path, capsys):
    assert main(["dossiers", "import", str(tmp_path / "nope.jsonl")]) == 1
    captured = capsys.readouterr()
    assert captured.err.strip() == f"error: {tmp_path / 'nope.jsonl'}: no such file"
    assert captured.out == ""


@MAIN_CLOSES_CONNECTIONS
def test_command_refuses_a_file_that_is_not_utf8_and_imports_nothing(catalogue, tmp_path, capsys):
    # given a good first line, then a Windows-1258 line
    path = tmp_path / "old.jsonl"
    path.write_bytes((json.dumps(scenario(1)) + "\n").encode() + '{"name": "Nông"}\n'.encode("cp1258"))
    # when
    code = main(["dossiers", "import", str(path)])
    # then
    captured = capsys.readouterr()
    assert code == 1
    assert captured.err.strip().startswith(f"error: {path}:2: not UTF-8 text")
    assert len(captured.err.strip().splitlines()) == 1
    assert Dossier.objects.count() == 0
