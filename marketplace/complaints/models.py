"""Complaints after delivery and how they end: refund, replacement, decline, the commune's decision."""

from django.db import models  # noqa: F401
