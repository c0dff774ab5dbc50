"""Read-only look-ups the staff pages need for their select boxes and headers.

These are plain reads of the catalogue and the role assignments, shaped for a ``<select>``; none decides
anything (the services check every submitted value again). They are candidates for
``motcua.catalogue.selectors`` / ``motcua.accounts.selectors`` (see the report of the staff-app issue);
they live here until those modules offer them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Q

from motcua.accounts.models import RoleAssignment, User
from motcua.accounts.services import roles_of
from motcua.catalogue.models import Department, Procedure, Sector, Unit
from motcua.domain.lifecycle import Role

__all__ = [
    "ProcedureChoice",
    "assignee_choices",
    "department_choices",
    "department_names",
    "fold",
    "people_names",
    "procedure_choices",
    "procedure_search",
    "province_communes",
    "role_rows",
    "sector_choices",
    "units_with_role",
    "user_unit_names",
]


def fold(text: str) -> str:
    """Lower case without diacritics (``Đăng ký`` → ``dang ky``), so officers may type either way."""
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@dataclass(frozen=True)
class ProcedureChoice:
    code: str
    name: str
    sector: str


def _active_procedures() -> list[ProcedureChoice]:
    rows = (
        Procedure.objects.filter(active=True, current_version__isnull=False)
        .select_related("sector", "current_version")
        .order_by("sector__code", "code")
    )
    return [
        ProcedureChoice(
            code=p.code, name=p.current_version.name if p.current_version else p.name, sector=p.sector.name
        )
        for p in rows
    ]


def procedure_search(query: str, *, limit: int = 30) -> list[ProcedureChoice]:
    """Active procedures whose code or name contains ``query`` (any case, with or without diacritics)."""
    words = fold(query).split()
    if not words:
        return []
    found = [p for p in _active_procedures() if all(w in fold(f"{p.code} {p.name}") for w in words)]
    return found[:limit]


def procedure_choices() -> list[tuple[str, str]]:
    return [(p.code, f"{p.code} — {_short(p.name)}") for p in _active_procedures()]


def _short(text: str, length: int = 90) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def sector_choices() -> list[tuple[str, str]]:
    return [(s.code, s.name) for s in Sector.objects.order_by("name")]


def department_choices(unit: Unit) -> list[tuple[str, str]]:
    return [(d.code, d.name) for d in Department.objects.filter(unit=unit).order_by("name")]


def department_names(unit_ids: Sequence[int]) -> dict[str, str]:
    return dict(Department.objects.filter(unit_id__in=unit_ids).values_list("code", "name"))


def assignee_choices(unit: Unit, department: Department | None) -> list[tuple[str, str]]:
    """The specialists of ``unit`` who may take a dossier of ``department`` (and its heads), by name."""
    rows = RoleAssignment.objects.filter(
        Q(unit=unit) | Q(unit_id=unit.parent_id),
        user__is_active=True,
        role__in=[Role.SPECIALIST.value, Role.DEPARTMENT_HEAD.value],
    )
    if department is not None:
        rows = rows.filter(Q(department__isnull=True) | Q(department=department))
    users = User.objects.filter(pk__in=rows.values("user_id")).order_by("full_name", "username")
    return [(u.username, f"{u.full_name or u.username} ({u.username})") for u in users]


def people_names(usernames: Sequence[str]) -> dict[str, str]:
    return {
        u: n or u for u, n in User.objects.filter(username__in=usernames).values_list("username", "full_name")
    }


def role_rows(user: User) -> list[RoleAssignment]:
    """The user's role assignments (with unit and department), read once per request: the list is kept on
    the request's user object, which lives as long as the request."""
    cached: list[RoleAssignment] | None = getattr(user, "_motcua_role_rows", None)
    if cached is None:
        cached = list(roles_of(user))
        user._motcua_role_rows = cached  # type: ignore[attr-defined]
    return cached


def units_with_role(user: User, role: Role) -> list[Unit]:
    """The communes where ``user`` holds ``role`` (a role held in a province covers its communes)."""
    if not user.is_authenticated:
        return []
    ids = [a.unit_id for a in role_rows(user) if a.role == role.value]
    if not ids:
        return []
    return list(
        Unit.objects.filter(
            Q(pk__in=ids, kind=Unit.Kind.COMMUNE) | Q(parent_id__in=ids), active=True
        ).order_by("name")
    )


def user_unit_names(user: User) -> str:
    """The units a user works in, for the header (``Xã Đông Khê``)."""
    names: list[str] = []
    for assignment in role_rows(user):
        if assignment.unit.name not in names:
            names.append(assignment.unit.name)
    return ", ".join(names[:2]) + ("…" if len(names) > 2 else "")


def province_communes(unit: Unit) -> list[Unit]:
    """The communes of ``unit``'s province: where a boundary-independent dossier may be resolved."""
    province_id = unit.parent_id or unit.pk
    return list(
        Unit.objects.filter(parent_id=province_id, kind=Unit.Kind.COMMUNE, active=True).order_by("name")
    )
