"""Open work for the demo's staff: a few dossiers in every inbox, dated relative to the day the demo is loaded.

The seed dossiers (:mod:`motcua.demo.plan`) reproduce the 2025 inspection and all ended or stand still long
ago, so a desk officer signing in to the demo would find nothing to do. These dossiers are taken in during the
last working days before the load and left at each step of the lifecycle: waiting for acceptance, an intake
supplement, to forward, to assign, near due, overdue, a supplement requested, a proposal to approve, a result
to deliver, a consultation past its deadline, an interconnected procedure in its first step and a
boundary-independent dossier waiting for another commune. They are played through the same services as live
work, once (their ``external_ref`` is ``demo-dongkhe-live:NN``), and fall outside the seed's periods, so no
seed figure changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from motcua.accounts.models import User
from motcua.catalogue.models import Unit
from motcua.catalogue.selectors import unit_calendar
from motcua.domain.calendar import WorkingCalendar
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier

__all__ = ["LIVE_PREFIX", "live_work_load"]

LIVE_PREFIX = "demo-dongkhe-live:"


@dataclass(frozen=True)
class Live:
    """One open dossier: taken in ``days_ago`` working days before the load, then the listed steps."""

    ref: str
    procedure: str
    applicant: str
    days_ago: int
    steps: tuple[str, ...]
    channel: str = "direct"
    department: str = "TP-HT"
    competent_elsewhere: bool = False
    delivery: str = ""  # submitted on motcua's online pages: how the citizen takes the result
    exemption: str = ""


LIVE: tuple[Live, ...] = (
    Live("01", "1.004194", "Lý Văn Phúc", 1, (), channel="online", department="CA", delivery="online"),
    Live("02", "1.004873", "Hoàng Thị Nga", 1, ("request_intake_supplement",)),
    Live("03", "2.001035", "Nông Văn Khải", 1, ("accept",)),
    Live("04", "1.004859", "Đàm Thị Huyền", 1, ("accept", "forward")),
    Live("05", "1.004873", "Lục Văn Tiến", 2, ("accept", "forward", "assign")),
    Live("06", "1.000689", "Bế Thị Thu", 6, ("accept", "forward", "assign")),
    Live("07", "1.004884", "Triệu Văn Dũng", 3, ("accept", "forward", "assign", "request_supplement")),
    Live("08", "1.004746", "Mã Thị Hạnh", 3, ("accept", "forward", "assign", "propose")),
    Live(
        "09", "1.004873", "La Văn Bình", 3, ("accept", "forward", "assign", "propose", "approve", "resolve")
    ),
    Live("10", "1.013978", "Hà Văn Thịnh", 5, ("accept", "forward", "assign", "consult"), department="DC-XD"),
    Live("11", "2.000986", "Vi Thị Liên", 1, ("accept", "forward")),
    Live("12", "1.001193", "Lâm Văn Quý", 1, ("accept", "forward"), competent_elsewhere=True),
    Live(
        "13",
        "1.004222",
        "Hoàng Văn Lợi",
        0,
        (),
        channel="online",
        department="CA",
        delivery="postal",
        exemption="Thương binh (thẻ thương binh số CB-0471); đề nghị miễn lệ phí",
    ),
)


def _working_days_back(calendar: WorkingCalendar, day: date, n: int) -> date:
    for _ in range(n):
        day -= timedelta(days=1)
        while not calendar.is_working_day(day):
            day -= timedelta(days=1)
    return day


def live_work_load(
    users: dict[str, User],
    components: dict[str, list[str]],
    *,
    now: datetime | None = None,
    out: Callable[[str], None] = lambda line: None,
) -> int:
    """Create the open dossiers that are not there yet; return how many were created."""
    from motcua.demo.load import COMMUNE, HEAD_OF, SPECIALIST_OF
    from motcua.interop.services import consultation_request

    commune = Unit.objects.get(code=COMMUNE)
    calendar = unit_calendar(commune)
    now = now or timezone.now()
    today = calendar.local_date(now)
    done = set(
        Dossier.objects.filter(external_ref__startswith=LIVE_PREFIX).values_list("external_ref", flat=True)
    )
    elsewhere = (
        Unit.objects.filter(parent=commune.parent, kind=Unit.Kind.COMMUNE)
        .exclude(pk=commune.pk)
        .order_by("code")
        .first()
    )
    created = 0
    for item in LIVE:
        ref = LIVE_PREFIX + item.ref
        if ref in done or (item.competent_elsewhere and elsewhere is None):
            continue
        day = _working_days_back(calendar, today, item.days_ago)
        at = datetime.combine(day, time(8, 0), tzinfo=calendar.zone) + timedelta(minutes=7 * int(item.ref))
        at = min(at, now)
        desk = users["tiepnhan1"]
        specialist = users[SPECIALIST_OF[item.department]]
        head = users[HEAD_OF[item.department]]
        approver = users["pct.ubnd"]
        if item.delivery:
            _online(item, commune, ref, at, components.get(item.procedure, []))
            created += 1
            continue
        with transaction.atomic():
            dossier = s.dossier_submit(
                procedure_code=item.procedure,
                receiving_unit_code=commune.code,
                competent_unit_code=elsewhere.code if item.competent_elsewhere and elsewhere else None,
                channel=item.channel,
                applicant=s.Applicant(name=item.applicant, phone="09" + item.ref.rjust(8, "1")),
                components=[
                    s.ComponentIn(code=c, digitized=True) for c in components.get(item.procedure, [])
                ],
                actor=None if item.channel == "online" else desk,
                at=at,
                external_ref=ref,
            )
            step_at = at
            for action in item.steps:
                step_at = min(step_at + timedelta(minutes=20), now)
                actor, payload = _step(action, step_at, desk, specialist, head, approver)
                if action == "consult":
                    consultation_request(
                        dossier_id=dossier.pk,
                        actor=specialist,
                        agency="Công an xã",
                        task="Xác minh nhân thân, nơi cư trú của người sử dụng đất",
                        working_days=2,
                        at=step_at,
                    )
                    continue
                s.dossier_act(dossier_id=dossier.pk, action=action, actor=actor, at=step_at, payload=payload)
        created += 1
    if created:
        out(f"  {created} open dossiers for today's inboxes")
    return created


def _step(
    action: str, at: datetime, desk: User, specialist: User, head: User, approver: User
) -> tuple[User, dict[str, Any]]:
    if action == "request_intake_supplement":
        return desk, {"reason": "Thiếu bản sao giấy tờ tùy thân của người yêu cầu"}
    if action == "assign":
        return head, {"assignee": specialist.username}
    if action == "request_supplement":
        return specialist, {"reason": "Bổ sung giấy tờ chứng minh nơi cư trú tại thời điểm đăng ký khai sinh"}
    if action == "propose":
        return specialist, {}
    if action in ("approve",):
        return approver, {}
    if action == "resolve":
        return approver, {"result_code": f"KQ-{at:%y%m%d}-{at:%H%M}"}
    return desk, {}


def _online(item: Live, commune: Unit, ref: str, at: datetime, codes: list[str]) -> None:
    """A dossier submitted on the online pages, with a small PDF for each required component (illustrative
    scans made by WeasyPrint), as a citizen's phone would send them."""
    from io import BytesIO

    from weasyprint import HTML

    from motcua.online.services import Upload, online_submit

    def scan(code: str) -> Upload:
        html = (
            f"<p style='font-family: serif'>{item.applicant} — {code}</p>"
            "<p style='font-family: serif'>Bản chụp minh họa của bản demo motcua.</p>"
        )
        return Upload(f"{code.lower()}.pdf", BytesIO(HTML(string=html).write_pdf()))

    online_submit(
        procedure_code=item.procedure,
        receiving_unit_code=commune.code,
        applicant=s.Applicant(name=item.applicant, phone="09" + item.ref.rjust(8, "1")),
        files={code: scan(code) for code in codes},
        delivery=item.delivery,
        postal_address="Xóm Nà Lạn, xã Đông Khê, tỉnh Cao Bằng" if item.delivery == "postal" else "",
        exemption_claim=item.exemption,
        at=at,
        external_ref=ref,
    )
