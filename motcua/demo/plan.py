"""The Đông Khê demo dataset, planned: which dossiers, of which procedures, when, and how each one goes.

Deterministic (a fixed seed). The plan is built so that the product's own periodic report computes the
figures of the reference inspection (``docs/demo.md``): nothing here is a figure, only dossiers with their
instants and outcomes; the report counts them. Instants are chosen on the unit's real working calendar.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from motcua.domain.calendar import WorkingCalendar
from motcua.domain.deadlines import TimeLimit, TimeUnit, compute_due

SEED = 1786  # Đông Khê's statistical code
PERIOD_START = date(2025, 7, 1)
Q3_END = date(2025, 9, 14)  # the Q3 reporting period ends on the 14th (Decree 09/2019 convention)
LAST_DAY = date(2025, 11, 28)  # last working day before the inspection's cut-off (Sun 30 Nov 2025)

# (procedure code, time limit, how many accepted dossiers, boundary-independent in Cao Bằng's list,
#  fee per dossier in VND (0 = none), online level)
#
# Volumes are those of a mountainous commune of ~12,000 people. Fees: the national rates of the shared
# catalogue; where the provincial People's Council sets the rate (null in the catalogue) the demo uses
# illustrative rates (docs/demo.md). Boundary-independent: an illustrative provincial list.
PROCEDURES: tuple[tuple[str, tuple[int, str], int, bool, int], ...] = (
    # civil status (HT): 460
    ("1.001193", (1, "same_day"), 30, True, 0),        # birth registration
    ("1.000894", (1, "same_day"), 10, True, 0),        # marriage registration
    ("1.000656", (1, "same_day"), 5, True, 0),         # death registration
    ("2.000635", (1, "same_day"), 25, True, 16000),    # copies of civil status extracts (2 × 8,000)
    ("1.004873", (3, "working_days"), 180, True, 0),   # marital status certificate
    ("1.004859", (3, "working_days"), 70, True, 0),    # change, correction of civil status
    ("1.000689", (3, "working_days"), 40, True, 0),    # birth + recognition of parents
    ("1.004746", (5, "working_days"), 10, True, 0),    # re-registration of marriage
    ("1.004884", (5, "working_days"), 40, False, 0),   # re-registration of birth
    ("1.001022", (3, "working_days"), 25, False, 0),   # recognition of parents
    ("1.004837", (3, "working_days"), 15, False, 0),   # guardianship
    ("1.005461", (5, "working_days"), 10, False, 0),   # re-registration of death
    # certification (CT): 160
    ("2.000815", (1, "same_day"), 90, True, 6000),     # certified copies (3 pages × 2,000)
    ("2.000884", (1, "same_day"), 30, False, 10000),   # certification of a signature
    ("2.001035", (2, "working_days"), 25, False, 50000),
    ("2.001019", (2, "working_days"), 5, False, 50000),
    ("2.001406", (2, "working_days"), 5, False, 50000),
    ("2.000913", (2, "working_days"), 5, False, 30000),
    # residence (CTR, commune police): 190
    ("1.004222", (7, "working_days"), 50, False, 20000),  # permanent residence (10,000 online)
    ("1.004194", (3, "working_days"), 60, False, 15000),  # temporary residence (7,000 online)
    ("1.002755", (3, "working_days"), 20, False, 15000),
    ("1.010041", (1, "working_days"), 45, False, 0),
    ("1.003677", (1, "working_days"), 15, False, 0),
    # land (DD): 75
    ("1.013978", (17, "working_days"), 25, False, 125000),
    ("1.013831", (18, "working_days"), 30, False, 125000),
    ("1.012784", (12, "working_days"), 12, False, 125000),
    ("1.012812", (30, "calendar_days"), 8, False, 0),
    # construction (XD): 29
    ("1.013225", (7, "working_days"), 25, False, 75000),
    ("1.013229", (7, "working_days"), 4, False, 75000),
    # social protection, household business: 30
    ("1.001776", (12, "working_days"), 15, False, 0),
    ("1.001612", (3, "working_days"), 15, False, 100000),
)
ONLINE_FEE = {"1.004222": 10000, "1.004194": 7000, "1.002755": 7000}

# What the inspection found (seed-figures.md); the plan is built to produce exactly these, the report
# computes them from the dossiers.
ACCEPTED = 944
ACCEPTED_BY_Q3_END = 711
SYNCED_BY_Q3_END = 415
SAME_DAY_ON_TIME = 140  # same-day procedures accepted before the 15:00 cut-off and resolved that day
MULTI_DAY_ON_TIME = 3  # resolved on the due date
FEE_REQUIRED = 332
PAID_ONLINE = 276
LODGED_BY_POST = 4
RETURNED_BY_POST = 7
CANCELLED = 12
RETURNED = {"supplement_not_provided": 31, "cannot_submit": 14, "other_procedure_required": 7}
IN_PROCESS = (("1.004873", "2025-11-28 09:40"), ("1.004873", "2025-11-28 10:15"), ("1.004859", "2025-11-27 14:20"),
              ("1.013831", "2025-11-10 08:50"))
SUPPLEMENT_RESTARTS = 40
INTAKE_SUPPLEMENTS = 25

SURNAMES = ("Nông", "Hoàng", "Lục", "Đàm", "Mã", "Lương", "Bế", "Triệu", "La", "Lâm", "Hà", "Nguyễn", "Lý",
            "Đinh", "Vi", "Lô", "Ngôn", "Sầm", "Dương", "Chu")
MIDDLE_M = ("Văn", "Đức", "Minh", "Thanh", "Quang", "Ngọc", "Hữu", "Xuân")
MIDDLE_F = ("Thị", "Thị", "Thị", "Thu", "Ngọc", "Hồng", "Kim", "Bích")
GIVEN_M = ("Hùng", "Dũng", "Thắng", "Tuấn", "Cường", "Hải", "Long", "Sơn", "Nam", "Phúc", "Tài", "Vinh", "Khánh")
GIVEN_F = ("Hoa", "Lan", "Mai", "Hương", "Thảo", "Nhung", "Huyền", "Liên", "Dung", "Hà", "Yến", "Ngân", "Chi")
HAMLETS = ("Bản Giằng", "Nà Keo", "Phố Đông Khê", "Bản Piềng", "Nà Pò", "Khau Liêu", "Đông Lân", "Bản Nưa",
           "Nà Dài", "Pác Khoang")


@dataclass
class PlannedDossier:
    """One dossier of the demo and the instants of its steps (local time, Asia/Ho_Chi_Minh)."""

    ref: str
    procedure: str
    channel: str
    applicant: dict[str, str]
    submitted_at: datetime
    fee: int = 0
    fees_exempt: bool = False
    components_digitized: bool = True
    reused: bool = False
    steps: list[tuple[str, datetime, dict[str, object]]] = field(default_factory=list)
    synced_at: datetime | None = None


class Planner:
    def __init__(self, calendar: WorkingCalendar) -> None:
        self.cal = calendar
        self.rng = random.Random(SEED)
        self.tz = calendar.zone if hasattr(calendar, "zone") else None
        self.days = [d for d in _dates(PERIOD_START, LAST_DAY) if calendar.is_working_day(d)]
        self._n = 0
        self._ids: set[str] = set()

    # -- helpers ---------------------------------------------------------------------------------------------

    def at(self, day: date, hh: int, mm: int) -> datetime:
        return datetime.combine(day, time(hh, mm), tzinfo=self.cal.zone)

    def working_instant(self, day: date, *, after: datetime | None = None, before: datetime | None = None
                        ) -> datetime:
        """A random instant inside a session of ``day`` within (after, before)."""
        slots = []
        for start, end in self.cal.sessions:
            a = datetime.combine(day, start, tzinfo=self.cal.zone)
            b = datetime.combine(day, end, tzinfo=self.cal.zone) - timedelta(minutes=5)
            lo = max(a, after + timedelta(minutes=5)) if after else a
            hi = min(b, before - timedelta(minutes=1)) if before else b
            if lo < hi:
                slots.append((lo, hi))
        if not slots:
            raise ValueError(f"no working time on {day} between {after} and {before}")
        lo, hi = self.rng.choice(slots)
        minutes = int((hi - lo).total_seconds() // 60)
        return lo + timedelta(minutes=self.rng.randint(0, max(0, minutes)))

    def later(self, t: datetime, minutes: tuple[int, int]) -> datetime:
        """``t`` plus some working minutes (moves to the next opening if needed)."""
        return self.cal.add_working_time(t, timedelta(minutes=self.rng.randint(*minutes)))

    def applicant(self) -> dict[str, str]:
        female = self.rng.random() < 0.5
        name = " ".join((self.rng.choice(SURNAMES), self.rng.choice(MIDDLE_F if female else MIDDLE_M),
                         self.rng.choice(GIVEN_F if female else GIVEN_M)))
        while True:
            born = self.rng.randint(1950, 2005)
            century = (1 if female else 0) + (2 if born >= 2000 else 0)
            id_number = f"004{century}{born % 100:02d}{self.rng.randint(0, 999999):06d}"
            if id_number not in self._ids:
                self._ids.add(id_number)
                break
        phone = f"0{self.rng.choice(('86', '96', '97', '98', '32', '33', '34', '35', '91', '94', '83', '84'))}"
        phone += f"{self.rng.randint(0, 9999999):07d}"
        return {"name": name, "id_number": id_number, "phone": phone,
                "address": f"{self.rng.choice(HAMLETS)}, xã Đông Khê, tỉnh Cao Bằng"}

    def ref(self) -> str:
        self._n += 1
        return f"demo-dongkhe:{self._n:04d}"


def _dates(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def limit_of(procedure: str) -> TimeLimit:
    for code, (value, unit), *_ in PROCEDURES:
        if code == procedure:
            return TimeLimit(value=Decimal(value), unit=TimeUnit(unit))
    raise KeyError(procedure)


def build_plan(calendar: WorkingCalendar) -> list[PlannedDossier]:
    """Every dossier of the demo, in the order they are loaded."""
    p = Planner(calendar)
    rng = p.rng
    info = {code: (lim, count, bi, fee) for code, lim, count, bi, fee in PROCEDURES}
    assert sum(c for _, _, c, _, _ in PROCEDURES) == ACCEPTED
    assert sum(c for _, _, c, bi, _ in PROCEDURES if bi) == 460

    # 1. the accepted dossiers: procedure of each, in a shuffled order; the in-process ones are separate
    pool = [code for code, _, count, _, _ in PROCEDURES for _ in range(count)]
    for code, _ in IN_PROCESS:
        pool.remove(code)
    rng.shuffle(pool)
    # the first 711 − (none of the in-process) are accepted by 14 Sep, the rest after
    early_days = [d for d in p.days if d <= Q3_END]
    late_days = [d for d in p.days if Q3_END < d <= date(2025, 11, 21)]
    n_early = ACCEPTED_BY_Q3_END
    accepted_days = sorted(rng.choice(early_days) for _ in range(n_early))
    accepted_days += sorted(rng.choice(late_days) for _ in range(len(pool) - n_early))

    same_day = [i for i, code in enumerate(pool) if info[code][0][1] == "same_day"]
    on_time_same_day = set(rng.sample(same_day, SAME_DAY_ON_TIME))
    three_day = [i for i, code in enumerate(pool) if info[code][0] == (3, "working_days") and i < n_early]
    on_time_multi = set(rng.sample(three_day, MULTI_DAY_ON_TIME))
    multi = [i for i, code in enumerate(pool) if info[code][0][1] == "working_days" and info[code][0][0] >= 3
             and i not in on_time_multi and accepted_days[i] < date(2025, 10, 15)]
    restarts = set(rng.sample(multi, SUPPLEMENT_RESTARTS))
    intake_supplements = set(rng.sample(range(len(pool)), INTAKE_SUPPLEMENTS))

    # fees: who owes, who is exempt, who pays online
    fee_bearing = [i for i, code in enumerate(pool) if info[code][3] > 0]
    owing_in_process = sum(1 for code, _ in IN_PROCESS if info[code][3] > 0)  # they owe, and pay later
    exempt = set(rng.sample(fee_bearing, len(fee_bearing) - (FEE_REQUIRED - owing_in_process)))
    owing = [i for i in fee_bearing if i not in exempt]

    # channels: online where the procedure allows it (decided below), post for a few land/civil-status files
    online_capable = {"1.001193", "1.000894", "1.000656", "2.000635", "1.004873", "1.004859", "1.000689",
                      "1.004746", "1.004884", "1.001022", "1.004837", "1.005461", "1.004222", "1.004194",
                      "1.002755", "1.010041", "1.003677", "1.001612"}
    channel = {}
    for i, code in enumerate(pool):
        channel[i] = "online" if code in online_capable and rng.random() < 0.62 else "direct"
    postal_candidates = [i for i, code in enumerate(pool) if code in ("1.013978", "1.013831", "1.004884")
                         and i not in intake_supplements]
    for i in rng.sample(postal_candidates, LODGED_BY_POST):
        channel[i] = "postal"
    online_owing = [i for i in owing if channel[i] == "online"]
    other_owing = [i for i in owing if channel[i] != "online"]
    rng.shuffle(other_owing)
    paid_online = set(online_owing[:PAID_ONLINE])
    paid_online |= set(other_owing[: max(0, PAID_ONLINE - len(paid_online))])
    assert len(paid_online) == PAID_ONLINE, "not enough fee-owing dossiers to pay online"
    delivered_by_post = set(rng.sample([i for i in range(len(pool)) if channel[i] == "direct"
                                        and i not in intake_supplements], RETURNED_BY_POST))
    synced_early = set(rng.sample(range(n_early), SYNCED_BY_Q3_END))

    plans: list[PlannedDossier] = []
    for i, code in enumerate(pool):
        (value, unit), _count, _bi, fee = info[code]
        fee_amount = ONLINE_FEE.get(code, fee) if channel[i] == "online" else fee
        d = PlannedDossier(ref=p.ref(), procedure=code, channel=channel[i], applicant=p.applicant(),
                           submitted_at=datetime.min, fee=fee_amount if fee else 0, fees_exempt=i in exempt,
                           reused=rng.random() < 0.12)
        day = accepted_days[i]
        if code in ("2.000815", "2.000884", "1.001193", "1.000894", "1.000656", "2.000635"):
            # same-day: before the cut-off → due that evening (on time if resolved that day);
            # after it → due the next working day (before due if resolved that day)
            accept = (p.working_instant(day, before=p.at(day, 14, 45)) if i in on_time_same_day
                      else p.working_instant(day, after=p.at(day, 15, 0), before=p.at(day, 15, 40)))
        else:
            accept = p.working_instant(day, before=p.at(day, 14, 0))
        if channel[i] == "online":
            d.submitted_at = accept - timedelta(hours=rng.randint(1, 40), minutes=rng.randint(0, 59))
        else:
            d.submitted_at = accept - timedelta(minutes=rng.randint(3, 20))
        if i in intake_supplements:
            first = d.submitted_at
            d.submitted_at = first - timedelta(days=rng.randint(2, 6))
            ask = p.later(d.submitted_at, (10, 60))
            d.steps.append(("request_intake_supplement", ask, {"reason": "Thiếu bản sao giấy tờ tùy thân"}))
            supplied = max(ask + timedelta(minutes=30), accept - timedelta(minutes=rng.randint(1, 3)))
            d.steps.append(("supply_intake_supplement", supplied, {}))
        d.steps.append(("accept", accept, {}))
        t = accept
        if i in owing:
            t = p.later(t, (1, 4))
            method = "online" if i in paid_online else rng.choice(("cash", "cash", "transfer"))
            d.steps.append(("confirm_payment", t, {"method": method, "amount": d.fee,
                                                   "reference": f"GD{rng.randint(10**9, 10**10 - 1)}"}))
        t = p.later(t, (2, 15))
        d.steps.append(("forward", t, {}))
        limit = TimeLimit(value=Decimal(value), unit=TimeUnit(unit))
        due = compute_due(calendar=p.cal, received_at=accept, limit=limit)
        if unit == "same_day":
            resolve = p.later(t, (15, 45))
            if resolve.date() != accept.date():
                raise AssertionError(f"{d.ref}: same-day dossier not resolved the same day")
        else:
            short = unit == "working_days" and value <= 2
            t = p.later(t, (5, 30) if short else (10, 120))
            d.steps.append(("assign", t, {"assignee": None}))
            if i in restarts:
                ask = p.later(t, (60, 600))
                if ask >= due - timedelta(hours=2):
                    ask = p.later(t, (5, 30))
                d.steps.append(("request_supplement", ask, {"reason": "Đề nghị bổ sung giấy tờ chứng minh"}))
                t = p.later(ask, (7 * 60, 3 * 7 * 60))
                d.steps.append(("supply_supplement", t, {}))
                due = compute_due(calendar=p.cal, received_at=t, limit=limit)
            if i in on_time_multi:
                resolve_day = due.date()
                resolve = p.working_instant(resolve_day, after=max(t, p.at(resolve_day, 7, 30)), before=due) \
                    if due.time() > time(8, 0) else p.working_instant(resolve_day, after=t)
            else:
                last_day = min(p.cal.local_date(due) - timedelta(days=1), LAST_DAY)
                earliest = p.later(t, (10, 30) if short else (30, 90))
                candidates = [x for x in p.days if earliest.date() <= x <= last_day]
                if not candidates:
                    raise AssertionError(f"{d.ref}: no day to resolve before due {due}")
                weights = [1.0 / (1 + k) for k in range(len(candidates))]
                resolve_day = rng.choices(candidates, weights=weights)[0]
                try:
                    resolve = p.working_instant(resolve_day, after=earliest if resolve_day == earliest.date()
                                                else None)
                except ValueError:
                    resolve = earliest
            propose = resolve - timedelta(minutes=rng.randint(20, 40))
            approve = resolve - timedelta(minutes=rng.randint(5, 15))
            if propose > t:
                d.steps.append(("propose", propose, {"note": "Trình ký kết quả"}))
                d.steps.append(("approve", approve, {"note": "Đồng ý"}))
        result_code = f"{code}-{resolve:%y%m%d}-{i + 1:04d}"
        d.steps.append(("resolve", resolve, {"result_code": result_code, "e_copy": True}))
        if i in delivered_by_post:
            method = "postal"
        elif channel[i] == "online":
            method = "online"
        else:
            method = "desk"
        d.steps.append(("deliver", p.later(resolve, (10, 7 * 60)), {"method": method}))
        if i < n_early:
            d.synced_at = (accept + timedelta(minutes=rng.randint(5, 90))) if i in synced_early else None
        elif rng.random() < 0.8:
            d.synced_at = accept + timedelta(minutes=rng.randint(5, 90))
        plans.append(d)

    # 2. the four still in process on 30 Nov 2025 (3 civil status, 1 land): scanning not finished yet
    for code, when in IN_PROCESS:
        accept = datetime.fromisoformat(when).replace(tzinfo=p.cal.zone)
        d = PlannedDossier(ref=p.ref(), procedure=code, channel="direct", applicant=p.applicant(),
                           submitted_at=accept - timedelta(minutes=8), components_digitized=False,
                           fee=info[code][3])
        d.steps.append(("accept", accept, {}))
        t = p.later(accept, (5, 20))
        d.steps.append(("forward", t, {}))
        d.steps.append(("assign", p.later(t, (20, 90)), {"assignee": None}))
        d.synced_at = accept + timedelta(minutes=30)
        plans.append(d)

    # 3. returned without acceptance (52) and voided records (12)
    reasons = [r for r, n in RETURNED.items() for _ in range(n)]
    rng.shuffle(reasons)
    all_codes = [code for code, *_ in PROCEDURES]
    for reason in reasons:
        code = rng.choice(all_codes)
        day = rng.choice(p.days[:-3])
        d = PlannedDossier(ref=p.ref(), procedure=code, channel=rng.choice(("direct", "direct", "online")),
                           applicant=p.applicant(), submitted_at=p.working_instant(day),
                           fee=info[code][3], components_digitized=rng.random() < 0.5)
        if reason == "supplement_not_provided":
            ask = p.later(d.submitted_at, (5, 40))
            d.steps.append(("request_intake_supplement", ask, {"reason": "Thiếu giấy tờ theo quy định"}))
            back = p.later(ask, (5 * 450, 12 * 450))
            if back.date() > LAST_DAY:
                back = p.working_instant(LAST_DAY, after=ask)
            d.steps.append(("return_unaccepted", back, {"reason_code": reason,
                                                        "reason": "Công dân không bổ sung được giấy tờ"}))
        else:
            why = ("Không đủ điều kiện nộp hồ sơ" if reason == "cannot_submit"
                   else "Cần thực hiện thủ tục khác trước")
            d.steps.append(("return_unaccepted", p.later(d.submitted_at, (5, 30)),
                            {"reason_code": reason, "reason": why}))
        plans.append(d)
    for k in range(CANCELLED):
        code = rng.choice(("1.001193", "1.004873", "1.004194", "1.010041"))
        day = rng.choice(p.days[:-5])
        d = PlannedDossier(ref=p.ref(), procedure=code, channel="online", applicant=p.applicant(),
                           submitted_at=p.working_instant(day), fee=info[code][3])
        why = "Hồ sơ nộp trùng" if k % 3 == 0 else "Hồ sơ nháp trực tuyến bị bỏ dở"
        d.steps.append(("cancel", p.later(d.submitted_at, (60, 3 * 450)), {"reason": why}))
        plans.append(d)
    return plans
