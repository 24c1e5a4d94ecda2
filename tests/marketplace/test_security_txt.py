from datetime import datetime, timedelta

import pytest
from django.utils import timezone


@pytest.mark.django_db
def test_security_txt_says_where_to_report_a_problem(client, settings):
    settings.SECURITY_CONTACT = "mailto:bao-mat@example.vn"

    response = client.get("/.well-known/security.txt")

    fields = dict(line.split(": ", 1) for line in response.content.decode().splitlines())
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert fields["Contact"] == "mailto:bao-mat@example.vn"
    expires = datetime.fromisoformat(fields["Expires"])
    assert timezone.now() < expires < timezone.now() + timedelta(days=366)  # RFC 9116: under a year
