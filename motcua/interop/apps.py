from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteropConfig(AppConfig):
    name = "motcua.interop"
    label = "interop"
    verbose_name = _("Liên thông và phi địa giới")

    def ready(self) -> None:
        from motcua.dossiers import hooks
        from motcua.interop.listeners import on_dossier_events, on_dossier_events_many

        hooks.listen("interop.hops_and_steps", on_dossier_events, batch=on_dossier_events_many)
