"""Who may do what where: the roles of a user in a unit (and department)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from motcua.accounts.models import RoleAssignment, User
from motcua.domain.lifecycle import Role

if TYPE_CHECKING:
    from motcua.catalogue.models import Department, Unit

__all__ = ["roles_in_unit", "units_visible_to", "user_is_staff_of"]


def roles_in_unit(user: User | None, unit: Unit, *, department: Department | None = None) -> frozenset[Role]:
    """The roles ``user`` holds for work in ``unit``.

    - ``None`` is the system itself (the importer, the payment gateway): role ``system``.
    - A superuser is ``admin`` everywhere.
    - A role held in a province covers each of its communes.
    - A role limited to a department counts only for dossiers of that department (or not yet routed).
    """
    if user is None:
        return frozenset({Role.SYSTEM})
    if not user.is_active:
        return frozenset()
    roles: set[Role] = {Role.ADMIN} if user.is_superuser else set()
    unit_ids = [unit.pk] + ([unit.parent_id] if unit.parent_id else [])
    for role, department_id in RoleAssignment.objects.filter(user=user, unit_id__in=unit_ids).values_list(
        "role", "department_id"
    ):
        if department_id is None or department is None or department_id == department.pk:
            roles.add(Role(role))
    return frozenset(roles)


def units_visible_to(user: User) -> QuerySet[Unit]:
    """The units whose dossiers ``user`` may see: those where they hold a role, and a province's communes."""
    from motcua.catalogue.models import Unit

    if user.is_superuser:
        return Unit.objects.all()
    unit_ids = list(RoleAssignment.objects.filter(user=user).values_list("unit_id", flat=True))
    return Unit.objects.filter(Q(pk__in=unit_ids) | Q(parent_id__in=unit_ids))


def user_is_staff_of(user: User, unit: Unit) -> bool:
    return bool(roles_in_unit(user, unit))
