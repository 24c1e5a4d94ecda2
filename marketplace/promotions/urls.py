"""Funded vouchers: the stall's own (in the seller area) and the commune's or province's (staff)."""

seller_urlpatterns = []
urlpatterns = []
