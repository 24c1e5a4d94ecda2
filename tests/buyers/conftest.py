import pytest

from tests.conftest import last_code

PHONE = "+84912345678"  # typed as 0912 345 678
OTHER_PHONE = "+84987654321"


@pytest.fixture
def sign_in(outbox, committed):
    """``sign_in(client, "0912 345 678")``: both steps of the phone sign-in, as a buyer takes them;
    returns the response to the code."""

    def run(client, typed: str = "0912 345 678", *, phone: str = PHONE, next_url: str | None = None):
        data = {"phone": typed, **({"next": next_url} if next_url is not None else {})}
        with committed():
            response = client.post("/khach/dang-nhap/", data)
        assert response.status_code == 302, response.content.decode()[:2000]
        return client.post("/khach/dang-nhap/ma/", {"code": last_code(outbox, phone)})

    return run
