from django.contrib.auth import views as auth_views
from django.urls import path

from motcua.web import intake, views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("tra-cuu/", views.search, name="search"),
    path("tiep-nhan/", intake.intake, name="intake"),
    path("ho-so/<int:dossier_id>/", views.dossier_detail, name="dossier"),
    path("ho-so/<int:dossier_id>/thao-tac/<str:action>/", views.dossier_action, name="dossier_action"),
    path("dang-nhap/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
]
