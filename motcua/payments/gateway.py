"""The online payment gateway: a VNPAY-style protocol (version 2.1.0) behind a small interface.

Only the services and the reconciliation job call a gateway. :class:`VnpayGateway` is the real client; it
talks to whatever ``MOTCUA_PAYMENT_GATEWAY_URL`` names, by default motcua's own sandbox
(:mod:`motcua.payments.sandbox`), which implements the gateway side of the same protocol. docs/payments.md
describes the fields.

Signatures:

- payment URL, notification (IPN) and return: the ``vnp_*`` parameters except ``vnp_SecureHash`` and
  ``vnp_SecureHashType``, without empty values, sorted by name, each ``name=quote_plus(value)``, joined with
  ``&``; ``vnp_SecureHash`` is the hex HMAC-SHA512 of that text keyed with the merchant secret;
- query and refund API (JSON): the HMAC-SHA512 of fixed fields joined with ``|``, in the order of
  :data:`QUERY_REQUEST_FIELDS` etc.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol
from urllib.parse import quote_plus
from zoneinfo import ZoneInfo

from motcua.payments.conf import GatewayConfig, gateway_config

__all__ = [
    "GatewayError",
    "InvalidSignature",
    "Notification",
    "PaymentGateway",
    "QueryResult",
    "RefundResult",
    "VnpayGateway",
    "canonical_query",
    "get_gateway",
    "sign",
    "sign_fields",
]

VERSION = "2.1.0"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
DATE_FORMAT = "%Y%m%d%H%M%S"
API_PATH = "merchant_webapi/api/transaction"
PAY_PATH = "paymentv2/vpcpay.html"

QUERY_REQUEST_FIELDS = (
    "vnp_RequestId", "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_TxnRef", "vnp_TransactionDate",
    "vnp_CreateDate", "vnp_IpAddr", "vnp_OrderInfo",
)  # fmt: skip
QUERY_RESPONSE_FIELDS = (
    "vnp_ResponseId", "vnp_Command", "vnp_ResponseCode", "vnp_Message", "vnp_TmnCode", "vnp_TxnRef",
    "vnp_Amount", "vnp_BankCode", "vnp_PayDate", "vnp_TransactionNo", "vnp_TransactionType",
    "vnp_TransactionStatus", "vnp_OrderInfo", "vnp_PromotionCode", "vnp_PromotionAmount",
)  # fmt: skip
REFUND_REQUEST_FIELDS = (
    "vnp_RequestId", "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_TransactionType", "vnp_TxnRef",
    "vnp_Amount", "vnp_TransactionNo", "vnp_TransactionDate", "vnp_CreateBy", "vnp_CreateDate",
    "vnp_IpAddr", "vnp_OrderInfo",
)  # fmt: skip
REFUND_RESPONSE_FIELDS = (
    "vnp_ResponseId", "vnp_Command", "vnp_ResponseCode", "vnp_Message", "vnp_TmnCode", "vnp_TxnRef",
    "vnp_Amount", "vnp_BankCode", "vnp_PayDate", "vnp_TransactionNo", "vnp_TransactionType",
    "vnp_TransactionStatus", "vnp_OrderInfo",
)  # fmt: skip

# vnp_TransactionStatus
STATUS_SUCCESS = "00"
STATUS_PENDING = "01"
STATUS_ERROR = "02"
# vnp_ResponseCode of a payment
RESPONSE_SUCCESS = "00"
RESPONSE_CANCELLED = "24"
# vnp_ResponseCode of the query/refund API
API_OK = "00"
API_NOT_FOUND = "91"
API_BAD_SIGNATURE = "97"


class GatewayError(Exception):
    """The gateway could not be reached or answered something we cannot trust."""


class InvalidSignature(GatewayError):
    """A message's ``vnp_SecureHash`` does not match its fields."""


def sign(data: str, secret: str) -> str:
    return hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()


def canonical_query(params: Mapping[str, Any]) -> str:
    """The text that is signed: sorted ``vnp_*`` fields, URL-encoded, without the hash and empty values."""
    items = sorted(
        (k, str(v))
        for k, v in params.items()
        if k.startswith("vnp_") and k not in ("vnp_SecureHash", "vnp_SecureHashType") and v not in (None, "")
    )
    return "&".join(f"{k}={quote_plus(v)}" for k, v in items)


def sign_fields(values: Mapping[str, Any], names: Sequence[str], secret: str) -> str:
    return sign("|".join(str(values.get(n, "") or "") for n in names), secret)


