"""Mounted at the site root: the public check page, the staff's signed documents and the dossier page's
signatures section (see :mod:`.views`)."""

from django.urls import path

from motcua.signing import views

app_name = "signing"

urlpatterns = [
    path("kiem-tra-chu-ky/", views.verify_page, name="verify"),
    path("can-bo/ky-so/<int:dossier_id>/<slug:form_file>.pdf", views.signed_form, name="form"),
    path("can-bo/ky-so/ket-qua/<int:copy_id>.pdf", views.result_copy, name="result_copy"),
    path("can-bo/ky-so/ho-so/<int:dossier_id>/", views.dossier_signatures, name="dossier"),
    path("can-bo/ky-so/ho-so/<int:dossier_id>/ky-ket-qua/", views.result_sign, name="result_sign"),
    path("can-bo/ky-so/ho-so/<int:dossier_id>/kiem-tra/", views.dossier_verify, name="dossier_verify"),
    path("ky-so/tsa/", views.tsa, name="tsa"),
]
