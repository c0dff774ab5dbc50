import pytest
from django.test import Client


@pytest.mark.django_db
def test_home_page_links_to_admin_and_api() -> None:
    response = Client().get("/")
    assert response.status_code == 200
    assert "Trung tâm Phục vụ hành chính công" in response.content.decode()
    assert b"/api/v1/docs" in response.content
