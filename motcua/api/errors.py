"""Every error of the REST API is ``application/problem+json`` (RFC 9457).

A problem has ``type``, ``title``, ``status`` and ``detail``; when one input is at fault also ``field`` (a
path such as ``applicant.name`` or ``components[0].code``, or a query parameter or header name) and
``value`` (what was sent; ID and phone numbers masked to their last 3 digits). Extensions:
``allowed_actions`` (409 ``action_not_allowed``) and ``errors`` (422: every invalid field, first one
repeated at the top level).

    ApplicationError (services)   → its own status, via ``.as_problem()``
    ninja ValidationError         → 422 invalid_field
    ninja HttpError               → its status (401 unauthenticated, 403 forbidden, 400 bad request…)
    Http404                       → 404 not_found
    anything else                 → 500 internal_error (logged, no details)
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Schema
from ninja.errors import HttpError, ValidationError, ValidationErrorContext

from motcua.core.errors import ApplicationError
from motcua.core.personal import mask_number

if TYPE_CHECKING:
    from ninja import NinjaAPI

__all__ = [
    "PROBLEM_CONTENT_TYPE",
    "ProblemItem",
    "ProblemOut",
    "field_path",
    "install_error_handlers",
    "mask",
    "mask_value",
    "problem",
    "problem_response",
    "validation_errors",
]

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://motcua.vn/problems/"
SENSITIVE_FIELDS = frozenset({"id_number", "phone"})
"""Fields whose values are never echoed in full, in errors or in lists."""

HTTP_CODES: Mapping[int, str] = {
    400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    409: "conflict", 422: "invalid_field", 429: "too_many_requests",
}


class ProblemItem(Schema):
    field: str
    value: Any = None
    detail: str


class ProblemOut(Schema):
    """An error (RFC 9457 problem details)."""

    type: str
    title: str
    status: int
    detail: str
    field: str | None = None
    value: Any = None
    allowed_actions: list[str] | None = None
    errors: list[ProblemItem] | None = None


def mask(value: str) -> str:
    """``004090000123`` → ``*********123``: the shared rule, :func:`motcua.core.personal.mask_number`."""
    return mask_number(value)


def _last_name(field: str | None) -> str:
    if not field:
        return ""
    return re.sub(r"\[\d+\]$", "", field.rsplit(".", 1)[-1])


def mask_value(field: str | None, value: object) -> object:
    """``value`` as it may be echoed for ``field``: ID and phone numbers masked, also inside objects."""
    if isinstance(value, Mapping):
        return {str(k): mask_value(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_value(field, v) for v in value]
    if _last_name(field) in SENSITIVE_FIELDS and value is not None and value != "":
        return mask(str(value))
    return value


def _jsonable(value: object) -> object:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return str(value)


def problem(status: int, detail: str, *, code: str | None = None, field: str | None = None,
            value: object = None, **extensions: object) -> dict[str, object]:
    code = code or HTTP_CODES.get(status, "error")
    body: dict[str, object] = {"type": PROBLEM_TYPE_BASE + code, "title": code.replace("_", " "),
                               "status": status, "detail": detail}
    if field is not None:
        body["field"] = field
        body["value"] = _jsonable(mask_value(field, value))
    body.update(extensions)
    return body


def problem_response(body: Mapping[str, object], *, headers: Mapping[str, str] | None = None) -> HttpResponse:
    status = body["status"]
    assert isinstance(status, int)
    response = HttpResponse(json.dumps(body, ensure_ascii=False), status=status,
                            content_type=PROBLEM_CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


# -- validation errors ------------------------------------------------------------------------------------


def field_path(loc: Sequence[object]) -> str:
    """``("applicant", "name")`` → ``applicant.name``; ``("components", 0, "code")`` → ``components[0].code``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if path else "") + str(part)
    return path


def validation_errors(contexts: Sequence[ValidationErrorContext[Any]]) -> list[dict[str, object]]:
    """Pydantic errors of a request's parameters as ``{field, value, detail, type}`` items.

    ninja drops the offending value; we keep it (masked), because an error that names the value is
    actionable. Body fields are named from the body's root (``applicant.name``, not ``payload.applicant``),
    query parameters and headers by their own names.
    """
    items: list[dict[str, object]] = []
    for context in contexts:
        model = context.model
        source = getattr(model, "__ninja_param_source__", "")
        reverse = getattr(model, "__ninja_flatten_map_reverse__", {})
        for error in context.pydantic_validation_error.errors(include_url=False):
            loc = tuple(error["loc"])
            if loc in reverse:
                loc = tuple(reverse[loc])
            elif source == "body" and len(loc) > 1:
                loc = loc[1:]  # the view's parameter name
            field = field_path(loc) or source
            value = None if error["type"] == "missing" else error.get("input")
            items.append({"field": field, "value": _jsonable(mask_value(field, value)),
                          "detail": f"{field}: {error['msg']}", "type": error["type"]})
    return items


# -- handlers ---------------------------------------------------------------------------------------------


def _on_application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    body = exc.as_problem()
    if "field" in body:
        body["value"] = _jsonable(mask_value(str(body["field"]), body.get("value")))
    return problem_response(body)


def _on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    items = [dict(e) for e in exc.errors]
    for item in items:  # errors not built by validation_errors() (ninja's own shape)
        if "field" not in item:
            item["field"] = field_path(tuple(item.get("loc", ()))[1:]) or "body"
            item["detail"] = f"{item['field']}: {item.get('msg', 'is invalid')}"
            item.setdefault("value", None)
    public = [{"field": i["field"], "value": i["value"], "detail": i["detail"]} for i in items]
    first = public[0] if public else {"field": "body", "value": None, "detail": "invalid request"}
    detail = "; ".join(str(i["detail"]) for i in public) or "invalid request"
    return problem_response(problem(422, detail, code="invalid_field", field=str(first["field"]),
                                    value=first["value"], errors=public))


def _on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    status = exc.status_code
    if status == 401:
        return problem_response(
            problem(401, "authentication required: send `Authorization: Bearer <token>` (motcua token create) "
                         "or sign in to the staff site"),
            headers={"WWW-Authenticate": 'Bearer realm="motcua"'})
    detail = str(exc)
    if status == 400 and "parse" in detail:
        detail = "the request body is not valid JSON"
    return problem_response(problem(status, detail))


def _on_404(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem_response(problem(404, "not found"))


def _on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("unexpected error in %s %s", request.method, request.path)
    return problem_response(problem(500, "internal error: it was logged; please report the time of the request",
                                    code="internal_error"))


def install_error_handlers(api: NinjaAPI) -> None:
    # ninja types a handler's exception as "instance or class"; ours always receive instances
    handlers: list[tuple[type[Exception], Any]] = [
        (ApplicationError, _on_application_error), (ValidationError, _on_validation_error),
        (HttpError, _on_http_error), (Http404, _on_404), (Exception, _on_unexpected),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, handler)
