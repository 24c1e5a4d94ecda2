"""What buyers thought: reviews of products and stalls from real buyers, one-tap satisfaction."""

from django.db import models  # noqa: F401
