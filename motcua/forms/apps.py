from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FormsConfig(AppConfig):
    name = "motcua.forms"
    label = "printed_forms"
    verbose_name = _("Biểu mẫu in")
