"""The public pages keep one table: the rate-limit counters of :mod:`motcua.public.ratelimit`."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RateLimitWindow(models.Model):
    """How many counted attempts one client made in one fixed window of one scope.

    ``client`` is an HMAC-SHA256 of the client's address keyed with the site's secret key: the table never
    holds an IP address (personal data, Law 91/2025/QH15), yet the same address always gives the same row.
    Rows older than a day are deleted as new windows open.
    """

    scope = models.CharField(max_length=30)
    client = models.CharField(max_length=64)
    window_start = models.DateTimeField(db_index=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("giới hạn truy cập")
        verbose_name_plural = _("giới hạn truy cập")
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "client", "window_start"], name="ratelimit_window_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.client[:8]} {self.window_start:%Y-%m-%d %H:%M} {self.count}"
