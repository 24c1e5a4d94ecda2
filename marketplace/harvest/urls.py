"""The stall's sale windows, in the seller area (the site puts them under /ban-hang/, namespace "sellers")."""

urlpatterns = []
