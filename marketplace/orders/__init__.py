"""What a stall does to its orders (confirm, ship, deliver, paid) and the pages where it does it.

It sits above payments (a "paid" goes through ``payments.services``) and is mounted in the seller
area's URL namespace by ``marketplace/urls.py``."""
