from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "motcua.portal"
    label = "portal"
    verbose_name = _("Đồng bộ Cổng Dịch vụ công quốc gia")

    def ready(self) -> None:
        from motcua.dossiers import hooks
        from motcua.portal.outbox import outbox_enqueue, outbox_enqueue_many

        hooks.listen("portal.outbox", outbox_enqueue, batch=outbox_enqueue_many)

        from datetime import timedelta

        from motcua.jobs import schedule

        schedule.register("portal.sync", "motcua.portal.tasks.portal_sync", every=timedelta(minutes=1))