def verify_query(params: Mapping[str, Any], secret: str) -> bool:
    given = str(params.get("vnp_SecureHash", "")).lower()
    return bool(given) and hmac.compare_digest(given, sign(canonical_query(params), secret))


def format_date(at: datetime) -> str:
    return at.astimezone(VN).strftime(DATE_FORMAT)


def parse_date(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, DATE_FORMAT).replace(tzinfo=VN)
    except ValueError:
        return None


def to_minor(amount: Decimal | int) -> int:
    """``vnp_Amount`` is the amount in VND times 100."""
    return int(Decimal(amount) * 100)


def from_minor(value: Any) -> Decimal | None:
    try:
        minor = int(str(value))
    except ValueError:
        return None
    return Decimal(minor) / 100


@dataclass(frozen=True)
class Notification:
    """A verified result notification (IPN) or return: what the gateway says happened to one payment."""

    txn_ref: str
    amount: Decimal | None
    response_code: str
    transaction_status: str
    transaction_no: str
    bank_code: str
    pay_date: datetime | None
    raw: dict[str, str] = field(default_factory=dict)

    @property
    def succeeded(self) -> bool:
        return self.response_code == RESPONSE_SUCCESS and self.transaction_status == STATUS_SUCCESS


@dataclass(frozen=True)
class QueryResult:
    """The gateway's answer to a query (``querydr``); ``found`` is False when it has no such transaction."""

    found: bool
    txn_ref: str
    amount: Decimal | None = None
    transaction_status: str = ""
    transaction_no: str = ""
    bank_code: str = ""
    pay_date: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def succeeded(self) -> bool:
        return self.found and self.transaction_status == STATUS_SUCCESS

    @property
    def failed(self) -> bool:
        return self.found and self.transaction_status not in (STATUS_SUCCESS, STATUS_PENDING)


@dataclass(frozen=True)
class RefundResult:
    ok: bool
    response_code: str
    message: str
    transaction_no: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


class PaymentGateway(Protocol):
    def checkout_url(
        self,
        *,
        txn_ref: str,
        amount: Decimal,
        order_info: str,
        return_url: str,
        client_ip: str,
        created_at: datetime,
        expires_at: datetime,
    ) -> str: ...

    def verify_notification(self, params: Mapping[str, str]) -> Notification: ...

    def query(
        self, *, txn_ref: str, order_info: str, transaction_date: datetime, at: datetime
    ) -> QueryResult: ...

    def refund(
        self,
        *,
        txn_ref: str,
        amount: Decimal,
        full: bool,
        transaction_no: str,
        transaction_date: datetime,
        created_by: str,
        at: datetime,
    ) -> RefundResult: ...


