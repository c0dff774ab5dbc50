from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "motcua.notify"
    label = "notify"
    verbose_name = _("Thông báo")

    def ready(self) -> None:
        from motcua.dossiers import hooks
        from motcua.notify.services import on_dossier_events, on_dossier_events_many

        hooks.listen("notify.applicant_messages", on_dossier_events, batch=on_dossier_events_many)
