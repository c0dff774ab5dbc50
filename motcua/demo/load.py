"""Load the Đông Khê demo: units, departments, the real commune-level procedures, staff, and the dossiers of
:mod:`motcua.demo.plan` played through the same services as live work. Loading twice changes nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass
from importlib import resources
from typing import Any

from django.db import transaction

from motcua.accounts.models import User
from motcua.accounts.services import role_grant, user_create
from motcua.catalogue.models import Unit
from motcua.catalogue.selectors import unit_calendar
from motcua.catalogue.services import (
    calendar_install_defaults,
    catalogue_import,
    department_create,
    units_load_official,
)
from motcua.demo.plan import PROCEDURES, PlannedDossier, build_plan
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier
from motcua.reports.facts import facts_deferred

__all__ = ["COMMUNE", "DEMO_PASSWORD", "PROVINCE", "DemoResult", "demo_load"]

PROVINCE = "000.00.00.H11"
COMMUNE = "000.31.00.H11"
DEMO_PASSWORD = "dongkhe-demo-2025"  # noqa: S105 - printed by `motcua demo`; demo data only

UNITS = [
    {"code": PROVINCE, "name": "Tỉnh Cao Bằng", "kind": "province", "admin_code": "04"},
    {"code": COMMUNE, "name": "Xã Đông Khê", "kind": "commune", "parent": PROVINCE, "admin_code": "01786",
     "office_hours": [["07:30", "11:30"], ["13:30", "17:00"]]},
]
DEPARTMENTS = [
    ("TP-HT", "Tư pháp – Hộ tịch", ["HT", "CT"]),
    ("DC-XD", "Địa chính – Xây dựng", ["DD", "XD"]),
    ("CA", "Công an xã (cư trú)", ["CTR"]),
    ("VH-XH", "Văn hóa – Xã hội", ["BTXH", "NCC", "GD", "VH", "HKD"]),
]
# (username, full name, role, unit, department)
STAFF = [
    ("tiepnhan1", "Nông Thị Hoa", "desk_officer", COMMUNE, None),
    ("tiepnhan2", "Hoàng Văn Thắng", "desk_officer", COMMUNE, None),
    ("tuphap", "Lục Thị Mai", "specialist", COMMUNE, "TP-HT"),
    ("diachinh", "Đàm Văn Cường", "specialist", COMMUNE, "DC-XD"),
    ("congan", "Lương Đức Hải", "specialist", COMMUNE, "CA"),
    ("vhxh", "Bế Thị Lan", "specialist", COMMUNE, "VH-XH"),
    ("truong.tuphap", "Triệu Văn Long", "department_head", COMMUNE, "TP-HT"),
    ("truong.diachinh", "La Văn Sơn", "department_head", COMMUNE, "DC-XD"),
    ("truong.congan", "Mã Văn Tài", "department_head", COMMUNE, "CA"),
    ("truong.vhxh", "Lâm Thị Dung", "department_head", COMMUNE, "VH-XH"),
    ("pct.ubnd", "Nông Văn Vinh", "approver", COMMUNE, None),
    ("vanthu", "Hà Thị Yến", "clerk", COMMUNE, None),
    ("quantri", "Đinh Văn Nam", "admin", COMMUNE, None),
    ("thanhtra", "Vi Thị Ngân", "inspector", PROVINCE, None),
]
SPECIALIST_OF = {"TP-HT": "tuphap", "DC-XD": "diachinh", "CA": "congan", "VH-XH": "vhxh"}
HEAD_OF = {"TP-HT": "truong.tuphap", "DC-XD": "truong.diachinh", "CA": "truong.congan", "VH-XH": "truong.vhxh"}

# Rates the provincial People's Council sets (null in the national catalogue). Illustrative values for the
# demo, not Cao Bằng's resolution: a deployment imports its province's real rates.
DEMO_PROVINCE_RATES = {"DD": 125000, "XD": 75000, "HKD": 100000, "HT": 0}


@dataclass(frozen=True)
class DemoResult:
    created: int
    skipped: int
    live: int
    users: list[tuple[str, str, str]]


def demo_catalogue() -> dict[str, Any]:
    """The shipped commune-level catalogue with Cao Bằng's (illustrative) settings: provincial rates filled
    in, and the demo's boundary-independent list."""
    raw = resources.files("motcua.catalogue.data").joinpath("procedures-commune.json").read_text(encoding="utf-8")
    data = json.loads(raw)
    boundary_independent = {code for code, _, _, bi, _ in PROCEDURES if bi}
    catalogue = {"units": deepcopy(UNITS), "sectors": data["sectors"], "procedures": []}
    for procedure in data["procedures"]:
        procedure = deepcopy(procedure)
        for line in procedure["fees"]:
            if line["amount"] is None:
                line["amount"] = DEMO_PROVINCE_RATES.get(procedure["sector"], 0)
                line["name"] += " — mức minh họa của bản demo"
        procedure["boundary_independent"] = procedure["code"] in boundary_independent
        catalogue["procedures"].append(procedure)
    return catalogue


