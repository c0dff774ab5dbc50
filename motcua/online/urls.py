from django.urls import path

from motcua.online import views

app_name = "online"

urlpatterns = [
    path("", views.procedures, name="procedures"),
    path("da-nop/", views.done, name="done"),
    path("ho-so/", views.status, name="status"),
    path("ho-so/bo-sung/", views.supplement, name="supplement"),
    path("ho-so/ket-qua/", views.result, name="result"),
    path("ho-so/thanh-toan/", views.pay, name="pay"),
    path("ho-so/giay-tiep-nhan/", views.receipt, name="receipt"),
    path("<str:code>/", views.submit, name="submit"),
]
