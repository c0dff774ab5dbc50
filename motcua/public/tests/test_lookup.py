"""The public status page: steps only, never personal data; one generic error; the rate limit; the rating."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from motcua.dossiers.models import Dossier
from motcua.feedback.models import SatisfactionRating
from motcua.public.tests.conftest import APPLICANT

pytestmark = pytest.mark.django_db

PERSONAL = [
    APPLICANT.name,
    APPLICANT.id_number,
    APPLICANT.phone,
    APPLICANT.email,
    APPLICANT.address,
    "Nông Thị",
    "0987654321",
]
STAFF = ["specialist", "approver", "desk", "Tư pháp – Hộ tịch", "TP-HT"]


def _get(client: Client, dossier: Dossier, secret: str | None = None, **extra: str) -> tuple[int, str]:
    response = client.get("/tra-cuu/", {"ma": dossier.code, "bi-mat": secret or dossier.secret}, **extra)
    return response.status_code, response.content.decode()


def test_lookup_shows_the_steps_in_local_time_and_no_personal_data(
    make_dossier: Callable[..., Dossier],
) -> None:
    dossier = make_dossier()
    client = Client()
    response = client.get("/tra-cuu/", {"ma": dossier.code, "bi-mat": dossier.secret})
    html = response.content.decode()
    assert response.status_code == 200
    for step in (
        "Nộp hồ sơ",
        "Tiếp nhận hồ sơ",
        "Chuyển bộ phận chuyên môn giải quyết",
        "Yêu cầu bổ sung, hoàn thiện hồ sơ",
        "Đã nhận hồ sơ bổ sung",
        "Đã có kết quả giải quyết",
        "Đã trả kết quả",
    ):
        assert step in html, step
    assert "Bản sao giấy khai sinh của con" in html  # what to bring
    assert "09:00, thứ Hai 09/03/2026" in html  # accepted, local time
    assert "09:00, thứ Hai 16/03/2026" in html  # the appointment after the supplement restarted the clock
    assert "Giải quyết trước hạn" in html
    assert "Thủ tục đăng ký nhận cha, mẹ, con" in html
    for value in PERSONAL + STAFF:
        assert value not in html, value
    assert response["Cache-Control"] == "no-store, private"
    assert response["Referrer-Policy"] == "same-origin"  # no Referer to other sites


def test_an_open_dossier_shows_its_appointment_and_the_supplement_to_bring(
    make_dossier: Callable[..., Dossier],
) -> None:
    dossier = make_dossier(until="supplement_requested")
    status, html = _get(Client(), dossier)
    assert status == 200
    assert "Cần bổ sung, hoàn thiện hồ sơ" in html
    assert "Cần bổ sung:" in html
    assert "Bản sao giấy khai sinh của con" in html
    assert "09:00, thứ Năm 12/03/2026" in html  # 3 working days from Mon 09:00
    assert "Đánh giá mức độ hài lòng" not in html


def test_officers_free_text_is_scrubbed_of_the_applicants_identifiers(
    make_dossier: Callable[..., Dossier],
) -> None:
    dossier = make_dossier(
        until="supplement_requested",
        reason=f"Ông/bà {APPLICANT.name} (CCCD {APPLICANT.id_number}) nộp thêm sổ hộ khẩu",
    )
    status, html = _get(Client(), dossier)
    assert status == 200
    assert "nộp thêm sổ hộ khẩu" in html
    assert APPLICANT.name not in html
    assert APPLICANT.id_number not in html


def test_wrong_code_or_secret_gives_one_generic_message(make_dossier: Callable[..., Dossier]) -> None:
    dossier = make_dossier(until="received")
    client = Client()
    wrong_secret = client.get("/tra-cuu/", {"ma": dossier.code, "bi-mat": "AAAAAAAA"})
    wrong_code = client.get("/tra-cuu/", {"ma": dossier.code + "9", "bi-mat": dossier.secret})
    assert wrong_secret.status_code == wrong_code.status_code == 404
    message = "Không tìm thấy hồ sơ với mã hồ sơ và mã tra cứu này."
    assert message in wrong_secret.content.decode()
    assert message in wrong_code.content.decode()
    for response in (wrong_secret, wrong_code):
        html = response.content.decode()
        assert "Tiếp nhận hồ sơ" not in html
        assert "Thủ tục đăng ký" not in html


def test_the_secret_is_read_as_citizens_type_it(make_dossier: Callable[..., Dossier]) -> None:
    dossier = make_dossier(until="received")
    typed = " ".join([dossier.secret[:4].lower(), dossier.secret[4:].lower()])
    status, html = _get(Client(), dossier, secret=typed)
    assert status == 200
    assert "Tiếp nhận hồ sơ" in html


def test_failed_lookups_are_limited_per_address_with_429(make_dossier: Callable[..., Dossier]) -> None:
    dossier = make_dossier(until="received")
    client = Client()
    for _ in range(10):
        assert _get(client, dossier, secret="WRONGSEC", REMOTE_ADDR="203.0.113.7")[0] == 404
    status, html = _get(client, dossier, secret="WRONGSEC", REMOTE_ADDR="203.0.113.7")
    assert status == 429
    assert "Đã nhập sai mã quá nhiều lần" in html
    response = client.get(
        "/tra-cuu/", {"ma": dossier.code, "bi-mat": dossier.secret}, REMOTE_ADDR="203.0.113.7"
    )
    assert response.status_code == 429  # even the right secret, until the window ends
    assert int(response["Retry-After"]) > 0
    assert _get(client, dossier, REMOTE_ADDR="203.0.113.8")[0] == 200  # another address is not blocked


def test_successful_lookups_are_not_counted(make_dossier: Callable[..., Dossier]) -> None:
    dossier = make_dossier(until="received")
    client = Client()
    for _ in range(15):
        assert _get(client, dossier, REMOTE_ADDR="203.0.113.9")[0] == 200


def test_ipv6_clients_are_counted_per_64_network(make_dossier: Callable[..., Dossier]) -> None:
    dossier = make_dossier(until="received")
    client = Client()
    for i in range(10):
        _get(client, dossier, secret="WRONGSEC", REMOTE_ADDR=f"2001:db8:1:2::{i + 1}")
    assert _get(client, dossier, REMOTE_ADDR="2001:db8:1:2::ffff")[0] == 429
    assert _get(client, dossier, REMOTE_ADDR="2001:db8:1:3::1")[0] == 200


def test_the_form_without_codes_and_with_one_code(db: None) -> None:
    client = Client()
    page = client.get("/tra-cuu/")
    assert page.status_code == 200
    assert "Mã hồ sơ" in page.content.decode()
    assert "Mã tra cứu" in page.content.decode()
    assert client.get("/tra-cuu/", {"ma": "000.31.00.H11-260309-0001"}).status_code == 400


# -- rating --------------------------------------------------------------------------------------------------


def _rate(client: Client, dossier: Dossier, **data: str) -> tuple[int, str]:
    response = client.post("/tra-cuu/danh-gia/", {"ma": dossier.code, "bi-mat": dossier.secret, **data})
    return response.status_code, response.content.decode()


def test_rating_only_after_delivery(make_dossier: Callable[..., Dossier]) -> None:
    dossier = make_dossier(until="resolved")
    client = Client()
    assert "Đánh giá mức độ hài lòng" not in _get(client, dossier)[1]
    _status, html = _rate(client, dossier, level="very_satisfied")
    assert "chỉ được đánh giá sau khi đã nhận kết quả" in html
    assert not SatisfactionRating.objects.exists()


def test_rating_once_with_the_circular_questions(make_dossier: Callable[..., Dossier]) -> None:
    dossier = make_dossier()
    client = Client()
    html = _get(client, dossier)[1]
    assert "Đánh giá mức độ hài lòng" in html
    for text in ("Rất hài lòng", "Hài lòng", "Không hài lòng", "Thái độ của công chức", "Phí, lệ phí"):
        assert text in html
    status, html = _rate(
        client,
        dossier,
        level="satisfied",
        q_attitude="courteous",
        q_contacts="none",
        q_fees="",
        comment="Cán bộ hướng dẫn tận tình",
    )
    assert status == 200
    assert "Cảm ơn ông/bà đã đánh giá" in html
    rating = SatisfactionRating.objects.get(dossier=dossier)
    assert rating.level == "satisfied"
    assert rating.answers == {"attitude": "courteous", "contacts": "none"}
    assert rating.comment == "Cán bộ hướng dẫn tận tình"
    assert "Ông/bà đã đánh giá" in html
    assert "Gửi đánh giá" not in html

    status, html = _rate(client, dossier, level="dissatisfied")
    assert "Hồ sơ này đã được đánh giá" in html
    assert SatisfactionRating.objects.filter(dossier=dossier).count() == 1
    assert SatisfactionRating.objects.get(dossier=dossier).level == "satisfied"


def test_rating_needs_a_level_and_the_right_secret(make_dossier: Callable[..., Dossier]) -> None:
    dossier = make_dossier()
    client = Client()
    status, _html = _rate(client, dossier, q_attitude="courteous")
    assert status == 400
    response = client.post(
        "/tra-cuu/danh-gia/", {"ma": dossier.code, "bi-mat": "AAAAAAAA", "level": "satisfied"}
    )
    assert response.status_code == 404
    assert not SatisfactionRating.objects.exists()
