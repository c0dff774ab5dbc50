"""``/units``, ``/sectors``, ``/procedures``: the catalogue, readable by any signed-in user."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from conftest import COMMUNE, OTHER_COMMUNE, PROVINCE, Staff
from motcua.accounts.models import User
from motcua.catalogue.services import catalogue_import

Clients = Callable[[User], Client]


def test_units_are_listed_and_filtered(staff: Staff, client_of: Clients) -> None:
    # given
    client = client_of(staff.other_desk)
    # when
    everything = client.get("/api/v1/units").json()
    communes = client.get(f"/api/v1/units?kind=commune&parent={PROVINCE}&limit=1&offset=1").json()
    # then
    assert [u["code"] for u in everything["items"]] == [PROVINCE, COMMUNE, OTHER_COMMUNE]
    assert (communes["count"], [u["code"] for u in communes["items"]]) == (2, [OTHER_COMMUNE])
    assert everything["items"][1] == {
        "code": COMMUNE, "admin_code": "01786", "name": "Xã Đông Khê", "kind": "commune", "parent": PROVINCE,
        "timezone": "Asia/Ho_Chi_Minh", "office_hours": [["07:30", "11:30"], ["13:30", "17:00"]], "active": True}


def test_a_unit_shows_its_departments(staff: Staff, client_of: Clients) -> None:
    # when
    response = client_of(staff.inspector).get(f"/api/v1/units/{COMMUNE}")
    # then
    assert response.status_code == 200
    assert response.json()["departments"] == [{"code": "DC", "name": "Địa chính", "sectors": ["DD"]},
                                              {"code": "TP-HT", "name": "Tư pháp – Hộ tịch",
                                               "sectors": ["CT", "HT"]}]


def test_an_unknown_unit_or_procedure_is_404(staff: Staff, client_of: Clients) -> None:
    # when
    unit = client_of(staff.desk).get("/api/v1/units/000.99.00.H11")
    procedure = client_of(staff.desk).get("/api/v1/procedures/9.999999")
    # then
    assert (unit.status_code, procedure.status_code) == (404, 404)
    assert unit["Content-Type"] == "application/problem+json"


def test_sectors_are_listed(staff: Staff, client_of: Clients) -> None:
    # when
    response = client_of(staff.desk).get("/api/v1/sectors")
    # then
    assert response.json() == [{"code": "CT", "name": "Chứng thực"}, {"code": "DD", "name": "Đất đai"},
                               {"code": "HT", "name": "Hộ tịch"}]


def test_procedures_are_filtered_by_sector_and_searched(staff: Staff, client_of: Clients) -> None:
    # given
    client = client_of(staff.desk)
    # when
    land = client.get("/api/v1/procedures?sector=DD").json()
    search = client.get("/api/v1/procedures?q=khai sinh").json()
    by_code = client.get("/api/v1/procedures?q=2.0008").json()
    # then
    assert [p["code"] for p in land["items"]] == ["1.012784", "1.013949"]
    assert [p["code"] for p in search["items"]] == ["1.001193"]
    assert [p["code"] for p in by_code["items"]] == ["2.000815"]
    assert search["items"][0]["time_limit"] == {"value": 1, "unit": "same_day"}


def test_a_procedure_shows_its_current_version_and_version_numbers(staff: Staff, client_of: Clients) -> None:
    # given: a second version of 2.000815 with a new fee
    catalogue_import(data={"procedures": [
        {"code": "2.000815", "name": "Chứng thực bản sao từ bản chính", "sector": "CT",
         "time_limit": {"value": 0.5, "unit": "working_days"},
         "online_time_limit": {"value": 1, "unit": "working_days"},
         "fees": [{"kind": "fee", "name": "Phí", "amount": 3000}, {"kind": "charge", "name": "Lệ phí",
                                                                  "amount": None}],
         "components": [{"code": "BC", "name": "Bản chính", "required": True}], "online": "partial"}]})
    # when
    response = client_of(staff.desk).get("/api/v1/procedures/2.000815")
    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["version"], body["versions"]) == (2, [2, 1])
    assert body["time_limit"] == {"value": 0.5, "unit": "working_days"}
    assert body["online_time_limit"] == {"value": 1, "unit": "working_days"}
    assert body["fees"][1] == {"kind": "charge", "name": "Lệ phí", "amount": None}
    assert body["fee_total"] == 3000
    assert body["components"] == [{"code": "BC", "name": "Bản chính", "required": True}]
    assert (body["online"], body["boundary_independent"], body["same_day_cutoff"]) == ("partial", False, "15:00")
