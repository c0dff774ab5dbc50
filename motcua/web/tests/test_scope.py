"""Every page checks who is asking: anonymous users sign in first; another commune's staff get 404 for a
dossier and each of its actions, and change nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from conftest import Staff
from motcua.accounts.models import User
from motcua.domain.lifecycle import Action
from motcua.dossiers.models import Dossier
from motcua.web.tests.conftest import dossier_in

pytestmark = pytest.mark.django_db

Clients = Callable[[User], Client]
PAGES = [
    "/can-bo/",
    "/can-bo/tra-cuu/",
    "/can-bo/tiep-nhan/",
    "/can-bo/tiep-nhan/?procedure=1.001022",
    "/can-bo/ho-so/{id}/",
]
ACTIONS = [a.value for a in Action if a is not Action.SUBMIT]


@pytest.fixture
def dossier(staff: Staff) -> Dossier:
    return dossier_in(staff, "processing")


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_users_are_sent_to_sign_in(dossier: Dossier, page: str) -> None:
    response = Client().get(page.format(id=dossier.pk))
    assert response.status_code == 302
    assert response["Location"].startswith("/can-bo/dang-nhap/?next=")


def test_anonymous_actions_are_sent_to_sign_in_and_change_nothing(dossier: Dossier) -> None:
    response = Client().post(f"/can-bo/ho-so/{dossier.pk}/thao-tac/stop/", {"stop-reason_code": "withdrawn"})
    assert response.status_code == 302
    assert response["Location"].startswith("/can-bo/dang-nhap/")
    dossier.refresh_from_db()
    assert dossier.state == "processing"


@pytest.mark.parametrize("username", ["other_desk", "other_approver"])
def test_another_communes_staff_get_404_for_the_dossier_page(
    staff: Staff, client_of: Clients, dossier: Dossier, username: str
) -> None:
    client = client_of(User.objects.get(username=username))
    assert client.get(f"/can-bo/ho-so/{dossier.pk}/").status_code == 404
    assert client.get(f"/can-bo/ho-so/{dossier.pk}/", HTTP_HX_REQUEST="true").status_code == 404


@pytest.mark.parametrize("action", ACTIONS)
def test_another_communes_staff_get_404_for_every_action(
    staff: Staff, client_of: Clients, dossier: Dossier, action: str
) -> None:
    # when
    response = client_of(staff.other_approver).post(
        f"/can-bo/ho-so/{dossier.pk}/thao-tac/{action}/",
        {
            f"{action}-expected_version": dossier.version,
            f"{action}-reason": "x",
            f"{action}-reason_code": "withdrawn",
            f"{action}-result_code": "KQ",
            f"{action}-method": "desk",
        },
    )
    # then
    assert response.status_code == 404
    dossier.refresh_from_db()
    assert (dossier.state, dossier.version) == ("processing", 3)


def test_a_missing_dossier_is_404(staff: Staff, client_of: Clients) -> None:
    assert client_of(staff.desk).get("/can-bo/ho-so/999999/").status_code == 404


def test_the_intake_of_another_commune_takes_in_for_that_commune_only(
    staff: Staff, client_of: Clients
) -> None:
    html = client_of(staff.other_desk).get("/can-bo/tiep-nhan/?procedure=1.001193").content.decode()
    assert 'value="000.32.00.H11"' in html
    assert 'value="000.31.00.H11"' not in html
