from django.urls import path

from motcua.postal import sandbox

app_name = "postal_sandbox"

urlpatterns = [
    path("api/orders", sandbox.orders, name="orders"),
    path("api/orders/<str:item_code>", sandbox.order_track, name="track"),
    path("api/orders/<str:item_code>/events", sandbox.order_events, name="events"),
]
