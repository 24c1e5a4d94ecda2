"""The feedback pages: ``urlpatterns`` are the public ones (namespace "feedback"),
``seller_urlpatterns`` are mounted in the seller area's namespace ("sellers") by marketplace/urls.py."""

from django.urls import path, re_path

from marketplace.feedback import views

app_name = "feedback"

urlpatterns = [
    path("dong/<int:line_pk>/", views.review, name="review"),
    path("don/<str:number>/hai-long/", views.satisfaction, name="satisfaction"),
]
seller_urlpatterns = [
    path("gian-hang/<int:stall_pk>/danh-gia/", views.stall_review_list, name="reviews"),
    path(
        "gian-hang/<int:stall_pk>/danh-gia/<int:review_pk>/tra-loi/",
        views.stall_review_answer,
        name="review-answer",
    ),
    path("xa/danh-gia/", views.commune_review_list, name="commune-reviews"),
    path("xa/danh-gia/<int:review_pk>/an/", views.commune_review_hide, name="review-hide"),
]
# Oscar's own review pages (its catalogue.reviews app is still installed, under
# /shop/catalogue/<slug>_<pk>/reviews/): wired before Oscar's shop URLs by marketplace/urls.py.
oscar_review_urlpatterns = [
    re_path(r"^shop/catalogue/(?P<product_slug>[\w-]*)_(?P<product_pk>\d+)/reviews/", views.oscar_reviews),
]
