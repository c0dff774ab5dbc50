"""`motcua demo` shows the Đông Khê inspection: every figure of seed-figures.md computed from the data."""

from __future__ import annotations

import json
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from motcua.catalogue.models import Unit
from motcua.demo.load import COMMUNE, PROVINCE, demo_load
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.reports.facts import facts_verify
from motcua.reports.periodic import periodic_report

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def figures(date_from: str, date_to: str, unit: str = COMMUNE) -> dict:  # type: ignore[type-arg]
    out = StringIO()
    call_command("report", "periodic", "--unit", unit, "--from", date_from, "--to", date_to, "--format", "json",
                 stdout=out)
    return json.loads(out.getvalue())


def test_the_demo_computes_every_figure_of_the_inspection() -> None:
    # given the demo, loaded twice
    first = demo_load()
    counts = (Dossier.objects.count(), DossierEvent.objects.count())
    second = demo_load()
    assert first.created == 1008
    assert (second.created, second.skipped) == (0, 1008)
    assert (first.live, second.live) == (13, 0)  # open work for today's inboxes, once
    assert (Dossier.objects.count(), DossierEvent.objects.count()) == counts  # loading twice changes nothing

    # when the inspector asks for the report since 1 July 2025
    r = figures("2025-07-01", "2025-11-30")

    # then every figure of the inspection comes out of the data
    assert r["received"]["total"] == 944
    assert r["received"]["carried_over"] == 0
    assert r["resolved"] == {"before_due": 797, "on_time": 143, "overdue": 0, "with_result": 940,
                             "without_result": 0, "total": 940}
    assert r["in_process"] == {"within_due": 4, "overdue": 0, "total": 4}
    open_by_sector = {x["sector"]: x["in_process"]["total"] for x in r["by_sector"] if x["in_process"]["total"]}
    assert open_by_sector == {"HT": 3, "DD": 1}
    assert r["not_accepted"]["cancelled"] == 12
    assert r["not_accepted"]["returned"] == 52
    assert sum(r["not_accepted"]["returned_by_reason"].values()) == 52
    assert all(r["not_accepted"]["returned_by_reason"].values())  # split over the three reasons
    assert r["results_missing"] == 0
    assert r["digitization"] == {"components": 940, "results": 940, "both": 940}
    assert r["postal"] == 11
    assert r["online_payment"] == {"numerator": 276, "denominator": 332, "rate": 83.13}
    assert r["boundary_independent"] == {"numerator": 460, "denominator": 944, "rate": 48.73}

    # and the Q3 reporting period (to the 14th) gives the sync figure
    q3 = figures("2025-07-01", "2025-09-14")
    assert q3["received"]["total"] == 711
    assert q3["portal_sync"] == {"numerator": 415, "denominator": 711, "rate": 58.37}

    # and the province's report counts the commune's dossiers once
    assert figures("2025-07-01", "2025-11-30", PROVINCE)["received"]["total"] == 944

    # and the reform plan
    from motcua.reform.models import ReformPlan
    from motcua.reform.selectors import plan_completion

    plan = ReformPlan.objects.get(unit__code=COMMUNE, year=2025)
    completion = plan_completion(plan, as_of=date(2025, 11, 30))
    assert (completion["total"], completion["done"], completion["rate"]) == (41, 31, 75.61)

    # and the stored facts agree with the events
    checked, differences = facts_verify()
    assert (checked, differences) == (1008 + 13, [])

    # and it leaves open work in every inbox, dated from today, nothing in the future
    from django.utils import timezone

    from motcua.demo.live import LIVE_PREFIX
    from motcua.interop.models import AgencyRequest, BoundaryHop

    live = Dossier.objects.filter(external_ref__startswith=LIVE_PREFIX)
    states = set(live.values_list("state", flat=True))
    assert {"submitted", "intake_supplement", "received", "processing", "supplement_requested", "resolved"} <= states
    assert live.filter(state="processing", assignee__isnull=True).exists()  # to assign
    assert live.filter(state="processing", department__code="TP-HT", assignee__username="tuphap").exists()
    assert AgencyRequest.objects.filter(dossier__in=live, kind="consultation").exists()
    assert AgencyRequest.objects.filter(dossier__in=live, kind="linked_step", status="sent").exists()
    assert BoundaryHop.objects.filter(dossier__in=live, status=4).exists()
    assert not DossierEvent.objects.filter(dossier__in=live, at__gt=timezone.now()).exists()
    # two of them came through the online pages, with their scans, one by post with an exemption to decide
    from motcua.online.models import OnlineSubmission

    online = OnlineSubmission.objects.filter(dossier__in=live).order_by("dossier__external_ref")
    assert [(o.delivery, bool(o.exemption_claim)) for o in online] == [("online", False), ("postal", True)]
    assert all(o.dossier.components.filter(required=True, digitized=False).count() == 0 for o in online)

    # no figure is a constant: changing one dossier moves it
    from motcua.accounts.models import User

    one = Dossier.objects.filter(state="processing", sector__code="HT", received_at__year=2025).first()
    assert one is not None
    assert one.last_event_at is not None
    s.dossier_stop(dossier_id=one.pk, actor=User.objects.get(username="pct.ubnd"), reason_code="withdrawn",
                   at=one.last_event_at + timedelta(hours=1))
    moved = periodic_report(unit=Unit.objects.get(code=COMMUNE), date_from=date(2025, 7, 1),
                            date_to=date(2025, 11, 30))
    assert moved["in_process"]["total"] == 3
    assert moved["resolved"]["without_result"] == 1
    unsynced = Dossier.objects.filter(synced_to_portal_at__isnull=True, received_at__date__lte=date(2025, 9, 10)) \
        .first()
    assert unsynced is not None
    s.dossier_mark_synced(dossier_id=unsynced.pk, at=unsynced.received_at)
    assert figures("2025-07-01", "2025-09-14")["portal_sync"]["numerator"] == 416

