"""The complaints pages: ``urlpatterns`` are the public ones (namespace "complaints"),
``seller_urlpatterns`` are mounted in the seller area's namespace ("sellers") by marketplace/urls.py."""

app_name = "complaints"

urlpatterns = []
seller_urlpatterns = []