class VnpayGateway:
    """The client side of the VNPAY-style protocol."""

    def __init__(self, config: GatewayConfig, *, timeout: float = 10.0) -> None:
        self.config = config
        self.timeout = timeout

    # -- the payment page --------------------------------------------------------------------------------

    def checkout_url(
        self,
        *,
        txn_ref: str,
        amount: Decimal,
        order_info: str,
        return_url: str,
        client_ip: str,
        created_at: datetime,
        expires_at: datetime,
    ) -> str:
        params = {
            "vnp_Version": VERSION,
            "vnp_Command": "pay",
            "vnp_TmnCode": self.config.merchant,
            "vnp_Amount": to_minor(amount),
            "vnp_CurrCode": "VND",
            "vnp_TxnRef": txn_ref,
            "vnp_OrderInfo": order_info,
            "vnp_OrderType": "other",
            "vnp_Locale": "vn",
            "vnp_ReturnUrl": return_url,
            "vnp_IpAddr": client_ip or "127.0.0.1",
            "vnp_CreateDate": format_date(created_at),
            "vnp_ExpireDate": format_date(expires_at),
        }
        query = canonical_query(params)
        return f"{self.config.url}{PAY_PATH}?{query}&vnp_SecureHash={sign(query, self.config.secret)}"

    # -- notifications and returns -----------------------------------------------------------------------

    def verify_notification(self, params: Mapping[str, str]) -> Notification:
        """The notification, if its signature and merchant are right; :class:`InvalidSignature` otherwise."""
        if not verify_query(params, self.config.secret):
            raise InvalidSignature("vnp_SecureHash does not match the parameters")
        if params.get("vnp_TmnCode") != self.config.merchant:
            raise InvalidSignature(f"vnp_TmnCode {params.get('vnp_TmnCode')!r} is not our merchant code")
        return Notification(
            txn_ref=str(params.get("vnp_TxnRef", "")),
            amount=from_minor(params.get("vnp_Amount", "")),
            response_code=str(params.get("vnp_ResponseCode", "")),
            transaction_status=str(params.get("vnp_TransactionStatus", "")),
            transaction_no=str(params.get("vnp_TransactionNo", "")),
            bank_code=str(params.get("vnp_BankCode", "")),
            pay_date=parse_date(str(params.get("vnp_PayDate", ""))),
            raw={k: str(v) for k, v in params.items()},
        )

    # -- the merchant API (signed JSON) ------------------------------------------------------------------

    def _post(self, body: dict[str, Any], response_fields: Sequence[str]) -> dict[str, Any]:
        request = urllib.request.Request(  # noqa: S310 - the configured gateway's https/http URL
            self.config.url + API_PATH,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = json.loads(response.read().decode())
        except (urllib.error.URLError, TimeoutError, ValueError, OSError) as exc:
            raise GatewayError(f"the gateway's API did not answer: {exc}") from exc
        if not isinstance(answer, dict):
            raise GatewayError("the gateway's API answered something else than a JSON object")
        given = str(answer.get("vnp_SecureHash", "")).lower()
        if not given or not hmac.compare_digest(
            given, sign_fields(answer, response_fields, self.config.secret)
        ):
            raise InvalidSignature("the gateway's API answer is not signed with our secret")
        return answer

    def query(
        self, *, txn_ref: str, order_info: str, transaction_date: datetime, at: datetime
    ) -> QueryResult:
        body: dict[str, Any] = {
            "vnp_RequestId": secrets.token_hex(16),
            "vnp_Version": VERSION,
            "vnp_Command": "querydr",
            "vnp_TmnCode": self.config.merchant,
            "vnp_TxnRef": txn_ref,
            "vnp_OrderInfo": order_info,
            "vnp_TransactionDate": format_date(transaction_date),
            "vnp_CreateDate": format_date(at),
            "vnp_IpAddr": "127.0.0.1",
        }
        body["vnp_SecureHash"] = sign_fields(body, QUERY_REQUEST_FIELDS, self.config.secret)
        answer = self._post(body, QUERY_RESPONSE_FIELDS)
        code = str(answer.get("vnp_ResponseCode", ""))
        if code == API_NOT_FOUND:
            return QueryResult(found=False, txn_ref=txn_ref, raw=answer)
        if code != API_OK:
            raise GatewayError(f"query {txn_ref}: gateway answered {code} {answer.get('vnp_Message', '')}")
        return QueryResult(
            found=True,
            txn_ref=str(answer.get("vnp_TxnRef", "")),
            amount=from_minor(answer.get("vnp_Amount", "")),
            transaction_status=str(answer.get("vnp_TransactionStatus", "")),
            transaction_no=str(answer.get("vnp_TransactionNo", "")),
            bank_code=str(answer.get("vnp_BankCode", "")),
            pay_date=parse_date(str(answer.get("vnp_PayDate", ""))),
            raw=answer,
        )

    def refund(
        self,
        *,
        txn_ref: str,
        amount: Decimal,
        full: bool,
        transaction_no: str,
        transaction_date: datetime,
        created_by: str,
        at: datetime,
    ) -> RefundResult:
        body: dict[str, Any] = {
            "vnp_RequestId": secrets.token_hex(16),
            "vnp_Version": VERSION,
            "vnp_Command": "refund",
            "vnp_TmnCode": self.config.merchant,
            "vnp_TransactionType": "02" if full else "03",
            "vnp_TxnRef": txn_ref,
            "vnp_Amount": to_minor(amount),
            "vnp_TransactionNo": transaction_no,
            "vnp_TransactionDate": format_date(transaction_date),
            "vnp_CreateBy": created_by,
            "vnp_CreateDate": format_date(at),
            "vnp_IpAddr": "127.0.0.1",
            "vnp_OrderInfo": f"Hoan tien {txn_ref}",
        }
        body["vnp_SecureHash"] = sign_fields(body, REFUND_REQUEST_FIELDS, self.config.secret)
        answer = self._post(body, REFUND_RESPONSE_FIELDS)
        code = str(answer.get("vnp_ResponseCode", ""))
        return RefundResult(
            ok=code == API_OK,
            response_code=code,
            message=str(answer.get("vnp_Message", "")),
            transaction_no=str(answer.get("vnp_TransactionNo", "")),
            raw=answer,
        )


def get_gateway(*, site: str | None = None) -> PaymentGateway:
    """The configured gateway (today always the VNPAY-style client; the sandbox speaks the same protocol).

    ``site`` is the current request's ``scheme://host``: without a configured gateway URL or public URL, the
    sandbox is reached on the host the citizen is using.
    """
    return VnpayGateway(gateway_config(site=site))
