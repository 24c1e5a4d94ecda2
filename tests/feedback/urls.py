"""The site's URLs with Oscar's review pages answered by marketplace.feedback (as marketplace/urls.py
wires them)."""

from marketplace import urls
from marketplace.feedback.urls import oscar_review_urlpatterns

urlpatterns = [*oscar_review_urlpatterns, *urls.urlpatterns]
handler500 = urls.handler500
