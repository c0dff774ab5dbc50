"""Included at the site root: staff pages under ``can-bo/thu-phi/``, citizens' under ``thanh-toan/``, and
the sandbox gateway under ``sandbox/payment/`` (404 when ``MOTCUA_PAYMENT_SANDBOX=0``)."""

from django.urls import path

from motcua.payments import sandbox, views

app_name = "payments"

urlpatterns = [
    path("can-bo/thu-phi/<int:dossier_id>/", views.fees, name="fees"),
    path("can-bo/thu-phi/<int:dossier_id>/mien-giam/", views.reduction, name="reduction"),
    path("can-bo/thu-phi/<int:dossier_id>/khoan/<int:position>/", views.line, name="line"),
    path("can-bo/thu-phi/<int:dossier_id>/thu/", views.collect, name="collect"),
    path("can-bo/thu-phi/<int:dossier_id>/lien-ket/", views.link, name="link"),
    path("can-bo/thu-phi/hoan-tra/<int:refund_id>/", views.refund, name="refund"),
    path("thanh-toan/", views.pay, name="pay"),
    path("thanh-toan/ipn/", views.ipn, name="ipn"),
    path("thanh-toan/ket-qua/", views.payment_return, name="return"),
    path("sandbox/payment/paymentv2/vpcpay.html", sandbox.checkout, name="sandbox_checkout"),
    path("sandbox/payment/pay/<str:txn_ref>/", sandbox.pay, name="sandbox_pay"),
    path("sandbox/payment/ipn/<str:txn_ref>/send/", sandbox.release, name="sandbox_release"),
    path("sandbox/payment/merchant_webapi/api/transaction", sandbox.api, name="sandbox_api"),
]
