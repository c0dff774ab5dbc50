"""Near-due and overdue dossiers for a staff member (issue 5, item 8). Read-only.

Among the dossiers a user may see (:func:`~motcua.dossiers.selectors.dossiers_visible_to`), accepted and
still open (rules §3), with a due date:

- **overdue**: the due date (a local date, on the receiving unit's calendar) is before today (rules §2.3);
- **near due**: not overdue, and at most one working day of the unit's calendar is left until the due
  instant (:func:`motcua.catalogue.selectors.unit_calendar`: sessions, public holidays, overrides) — the same
  rule as the inbox's "Sắp đến hạn" queue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db.models import QuerySet

from motcua.accounts.models import User
from motcua.catalogue.models import Unit
from motcua.catalogue.selectors import unit_calendar
from motcua.domain.lifecycle import ACCEPTED_OPEN
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import dossiers_visible_to

__all__ = ["Alert", "Alerts", "staff_alerts"]

_OPEN = [s.value for s in ACCEPTED_OPEN]


@dataclass(frozen=True)
class Alert:
    dossier: Dossier
    tz: str
    working_time_left: timedelta | None = None  # near due only
    days_late: int = 0  # overdue only: calendar days since the due date

    @property
    def hours_left(self) -> float:
        """Working hours left until the due instant, to one decimal (near due only)."""
        return round((self.working_time_left or timedelta(0)).total_seconds() / 3600, 1)


@dataclass
class Alerts:
    overdue: list[Alert] = field(default_factory=list)
    near_due: list[Alert] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.overdue or self.near_due)

    def __len__(self) -> int:
        return len(self.overdue) + len(self.near_due)


def _open_with_due(user: User) -> QuerySet[Dossier]:
    return (
        dossiers_visible_to(user)
        .filter(state__in=_OPEN, due_at__isnull=False)
        .select_related("procedure", "receiving_unit", "department", "assignee")
    )


def staff_alerts(*, user: User, at: datetime) -> Alerts:
    """The user's overdue and near-due dossiers at instant ``at``, each list by due date."""
    qs = _open_with_due(user)
    alerts = Alerts()
    for unit in Unit.objects.filter(pk__in=qs.values("receiving_unit_id")).order_by("code"):
        calendar = unit_calendar(unit)
        zone = calendar.zone
        today = at.astimezone(zone).date()
        start_of_today = datetime.combine(today, time(0), tzinfo=zone)
        mine = qs.filter(receiving_unit=unit)
        for dossier in mine.filter(due_at__lt=start_of_today):
            due_date = dossier.due_at.astimezone(zone).date()  # type: ignore[union-attr]
            alerts.overdue.append(Alert(dossier, unit.timezone, days_late=(today - due_date).days))
        # every due at most one working day away lies before the next opening after that point
        bound = calendar.start_of_work(calendar.add_working_time(at, calendar.day_length))
        for dossier in mine.filter(due_at__gte=start_of_today, due_at__lte=bound):
            assert dossier.due_at is not None
            left = calendar.working_time_between(at, dossier.due_at) if dossier.due_at > at else timedelta(0)
            if left <= calendar.day_length:
                alerts.near_due.append(Alert(dossier, unit.timezone, working_time_left=left))
    alerts.overdue.sort(key=lambda a: (a.dossier.due_at, a.dossier.pk))
    alerts.near_due.sort(key=lambda a: (a.dossier.due_at, a.dossier.pk))
    return alerts
