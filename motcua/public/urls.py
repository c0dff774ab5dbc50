from django.urls import path

from motcua.public import views

app_name = "public"

urlpatterns = [
    path("", views.index, name="index"),
    path("tra-cuu/", views.lookup, name="lookup"),
    path("tra-cuu/danh-gia/", views.rate, name="rate"),
    path("thu-tuc/", views.procedures, name="procedures"),
    path("thu-tuc/<str:code>/", views.procedure, name="procedure"),
    path("thong-ke/", views.statistics, name="statistics"),
    path("cong-khai/", views.documents, name="documents"),
    path("cong-khai/tep/<int:pk>/", views.document_file, name="document_file"),
    path("cong-khai/ke-hoach-cchc/<int:pk>/", views.reform_plan, name="reform_plan"),
    path("phan-anh/", views.petition, name="petition"),
    path("phan-anh/tra-cuu/", views.petition_status, name="petition_status"),
]
