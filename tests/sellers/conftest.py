import pytest

from sellers.models import Stall
from tests.factories import seller_with_stall


@pytest.fixture
def seller(client, make_storefront):
    """A logged-in seller's draft stall."""
    make_storefront()
    user, stall = seller_with_stall(status=Stall.Status.DRAFT)
    client.force_login(user)
    return stall
