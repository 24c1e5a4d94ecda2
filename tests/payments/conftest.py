import json
import os
import urllib.request

import pytest

from tests.conftest import require_service

STRIPE_MOCK_URL = os.environ.get("STRIPE_MOCK_URL", "http://127.0.0.1:12111").rstrip("/")
STRIPE_MOCK_KEY = "sk_test_123"  # stripe-mock accepts any well-formed test-mode secret key
WEBHOOK_SECRET = "whsec_test_secret"


def stripe_mock_answers(url: str) -> bool:
    """True if a stripe-mock (or Stripe-compatible) server at ``url`` lists payment intents."""
    request = urllib.request.Request(
        f"{url}/v1/payment_intents?limit=1", headers={"Authorization": f"Bearer {STRIPE_MOCK_KEY}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            return json.load(response).get("object") == "list"
    except (OSError, ValueError):
        return False


@pytest.fixture
def stripe_mock(settings):
    """Point marketplace.payments.card at the local stripe-mock; yields its URL."""
    require_service(
        stripe_mock_answers(STRIPE_MOCK_URL),
        f"stripe-mock at {STRIPE_MOCK_URL} (services/stripe-mock/stripe-mock.sh start)",
    )
    settings.STRIPE_API_BASE = STRIPE_MOCK_URL
    settings.STRIPE_SECRET_KEY = STRIPE_MOCK_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    yield STRIPE_MOCK_URL
