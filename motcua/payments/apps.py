from datetime import timedelta

from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "motcua.payments"
    label = "payments"
    verbose_name = _("Phí, lệ phí và thanh toán")

    def ready(self) -> None:
        from motcua.dossiers import hooks
        from motcua.payments.services import on_dossier_events, on_dossier_events_many

        hooks.listen("payments.fees_and_refunds", on_dossier_events, batch=on_dossier_events_many)
        if apps.is_installed("motcua.jobs"):
            from motcua.jobs import schedule

            schedule.register(
                "payments.reconcile",
                "motcua.payments.tasks.payments_reconcile_task",
                every=timedelta(minutes=5),
            )
