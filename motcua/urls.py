from django.contrib import admin
from django.urls import path

from motcua.api.api import api
from motcua.core.views import home

urlpatterns = [
    path("", home, name="home"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
