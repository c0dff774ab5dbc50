from django.urls import path

from motcua.interop import views

app_name = "interop"

urlpatterns = [
    path("", views.index, name="index"),
    path("ho-so/<int:dossier_id>/lay-y-kien/", views.consult, name="consult"),
    path("yeu-cau/<int:request_id>/tra-loi/", views.answer, name="answer"),
]
