from django.urls import path

from motcua.postal import views

app_name = "postal"

urlpatterns = [
    path("", views.shipments, name="shipments"),
    path("webhook/", views.webhook, name="webhook"),
]
