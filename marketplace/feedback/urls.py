"""The feedback pages: ``urlpatterns`` are the public ones (namespace "feedback"),
``seller_urlpatterns`` are mounted in the seller area's namespace ("sellers") by marketplace/urls.py."""

app_name = "feedback"

urlpatterns = []
seller_urlpatterns = []
