from django.urls import path

from motcua.notify import sandbox

app_name = "sms_sandbox"

urlpatterns = [path("", sandbox.sms_gateway, name="gateway")]
