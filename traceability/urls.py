"""The cooperative's traceability desk, mounted in the seller area's namespace ("sellers") by
marketplace/urls.py. The public trace pages (the GS1 Digital Link resolver) are routed there too."""

from django.urls import path

from traceability import desk_views as desk

urlpatterns = [
    path("gian-hang/<int:stall_pk>/truy-xuat/", desk.desk, name="trace-desk"),
    path("gian-hang/<int:stall_pk>/truy-xuat/lo/<int:lot_pk>/", desk.lot_detail, name="trace-lot"),
    path("gian-hang/<int:stall_pk>/truy-xuat/lo/<int:lot_pk>/thu-hoi/", desk.lot_recall, name="trace-recall"),
    path(
        "gian-hang/<int:stall_pk>/truy-xuat/tem/<int:run_pk>/<slug:action>/",
        desk.run_action,
        name="trace-run",
    ),
    path(
        "gian-hang/<int:stall_pk>/truy-xuat/tem/<int:run_pk>/tai/<slug:kind>/",
        desk.run_download,
        name="trace-download",
    ),
]
