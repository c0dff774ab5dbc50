from conftest import COMMUNE, vn
from motcua.dossiers import services as s
from motcua.dossiers.models import DossierEvent


def test_full_flow(staff):
    d = s.dossier_submit(
        procedure_code="1.001022",
        receiving_unit_code=COMMUNE,
        channel="direct",
        applicant=s.Applicant(name="Nông Văn A", id_number="004090000123"),
        actor=staff.desk,
        components=[s.ComponentIn(code="TK", digitized=True)],
        at=vn("2026-03-09 08:00"),
    )
    d = s.dossier_accept(dossier_id=d.pk, actor=staff.desk, at=vn("2026-03-09 09:00"))
    assert d.code == "000.31.00.H11-260309-0001"
    assert d.due_at == vn("2026-03-12 09:00")
    d = s.dossier_forward(dossier_id=d.pk, actor=staff.desk, at=vn("2026-03-09 09:10"))
    assert d.department.code == "TP-HT"
    d = s.dossier_assign(dossier_id=d.pk, actor=staff.head, assignee="specialist", at=vn("2026-03-09 09:20"))
    d = s.dossier_request_supplement(
        dossier_id=d.pk, actor=staff.specialist, reason="thiếu", at=vn("2026-03-10 09:00")
    )
    d = s.dossier_supply_supplement(dossier_id=d.pk, actor=staff.desk, at=vn("2026-03-11 09:00"))
    assert d.due_at == vn("2026-03-16 09:00")
    d = s.dossier_resolve(
        dossier_id=d.pk, actor=staff.approver, result_code="KQ-1", e_copy=True, at=vn("2026-03-13 10:00")
    )
    assert d.timeliness == "before_due"
    d = s.dossier_deliver(dossier_id=d.pk, actor=staff.desk, method="desk", at=vn("2026-03-13 11:00"))
    assert d.state == "delivered"
    assert [e.action for e in DossierEvent.objects.filter(dossier=d)] == [
        "submit",
        "accept",
        "forward",
        "assign",
        "request_supplement",
        "supply_supplement",
        "resolve",
        "deliver",
    ]
