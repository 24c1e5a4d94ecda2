"""The stripe-mock fixture lives in tests/conftest.py (the after-sale tests refund through it too)."""

from tests.conftest import STRIPE_MOCK_KEY, STRIPE_MOCK_URL, WEBHOOK_SECRET, stripe_mock_answers  # noqa: F401
