import pytest
from django.test import Client

from conftest import Staff

pytestmark = pytest.mark.django_db


def test_sign_in_page_is_vietnamese_and_signs_in(staff: Staff) -> None:
    client = Client()
    page = client.get("/can-bo/dang-nhap/")
    assert page.status_code == 200
    assert "Đăng nhập" in page.content.decode()
    assert client.get("/can-bo/").status_code == 302
    response = client.post("/can-bo/dang-nhap/", {"username": "desk", "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert client.get("/can-bo/").status_code == 200
