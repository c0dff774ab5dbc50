"""The protocol's signatures (pure: no database, no network)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest

from motcua.payments import gateway as g
from motcua.payments.conf import GatewayConfig

CONFIG = GatewayConfig(
    url="https://gw.example/",
    merchant="M1",
    secret="s3cret",
    sandbox_enabled=False,
    ipn_url="",
    expire_minutes=15,
)
AT = datetime.fromisoformat("2026-03-09T08:00:00+07:00")


def test_the_signed_text_is_sorted_url_encoded_without_the_hash_and_empty_values() -> None:
    text = g.canonical_query(
        {"vnp_TxnRef": "A1", "vnp_Amount": 1500000, "vnp_OrderInfo": "Thanh toan ho so 1/2", "vnp_BankCode": "",
         "vnp_SecureHash": "x", "vnp_SecureHashType": "HmacSHA512", "other": "ignored"}
    )  # fmt: skip
    assert text == "vnp_Amount=1500000&vnp_OrderInfo=Thanh+toan+ho+so+1%2F2&vnp_TxnRef=A1"


def test_the_checkout_url_carries_an_hmac_sha512_of_its_parameters() -> None:
    url = g.VnpayGateway(CONFIG).checkout_url(
        txn_ref="A1", amount=Decimal(15000), order_info="Phi", return_url="https://m.example/back?x=1",
        client_ip="10.0.0.1", created_at=AT, expires_at=AT,
    )  # fmt: skip
    params = dict(parse_qsl(urlsplit(url).query))
    assert url.startswith("https://gw.example/paymentv2/vpcpay.html?")
    assert (params["vnp_Amount"], params["vnp_CreateDate"], params["vnp_TmnCode"]) == (
        "1500000",
        "20260309080000",
        "M1",
    )
    assert len(params["vnp_SecureHash"]) == 128
    assert g.verify_query(params, "s3cret")
    assert not g.verify_query({**params, "vnp_Amount": "100"}, "s3cret")
    assert not g.verify_query(params, "another-secret")


def test_a_notification_is_verified_before_it_is_read() -> None:
    gateway = g.VnpayGateway(CONFIG)
    params = {"vnp_TmnCode": "M1", "vnp_TxnRef": "A1", "vnp_Amount": "1500000", "vnp_ResponseCode": "00",
              "vnp_TransactionStatus": "00", "vnp_PayDate": "20260309081500", "vnp_TransactionNo": "123"}  # fmt: skip
    params["vnp_SecureHash"] = g.sign(g.canonical_query(params), "s3cret")
    note = gateway.verify_notification(params)
    assert (note.txn_ref, note.amount, note.succeeded) == ("A1", Decimal(15000), True)
    assert note.pay_date == datetime.fromisoformat("2026-03-09T08:15:00+07:00")
    with pytest.raises(g.InvalidSignature):
        gateway.verify_notification({**params, "vnp_ResponseCode": "24"})
    other = {**params, "vnp_TmnCode": "M2"}
    other["vnp_SecureHash"] = g.sign(g.canonical_query(other), "s3cret")
    with pytest.raises(g.InvalidSignature, match="merchant"):
        gateway.verify_notification(other)


def test_the_api_signs_fixed_fields_joined_with_bars() -> None:
    values = {"vnp_RequestId": "r", "vnp_Version": "2.1.0", "vnp_Command": "querydr", "vnp_TmnCode": "M1"}
    assert g.sign_fields(
        values, ("vnp_RequestId", "vnp_Version", "vnp_Command", "vnp_TmnCode"), "k"
    ) == g.sign("r|2.1.0|querydr|M1", "k")


def test_an_unreachable_gateway_is_a_gateway_error() -> None:
    gateway = g.VnpayGateway(
        GatewayConfig(url="http://127.0.0.1:9/", merchant="M1", secret="s", sandbox_enabled=False, ipn_url="",
                      expire_minutes=15),
        timeout=2,
    )  # fmt: skip
    with pytest.raises(g.GatewayError):
        gateway.query(txn_ref="A1", order_info="x", transaction_date=AT, at=AT)
