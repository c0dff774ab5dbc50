from django.urls import path

from motcua.dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("", views.index, name="index"),
    path("tai-ve/<str:fmt>/", views.download, name="download"),
    path("chi-so-766/", views.scoreboard, name="scoreboard"),
    path("cai-cach/", views.reform, name="reform"),
]
