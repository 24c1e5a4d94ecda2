"""Order tracking without an account: limited per address and per order number, exactly, even in a
burst; people behind one carrier's network do not share a limit."""

import pytest
from django.test import Client

from tests.factories import burst

TRACK = "/shop/track/"


def lookup(address: str, number: str = "100001", **headers):
    return Client(REMOTE_ADDR=address, **headers).post(TRACK, {"number": number, "phone": "0912345678"})


@pytest.mark.django_db
def test_two_addresses_in_one_network_do_not_share_a_limit():
    for _ in range(10):
        lookup("113.160.1.2", number="100001")

    assert lookup("113.160.1.2", number="100002").status_code == 429
    assert lookup("113.160.77.8", number="100003").status_code == 404  # same /16, its own limit


@pytest.mark.django_db
def test_one_order_number_guessed_from_many_addresses_is_limited():
    answers = [lookup(f"14.{n}.0.1", number="100777").status_code for n in range(11)]

    assert answers[:10] == [404] * 10
    assert answers[10] == 429


@pytest.mark.django_db
def test_a_forwarded_for_header_is_ignored_without_a_trusted_proxy():
    for n in range(10):
        lookup("113.160.1.2", number=f"1001{n:02d}", HTTP_X_FORWARDED_FOR=f"1.2.3.{n}")

    assert lookup("113.160.1.2", number="100200", HTTP_X_FORWARDED_FOR="9.9.9.9").status_code == 429


@pytest.mark.django_db
def test_behind_a_trusted_proxy_each_client_is_counted_by_its_own_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(10):
        lookup("10.0.0.1", number=f"1003{n:02d}", HTTP_X_FORWARDED_FOR="113.160.1.2")

    blocked = lookup("10.0.0.1", number="100400", HTTP_X_FORWARDED_FOR="113.160.1.2")
    spoofed = lookup("10.0.0.1", number="100401", HTTP_X_FORWARDED_FOR="113.160.1.2, 113.160.1.3")
    other = lookup("10.0.0.1", number="100402", HTTP_X_FORWARDED_FOR="171.224.5.6")

    assert blocked.status_code == 429
    assert spoofed.status_code == 404  # the proxy saw .3: the client's own "113.160.1.2" is ignored
    assert other.status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_parallel_burst_gets_no_more_than_the_limit():
    answers = burst(lambda n: lookup("113.160.1.2", number=f"1005{n:02d}").status_code, 20)

    assert sorted(answers).count(404) == 10
    assert answers.count(429) == 10
