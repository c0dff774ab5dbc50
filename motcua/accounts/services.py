"""Users, roles and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from motcua.accounts.models import ROLE_CHOICES, ApiToken, RoleAssignment, User
from motcua.core.errors import FieldError, NotFound

__all__ = ["role_grant", "token_authenticate", "token_create", "token_revoke", "user_create"]

TOKEN_PREFIX = "mc_"  # noqa: S105 - a public prefix, not a secret
ROLE_VALUES = {value for value, _label in ROLE_CHOICES}


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None = None,
    full_name: str = "",
    email: str = "",
    is_superuser: bool = False,
) -> User:
    if not username or len(username) > 150:
        raise FieldError("username", username, "must be 1–150 characters")
    if User.objects.filter(username=username).exists():
        raise FieldError("username", username, "is already taken")
    user = User(
        username=username, full_name=full_name, email=email, is_superuser=is_superuser, is_staff=is_superuser
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user


@transaction.atomic
def role_grant(
    *, user: User, role: str, unit_code: str, department_code: str | None = None
) -> RoleAssignment:
    from motcua.catalogue.models import Department, Unit

    if role not in ROLE_VALUES:
        raise FieldError("role", role, f"must be one of {', '.join(sorted(ROLE_VALUES))}")
    unit = Unit.objects.filter(code=unit_code).first()
    if unit is None:
        raise FieldError("unit", unit_code, "is not a known unit code")
    department = None
    if department_code:
        department = Department.objects.filter(unit=unit, code=department_code).first()
        if department is None:
            raise FieldError("department", department_code, f"is not a department of {unit_code}")
    assignment, _created = RoleAssignment.objects.get_or_create(
        user=user, role=role, unit=unit, department=department
    )
    if not user.is_staff and role in {"admin"}:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return assignment


@transaction.atomic
def token_create(*, user: User, name: str = "") -> tuple[str, ApiToken]:
    """Create an API token for ``user``; returns the token (shown once) and its record."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken.objects.create(user=user, name=name, prefix=token[:10], key_hash=_hash(token))
    return token, record


def token_authenticate(token: str) -> User | None:
    """The active user owning ``token``, or None. Records the last use (at most once a minute)."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    record = ApiToken.objects.select_related("user").filter(key_hash=_hash(token), revoked_at=None).first()
    if record is None or not record.user.is_active:
        return None
    now = timezone.now()
    if record.last_used_at is None or (now - record.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
    return record.user


@transaction.atomic
def token_revoke(*, prefix: str, user: User | None = None) -> int:
    tokens = ApiToken.objects.filter(prefix=prefix, revoked_at=None)
    if user is not None:
        tokens = tokens.filter(user=user)
    count = tokens.update(revoked_at=timezone.now())
    if not count:
        raise NotFound(f"no active token with prefix {prefix!r}", field="prefix", value=prefix)
    return count


def roles_of(user: User) -> Iterable[RoleAssignment]:
    return RoleAssignment.objects.filter(user=user).select_related("unit", "department")
