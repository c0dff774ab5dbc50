from django.urls import path

from motcua.documents import views

app_name = "documents"

urlpatterns = [
    path("", views.digitization, name="digitization"),
    path("ho-so/<int:dossier_id>/", views.components, name="components"),
    path("ho-so/<int:dossier_id>/thanh-phan/<int:component_id>/quet/", views.component_scan, name="scan"),
    path(
        "ho-so/<int:dossier_id>/thanh-phan/<int:component_id>/tai-su-dung/",
        views.component_reuse,
        name="reuse",
    ),
    path(
        "ho-so/<int:dossier_id>/thanh-phan/<int:component_id>/kho-du-lieu/", views.component_pds, name="pds"
    ),
    path("ho-so/<int:dossier_id>/ket-qua/", views.result_upload, name="result"),
    path("tai-lieu/<int:document_id>/", views.download, name="download"),
]
