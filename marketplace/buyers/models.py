"""Buyers who come back: sign in with a one-time code to the phone,
every order placed with that phone, buying again."""

from django.db import models  # noqa: F401
