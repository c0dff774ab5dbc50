from django.urls import path

from motcua.evaluation import views

app_name = "evaluation"

urlpatterns = [
    path("", views.index, name="index"),
    path("tai-ve.csv", views.download, name="download"),
    path("phan-anh/", views.petitions, name="petitions"),
    path("phan-anh/<int:petition_id>/", views.petition, name="petition"),
]
