"""Included at the site root: the staff pages, the carrier's webhook, and the sandbox carrier."""

from django.urls import path

from motcua.postal import sandbox, views

app_name = "postal"

urlpatterns = [
    path("can-bo/buu-chinh/", views.shipments, name="shipments"),
    path("can-bo/buu-chinh/dang-ky/", views.lodging_create, name="lodging_create"),
    path("can-bo/buu-chinh/<int:shipment_id>/ban-giao/", views.hand_over, name="hand_over"),
    path("can-bo/buu-chinh/<int:shipment_id>/dong-bo/", views.sync, name="sync"),
    path("can-bo/buu-chinh/ho-so/<int:dossier_id>/", views.dossier_postal_page, name="dossier"),
    path("can-bo/buu-chinh/ho-so/<int:dossier_id>/gui-ket-qua/", views.return_create, name="return_create"),
    path("buu-chinh/webhook/", views.webhook, name="webhook"),
    path("sandbox/postal/api/orders", sandbox.orders, name="sandbox_orders"),
    path("sandbox/postal/api/orders/<str:item_code>", sandbox.order_track, name="sandbox_track"),
    path("sandbox/postal/api/orders/<str:item_code>/events", sandbox.order_events, name="sandbox_events"),
]
