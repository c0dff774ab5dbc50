from django.contrib import admin
from django.urls import include, path

from motcua.api.api import api
from motcua.documents.links import result_file_view

urlpatterns = [
    path("admin/", admin.site.urls),
    path("can-bo/", include("motcua.web.urls")),
    path("can-bo/bieu-mau/", include("motcua.forms.urls")),
    path("can-bo/bao-cao/", include("motcua.dashboards.urls")),
    path("can-bo/danh-gia/", include("motcua.evaluation.urls")),
    path("can-bo/lien-thong/", include("motcua.interop.urls")),
    path("can-bo/so-hoa/", include("motcua.documents.urls")),
    path("", include("motcua.postal.urls")),  # can-bo/buu-chinh/, buu-chinh/webhook/, sandbox/postal/
    path("can-bo/canh-bao/", include("motcua.notify.urls")),
    path("sandbox/sms/", include("motcua.notify.sandbox_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("tep-ket-qua/<str:token>/", result_file_view, name="result_file"),
    path("sandbox/portal/", include("motcua.portal.urls")),
    path("", include("motcua.signing.urls")),
    path("", include("motcua.payments.urls")),  # can-bo/thu-phi/, thanh-toan/, sandbox/payment/
    path("nop-truc-tuyen/", include("motcua.online.urls")),
    path("", include("motcua.public.urls")),
]
