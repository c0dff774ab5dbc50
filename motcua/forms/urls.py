"""The printed forms, mounted at ``/can-bo/bieu-mau/`` (see :mod:`motcua.forms.views`)."""

from django.urls import path

from motcua.forms import views

app_name = "printed_forms"

urlpatterns = [
    path("<int:dossier_id>/01-giay-tiep-nhan.pdf", views.receipt, name="receipt"),
    path("<int:dossier_id>/02-yeu-cau-bo-sung.pdf", views.supplement, name="supplement"),
    path("<int:dossier_id>/03-tu-choi-tiep-nhan.pdf", views.refusal, name="refusal"),
    path("<int:dossier_id>/04-xin-loi-hen-lai.pdf", views.apology, name="apology"),
    path("<int:dossier_id>/05-phieu-kiem-soat.pdf", views.control_slip, name="control_slip"),
    path("so-theo-doi-ho-so.pdf", views.tracking_book, name="tracking_book"),
]
