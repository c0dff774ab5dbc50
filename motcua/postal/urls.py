"""Included at the site root: the staff list, the carrier's webhook, and the sandbox carrier."""

from django.urls import path

from motcua.postal import sandbox, views

app_name = "postal"

urlpatterns = [
    path("can-bo/buu-chinh/", views.shipments, name="shipments"),
    path("buu-chinh/webhook/", views.webhook, name="webhook"),
    path("sandbox/postal/api/orders", sandbox.orders, name="sandbox_orders"),
    path("sandbox/postal/api/orders/<str:item_code>", sandbox.order_track, name="sandbox_track"),
    path("sandbox/postal/api/orders/<str:item_code>/events", sandbox.order_events, name="sandbox_events"),
]
