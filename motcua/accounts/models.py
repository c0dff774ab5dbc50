"""People and permissions: users, their roles per unit and department, and API tokens."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.domain.lifecycle import Role


class User(AbstractUser):
    """A staff member (or an integration account). Citizens do not sign in (they use code + secret)."""

    full_name = models.CharField(_("họ và tên"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def __str__(self) -> str:
        return self.full_name or self.username


ROLE_CHOICES = [
    (Role.DESK_OFFICER.value, _("Cán bộ một cửa")),
    (Role.SPECIALIST.value, _("Chuyên viên")),
    (Role.DEPARTMENT_HEAD.value, _("Trưởng phòng/bộ phận")),
    (Role.APPROVER.value, _("Lãnh đạo phê duyệt")),
    (Role.CLERK.value, _("Văn thư")),
    (Role.INSPECTOR.value, _("Thanh tra/kiểm tra")),
    (Role.ADMIN.value, _("Quản trị")),
    (Role.SYSTEM.value, _("Hệ thống (tích hợp)")),
]


class RoleAssignment(models.Model):
    """A role a user holds in a unit, optionally limited to one department of it.

    A role held in a province covers every commune of that province (inspectors, provincial admins).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("vai trò"), max_length=20, choices=ROLE_CHOICES)
    unit = models.ForeignKey(
        "catalogue.Unit", verbose_name=_("đơn vị"), on_delete=models.CASCADE, related_name="role_assignments"
    )
    department = models.ForeignKey(
        "catalogue.Department",
        verbose_name=_("phòng/bộ phận"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )

    class Meta:
        verbose_name = _("phân quyền")
        verbose_name_plural = _("phân quyền")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "unit"],
                condition=models.Q(department__isnull=True),
                name="role_assignment_unit_unique",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "unit", "department"],
                condition=models.Q(department__isnull=False),
                name="role_assignment_department_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.role} @ {self.unit.code}"


class ApiToken(models.Model):
    """A bearer token for the REST API. Only its SHA-256 is stored; the token is shown once, at creation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("tên"), max_length=100, blank=True)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
