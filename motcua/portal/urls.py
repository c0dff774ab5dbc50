"""The sandbox portal, mounted at ``/sandbox/portal/`` (``motcua/urls.py``); off when MOTCUA_PORTAL_SANDBOX=0."""

from django.urls import path

from motcua.portal import sandbox

app_name = "portal-sandbox"

urlpatterns = [
    path("dong-bo", sandbox.receive_view, name="receive"),
    path("control", sandbox.control_view, name="control"),
    path("messages", sandbox.messages_view, name="messages"),
]