def _setup(out: Callable[[str], None]) -> dict[str, User]:
    units_load_official()
    catalogue_import(data=demo_catalogue())
    calendar_install_defaults()
    commune = Unit.objects.get(code=COMMUNE)
    for code, name, sectors in DEPARTMENTS:
        department_create(unit=commune, code=code, name=name, sector_codes=sectors)
    from motcua.interop.services import LINKED_GROUPS_FILE, linked_groups_load

    linked_groups_load(json.loads(LINKED_GROUPS_FILE.read_text(encoding="utf-8")))
    users: dict[str, User] = {}
    for username, full_name, role, unit, department in STAFF:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(username=username, password=DEMO_PASSWORD, full_name=full_name)
        role_grant(user=user, role=role, unit_code=unit, department_code=department)
        users[username] = user
    users["quantri"].is_staff = True
    users["quantri"].save(update_fields=["is_staff"])
    return users


def _desk(users: dict[str, User], plan: PlannedDossier) -> User:
    return users["tiepnhan1" if int(plan.ref[-4:]) % 3 else "tiepnhan2"]


def _play(plan: PlannedDossier, users: dict[str, User], components: dict[str, list[str]],
          departments: dict[str, str]) -> None:
    desk = _desk(users, plan)
    with transaction.atomic(), facts_deferred():
        dossier = s.dossier_submit(
            procedure_code=plan.procedure, receiving_unit_code=COMMUNE, channel=plan.channel,
            applicant=s.Applicant(**plan.applicant),
            components=[s.ComponentIn(code=c, digitized=plan.components_digitized, reused=plan.reused and k == 0)
                        for k, c in enumerate(components[plan.procedure])],
            fees_exempt=plan.fees_exempt, fee_total=plan.fee, actor=None if plan.channel == "online" else desk,
            at=plan.submitted_at, external_ref=plan.ref,
        )
        department = departments[plan.procedure]
        for action, at, payload in plan.steps:
            actor: User | None
            payload = dict(payload)
            if action in ("assign",):
                actor = users[HEAD_OF[department]]
                payload["assignee"] = SPECIALIST_OF[department]
            elif action in ("request_supplement", "propose"):
                actor = users[SPECIALIST_OF[department]]
            elif action in ("approve", "resolve", "stop", "extend"):
                actor = users["pct.ubnd"]
            elif action == "cancel":
                actor = users["quantri"]
            else:
                actor = desk
            s.dossier_act(dossier_id=dossier.pk, action=action, actor=actor, at=at, payload=payload)
        if plan.synced_at is not None:
            s.dossier_mark_synced(dossier_id=dossier.pk, at=plan.synced_at)


def demo_load(*, out: Callable[[str], None] = lambda line: None) -> DemoResult:
    """Load (or complete) the Đông Khê demo. Each dossier is one transaction; existing ones are skipped."""
    from motcua.catalogue.models import Department, Procedure

    with transaction.atomic():
        users = _setup(out)
    commune = Unit.objects.get(code=COMMUNE)
    plans = build_plan(unit_calendar(commune))
    done = set(Dossier.objects.filter(external_ref__startswith="demo-dongkhe:").values_list("external_ref",
                                                                                             flat=True))
    components: dict[str, list[str]] = {}
    departments: dict[str, str] = {}
    by_sector = {s_code: d.code for d in Department.objects.filter(unit=commune).prefetch_related("sectors")
                 for s_code in d.sectors.values_list("code", flat=True)}
    for procedure in Procedure.objects.select_related("current_version", "sector"):
        version = procedure.current_version
        if version is not None:
            components[procedure.code] = [c["code"] for c in version.components if c.get("required")] or \
                [c["code"] for c in version.components][:1]
            departments[procedure.code] = by_sector.get(procedure.sector.code, "TP-HT")
    created = 0
    for n, plan in enumerate(plans, 1):
        if plan.ref in done:
            continue
        _play(plan, users, components, departments)
        created += 1
        if n % 100 == 0:
            out(f"  {n}/{len(plans)} dossiers")
    from motcua.demo.live import live_work_load

    live = live_work_load(users, components, out=out)
    try:
        from motcua.reform.services import plan_load_demo
    except ImportError:  # pragma: no cover - the reform module arrives with its own change
        pass
    else:
        plan_load_demo(commune)
    return DemoResult(created=created, skipped=len(plans) - created, live=live,
                      users=[(u, role, unit) for u, _, role, unit, _ in STAFF])
