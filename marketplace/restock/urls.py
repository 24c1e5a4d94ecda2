"""The restock pages: ``urlpatterns`` are the public ones (namespace "restock"),
``seller_urlpatterns`` are mounted in the seller area's namespace ("sellers") by marketplace/urls.py."""

app_name = "restock"

urlpatterns = []
seller_urlpatterns = []
