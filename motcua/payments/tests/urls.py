"""motcua's URLs without the modules that do not import right now (see conftest.py)."""

import importlib

from django.contrib import admin
from django.urls import include, path

from motcua.api.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
]
for prefix, module in [
    ("can-bo/", "motcua.web.urls"),
    ("can-bo/bieu-mau/", "motcua.forms.urls"),
    ("can-bo/bao-cao/", "motcua.dashboards.urls"),
    ("can-bo/danh-gia/", "motcua.evaluation.urls"),
    ("can-bo/lien-thong/", "motcua.interop.urls"),
    ("", "motcua.payments.urls"),
    ("", "motcua.public.urls"),
]:
    try:
        importlib.import_module(module)
    except ImportError:
        continue
    urlpatterns.append(path(prefix, include(module)))
