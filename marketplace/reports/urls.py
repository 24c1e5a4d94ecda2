from django.urls import path

from marketplace.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("xuat/<slug:key>.csv", views.export_csv, name="csv"),
    path("xuat/bao-cao.xlsx", views.export_xlsx, name="xlsx"),
    path("bao-cao-thang.pdf", views.monthly_pdf, name="pdf"),
]
