"""Issue #17 as an attacker sees it (reviews, complaints, refunds, buyers' phone sign-in, restock,
OG/share): who else could reach each new URL, file and form, guess it or overflow it. The first four
tests proved holes the review found (each failed before its fix); the others are checks that held."""

import io
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from marketplace.complaints.models import Complaint
from marketplace.demo_orders import buy
from marketplace.feedback.models import Review, Satisfaction
from marketplace.payments.buyers import LINK_SALT, order_link
from marketplace.payments.models import Refund
from marketplace.payments.refunds import refundable
from sellers import roles
from sellers.models import PhoneAccount
from tests.conftest import last_code
from tests.factories import CommuneFactory, UserFactory, commune_member, make_product, seller_with_stall

pytestmark = pytest.mark.django_db

BUYER_PHONE = "+84912345678"  # typed 0912 345 678
STAFF_PHONE = "+84933333333"


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 60)).save(buffer, "JPEG")
    return buffer.getvalue()


def photo(name="anh.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg(), content_type="image/jpeg")


def open_link(client, payment):
    client.get(urlsplit(order_link(payment.checkout)).path)
    return client


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def farm(db):
    commune = CommuneFactory()
    seller, stall = seller_with_stall(commune=commune, partner__name="Vườn vải", phone="+84987654321")
    product = make_product(stall=stall, title="Vải thiều", price=50000)
    staff = commune_member(commune=commune, role=roles.COMMUNE_STAFF)
    return SimpleNamespace(commune=commune, seller=seller, stall=stall, product=product, staff=staff)


@pytest.fixture
def cod(farm):
    (payment,) = buy([(farm.product, 2)], name="Trần Thị Mai", phone="0912 345 678")
    return payment


@pytest.fixture
def buyer(client, cod):
    return open_link(client, cod)


@pytest.fixture
def strangers(farm):
    """A guest, another stall's seller, another commune's staff."""
    other_commune = CommuneFactory()
    other_seller, _stall = seller_with_stall(commune=other_commune, phone="+84977777777")
    other_staff = commune_member(commune=other_commune, role=roles.COMMUNE_STAFF)
    return {"guest": Client(), "other-stall": signed_in(other_seller), "other-staff": signed_in(other_staff)}


@pytest.fixture
def complaint_with_refund(farm, cod, buyer):
    """A complaint with a photo, answered by the stall with a cash refund and its proof photo."""
    data = {"lines": [line.pk for line in cod.order.lines.all()], "reason": "damaged", "words": "dập"}
    response = buyer.post(f"/khieu-nai/don/{cod.order.number}/", {**data, "photos": [photo()]})
    assert response.status_code == 302
    complaint = Complaint.objects.get(payment=cod)
    seller = signed_in(farm.seller)
    url = f"/ban-hang/gian-hang/{farm.stall.pk}/khieu-nai/{complaint.pk}/"
    response = seller.post(url, {"action": "refund", "amount": "50000", "proof": photo()})
    assert response.status_code == 302, response.content.decode()[:3000]
    refund = Refund.objects.get(payment=cod)
    return SimpleNamespace(complaint=complaint, refund=refund, photo=complaint.photos.get())


def phone_sign_in(
    client, outbox, committed, typed="0912 345 678", phone=BUYER_PHONE, next_url=None, base="/khach/"
):
    data = {"phone": typed, **({"next": next_url} if next_url is not None else {})}
    with committed():
        response = client.post(f"{base}dang-nhap/", data)
    assert response.status_code == 302
    return client.post(f"{base}dang-nhap/ma/", {"code": last_code(outbox, phone)})


# Holes the review found (each test failed before its fix) ----------------------------------------


@pytest.mark.parametrize("base", ["/khach/", "/ban-hang/"])  # new in #17; the seller login had it before
@pytest.mark.parametrize("role", ["commune_staff", "platform_admin"])
def test_a_phone_code_alone_never_opens_a_commune_staff_or_platform_admin_account(
    farm, outbox, committed, role, base
):
    """A commune staff member (or a platform_admin-group member) is not Django staff, yet whoever holds
    their SIM (or a code phished from them) must not be signed in with the code alone: they would decide
    complaints and refunds and hide reviews of the commune. Staff log in with the password first."""
    if role == "commune_staff":
        staff = commune_member(commune=farm.commune, role=roles.COMMUNE_STAFF)
    else:
        staff = UserFactory()
        staff.groups.add(roles.role_group(roles.PLATFORM_ADMIN))
    staff.set_password("a-strong-password-1")
    staff.save()
    PhoneAccount.objects.create(user=staff, phone=STAFF_PHONE, second_factor=True)
    client = Client()

    phone_sign_in(client, outbox, committed, typed="0933 333 333", phone=STAFF_PHONE, base=base)

    response = client.get("/ban-hang/xa/khieu-nai/")
    assert response.status_code != 200, "a phone code alone opened the staff's complaint desk"
    assert client.session.get("_auth_user_id") != str(staff.pk)


def test_a_stall_cannot_review_its_own_product(farm, client):
    """Reviews from real buyers only: the stall's owner buying from their own stall (cash on delivery, no
    money moves) and marking it delivered cannot rate their own product and stall."""
    (payment,) = buy([(farm.product, 1)], name="Chủ vườn", phone="0987 654 321", user=farm.seller)
    line = payment.order.lines.get()
    seller = signed_in(farm.seller)

    seller.post(f"/danh-gia/dong/{line.pk}/", {"stars": "5", "stall_stars": "5", "text": "Tuyệt vời"})

    assert not Review.objects.filter(line=line).exists(), "the stall reviewed its own product"


def test_the_restock_form_never_tells_a_stranger_that_a_phone_is_waiting(farm):
    """/bao-khi-co-hang/<pk>/ answers a phone someone else signed up exactly as a new one: nobody can probe
    which products a given phone waits for."""
    from marketplace.restock.services import restock_alert_create

    sold_out = make_product(stall=farm.stall, title="Mật ong", price=90000, stock=0)
    restock_alert_create(product=sold_out, phone=BUYER_PHONE, address="10.0.0.1")
    fresh = Client(REMOTE_ADDR="10.9.9.9").post(f"/bao-khi-co-hang/{sold_out.pk}/", {"phone": "0912 345 679"})
    probe = Client(REMOTE_ADDR="10.9.9.8").post(f"/bao-khi-co-hang/{sold_out.pk}/", {"phone": "0912 345 678"})

    fresh_text = [str(m) for m in fresh.wsgi_request._messages]
    probe_text = [str(m) for m in probe.wsgi_request._messages]
    assert fresh.status_code == probe.status_code
    assert len(fresh_text) == len(probe_text)
    assert "already" not in " ".join(probe_text).lower() and "đã đăng ký" not in " ".join(probe_text).lower()


# Checks that held --------------------------------------------------------------------------------------


def test_order_number_alone_acts_on_nothing(cod):
    """Knowing an order number (and a line pk) gives no review, satisfaction, complaint or buy-again."""
    stranger = Client()
    line = cod.order.lines.get()
    number = cod.order.number
    assert stranger.get(f"/danh-gia/dong/{line.pk}/").status_code == 404
    assert stranger.post(f"/danh-gia/dong/{line.pk}/", {"stars": 1, "stall_stars": 1}).status_code == 404
    assert stranger.post(f"/danh-gia/don/{number}/hai-long/", {"answer": "unhappy"}).status_code == 404
    assert stranger.get(f"/khieu-nai/don/{number}/").status_code == 404
    assert stranger.post(f"/khach/mua-lai/{number}/").status_code == 404
    assert stranger.get(f"/khach/don-hang/{cod.checkout.reference}/").status_code == 404
    assert not Review.objects.exists() and not Satisfaction.objects.exists()


def test_other_signed_in_buyer_gets_nothing(cod, outbox, committed):
    other = Client()
    phone_sign_in(other, outbox, committed, typed="0987 000 111", phone="+84987000111")
    assert other.get(f"/khach/don-hang/{cod.checkout.reference}/").status_code == 404
    assert other.post(f"/khach/mua-lai/{cod.order.number}/").status_code == 404
    assert cod.order.number.encode() not in other.get("/khach/don-hang/").content


def test_satisfaction_and_review_need_csrf(cod):
    client = Client(enforce_csrf_checks=True)
    open_link(client, cod)
    line = cod.order.lines.get()
    assert client.post(f"/danh-gia/don/{cod.order.number}/hai-long/", {"answer": "happy"}).status_code == 403
    assert client.post(f"/danh-gia/dong/{line.pk}/", {"stars": 5, "stall_stars": 5}).status_code == 403


@pytest.mark.parametrize(
    "token",
    ["x", "DH000001", "eyJhIjoxfQ:1abc:xyz", signing.dumps("DH000001", salt="other-salt")],
)
def test_forged_order_links_grant_nothing(cod, token):
    client = Client()
    response = client.get(f"/khach/mo/{token}/")
    assert response.status_code == 302 and response["Location"].endswith("/khach/dang-nhap/")
    assert client.get(f"/khach/don-hang/{cod.checkout.reference}/").status_code == 404


def test_order_link_signed_for_one_checkout_is_not_another(cod, farm):
    (other,) = buy([(farm.product, 1)], name="Lê Văn B", phone="0987 000 222")
    client = open_link(Client(), cod)
    assert client.get(f"/khach/don-hang/{other.checkout.reference}/").status_code == 404
    # the token is the reference signed with SECRET_KEY and its own salt: swapping it breaks the signature
    token = signing.dumps(cod.checkout.reference, salt=LINK_SALT, compress=True)
    _value, rest = token.split(":", 1)
    forged = signing.dumps(other.checkout.reference, salt=LINK_SALT, compress=True).split(":", 1)[0]
    assert Client().get(f"/khach/mo/{forged}:{rest}/")["Location"].endswith("/khach/dang-nhap/")


@pytest.mark.parametrize(
    "next_url", ["//evil.example/", "https://evil.example/", "/\\evil.example", "https:///evil.example"]
)
def test_sign_in_next_is_never_another_site(outbox, committed, next_url):
    response = phone_sign_in(Client(), outbox, committed, next_url=next_url)
    assert response.status_code == 302
    assert response["Location"] == "/khach/don-hang/"


def test_sign_in_cycles_the_session_key(outbox, committed):
    client = Client()
    client.get("/khach/dang-nhap/")
    with committed():
        client.post("/khach/dang-nhap/", {"phone": "0912 345 678"})
    before = client.session.session_key
    client.post("/khach/dang-nhap/ma/", {"code": last_code(outbox, BUYER_PHONE)})
    assert client.session.session_key != before


def test_complaint_photo_and_refund_proof_only_for_the_parties(farm, buyer, complaint_with_refund, strangers):
    photo_url = f"/khieu-nai/anh/{complaint_with_refund.photo.pk}/"
    proof_url = f"/khieu-nai/hoan-tien/{complaint_with_refund.refund.pk}/anh/"
    for who, client in strangers.items():
        assert client.get(photo_url).status_code == 404, who
        assert client.get(proof_url).status_code == 404, who
    for client in (buyer, signed_in(farm.seller), signed_in(farm.staff)):
        response = client.get(proof_url)
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-store"
    name = complaint_with_refund.refund.proof.name
    assert "/media/" not in complaint_with_refund.refund.proof.storage.location
    assert len(name.rsplit("/", 1)[-1]) >= 22  # random, not counted


def test_complaint_pages_and_confirm_refuse_strangers(farm, complaint_with_refund, strangers):
    complaint, refund = complaint_with_refund.complaint, complaint_with_refund.refund
    for who, client in strangers.items():
        assert client.get(f"/ban-hang/gian-hang/{farm.stall.pk}/khieu-nai/{complaint.pk}/").status_code in (
            302,
            404,
        ), who
        assert client.get(f"/ban-hang/xa/khieu-nai/{complaint.pk}/").status_code in (302, 403, 404), who
        assert client.post(f"/khieu-nai/hoan-tien/{refund.pk}/da-nhan/").status_code == 404, who
        assert client.post(f"/khieu-nai/{complaint.pk}/nho-xa/").status_code == 404, who
    refund.refresh_from_db()
    assert refund.status == Refund.Status.AWAITING_BUYER


@pytest.mark.parametrize(
    "amount", ["-50000", "0", "25000.5", "1e9", "99999999999999999999999", "left+1", "NaN", "x" * 5000]
)
def test_refund_amount_tampering(farm, cod, buyer, amount):
    data = {"lines": [line.pk for line in cod.order.lines.all()], "reason": "damaged", "words": "dập"}
    buyer.post(f"/khieu-nai/don/{cod.order.number}/", data)
    complaint = Complaint.objects.get(payment=cod)
    seller = signed_in(farm.seller)
    url = f"/ban-hang/gian-hang/{farm.stall.pk}/khieu-nai/{complaint.pk}/"
    if amount == "left+1":
        amount = str(refundable(cod) + 1)
    before = Refund.objects.count()
    response = seller.post(url, {"action": "refund", "amount": amount, "proof": photo()})
    assert response.status_code in (302, 400)
    assert Refund.objects.count() == before
    assert sum(r.amount for r in Refund.objects.filter(payment=cod)) <= cod.amount


def test_review_text_is_escaped_where_shown(farm, cod, buyer):
    line = cod.order.lines.get()
    payload = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'><b>"
    response = buyer.post(f"/danh-gia/dong/{line.pk}/", {"stars": 5, "stall_stars": 4, "text": payload})
    assert response.status_code == 302
    for url in (farm.product.get_absolute_url(), f"/ban-hang/gian-hang/{farm.stall.pk}/danh-gia/"):
        client = signed_in(farm.seller) if url.startswith("/ban-hang/") else Client()
        page = client.get(url).content.decode()
        assert "<script>alert(1)" not in page and "<img src=x" not in page, url


def test_og_tags_do_not_echo_the_query_string(farm):
    url = farm.product.get_absolute_url() + '?"><script>alert(1)</script>&utm=<svg/onload=x>'
    page = Client().get(url).content.decode()
    assert "<script>alert(1)" not in page and "<svg/onload" not in page
    assert 'property="og:url" content="http://testserver' + farm.product.get_absolute_url() + '"' in page


@pytest.mark.parametrize(
    "path",
    [
        "/danh-gia/don/{long}/hai-long/",
        "/khieu-nai/don/{long}/",
        "/khach/mua-lai/{long}/",
        "/khach/don-hang/{long}/",
        "/khach/mo/{long}/",
    ],
)
def test_over_long_path_parts_are_404_not_500(db, path):
    client = Client(raise_request_exception=False)
    url = path.format(long="9" * 6000)
    method = client.post if "hai-long" in path or "mua-lai" in path else client.get
    assert method(url).status_code in (302, 404)


def test_sign_in_says_the_same_for_known_and_unknown_numbers(cod, outbox, committed):
    known, unknown = Client(REMOTE_ADDR="10.1.1.1"), Client(REMOTE_ADDR="10.1.1.2")
    with committed():
        a = known.post("/khach/dang-nhap/", {"phone": "0912 345 678"})
        b = unknown.post("/khach/dang-nhap/", {"phone": "0912 000 001"})
    assert a.status_code == b.status_code == 302 and a["Location"] == b["Location"]


def test_code_brute_force_stops_after_five_tries(outbox, committed):
    client = Client()
    with committed():
        client.post("/khach/dang-nhap/", {"phone": "0912 345 678"})
    real = last_code(outbox, BUYER_PHONE)
    wrong = f"{(int(real) + 1) % 10**6:06d}"
    for _ in range(5):
        client.post("/khach/dang-nhap/ma/", {"code": wrong})
    client.post("/khach/dang-nhap/ma/", {"code": real})
    assert "_auth_user_id" not in client.session


def test_restock_burst_for_a_strangers_phone_stays_under_the_daily_cap(transactional_db, farm):
    """A parallel burst from many addresses signing one stranger's phone up for many sold-out products:
    at most PER_PHONE alerts (so at most that many texts a day)."""
    from marketplace.restock.models import RestockAlert
    from marketplace.restock.services import PER_PHONE

    products = [make_product(stall=farm.stall, title=f"Hết hàng {n}", stock=0) for n in range(10)]

    def sign_up(n):
        client = Client(REMOTE_ADDR=f"14.{n}.0.1")
        return client.post(f"/bao-khi-co-hang/{products[n].pk}/", {"phone": "0912 345 678"}).status_code

    from tests.factories import burst

    burst(sign_up, 10)
    assert RestockAlert.objects.filter(phone=BUYER_PHONE).count() <= PER_PHONE[0]


def _webhook(event: dict, secret: str | None):
    import json

    from marketplace.payments import card

    body = json.dumps(event).encode()
    headers = {"HTTP_STRIPE_SIGNATURE": card.signed_header(body, secret)} if secret else {}
    return Client().post("/shop/checkout/webhook/stripe/", body, content_type="application/json", **headers)


def test_charge_refunded_webhook_forgery_and_cross_payment_refund(farm, stripe_mock):
    from tests.conftest import WEBHOOK_SECRET

    (mine,) = buy([(farm.product, 2)], phone="0912 345 678", method="card")
    (other,) = buy([(farm.product, 1)], phone="0912 345 679", method="card")
    theirs = Refund.objects.create(payment=other, amount=10000, method="card", stripe_id="re_other")

    def event(event_id, payment, refunds):
        return {
            "id": event_id,
            "type": "charge.refunded",
            "data": {"object": {"payment_intent": payment.reference, "refunds": {"data": refunds}}},
        }

    forged = event("evt_forged", mine, [{"id": "re_x", "amount": mine.amount, "status": "succeeded"}])
    assert _webhook(forged, None).status_code >= 400
    assert _webhook(forged, "whsec_wrong").status_code >= 400
    mine.refresh_from_db()
    assert mine.refunded == 0
    # another payment's refund id inside this payment's event settles nothing
    cross = event("evt_cross", mine, [{"id": "re_other", "amount": 10000, "status": "succeeded"}])
    assert _webhook(cross, WEBHOOK_SECRET).status_code == 200
    theirs.refresh_from_db()
    mine.refresh_from_db()
    other.refresh_from_db()
    assert theirs.status != Refund.Status.SUCCEEDED and mine.refunded == 0 and other.refunded == 0


def test_a_refund_never_confirmed_does_not_shut_the_buyer_out_of_the_commune(farm, cod, buyer):
    """The stall answers a 100.000 đ complaint with a 'cash refund' of 1 đồng and any photo as 'proof'.
    The buyer, who never confirms it, can still ask the commune; the unconfirmed refund then stops
    holding its amount."""
    data = {"lines": [line.pk for line in cod.order.lines.all()], "reason": "damaged", "words": "dập"}
    buyer.post(f"/khieu-nai/don/{cod.order.number}/", data)
    complaint = Complaint.objects.get(payment=cod)
    seller = signed_in(farm.seller)
    url = f"/ban-hang/gian-hang/{farm.stall.pk}/khieu-nai/{complaint.pk}/"
    assert seller.post(url, {"action": "refund", "amount": "1", "proof": photo()}).status_code == 302
    assert Refund.objects.get(payment=cod).status == Refund.Status.AWAITING_BUYER  # never confirmed

    buyer.post(f"/khieu-nai/{complaint.pk}/nho-xa/", {"words": "Họ không hoàn tiền"})

    complaint.refresh_from_db()
    assert complaint.state == Complaint.State.ESCALATED, "the buyer cannot reach the commune any more"
    assert Refund.objects.get(payment=cod).status == Refund.Status.FAILED


def test_an_order_link_older_than_sixty_days_is_refused(cod, monkeypatch):
    import time

    from marketplace.payments.buyers import LINK_MAX_AGE

    real = time.time()
    monkeypatch.setattr("django.core.signing.time.time", lambda: real - LINK_MAX_AGE.total_seconds() - 60)
    old = urlsplit(order_link(cod.checkout)).path
    monkeypatch.undo()
    client = Client()
    assert client.get(old)["Location"].endswith("/khach/dang-nhap/")
    assert client.get(f"/khach/don-hang/{cod.checkout.reference}/").status_code == 404


def test_the_opened_order_page_leaks_no_token_or_reference_outward(cod):
    client = Client()
    token_path = urlsplit(order_link(cod.checkout)).path
    landing = client.get(token_path)
    assert landing.status_code == 302 and not landing.content  # no page, no OG, nothing to share
    page = client.get(landing["Location"]).content.decode()
    assert token_path not in page
    assert 'property="og:url"' not in page and 'rel="canonical"' not in page
    assert "sp.zalo.me" not in page  # no share button with the buyer's address


@pytest.mark.parametrize("next_url", ["//evil.example/", "https://evil.example/x", "/\\evil.example"])
def test_review_and_satisfaction_next_stays_on_this_site(cod, buyer, next_url):
    line = cod.order.lines.get()
    review = buyer.post(f"/danh-gia/dong/{line.pk}/", {"stars": 5, "stall_stars": 5, "next": next_url})
    happy = buyer.post(f"/danh-gia/don/{cod.order.number}/hai-long/", {"answer": "happy", "next": next_url})
    for response in (review, happy):
        assert response.status_code == 302
        assert "evil.example" not in response["Location"]


def test_review_form_refuses_a_fake_photo_and_too_many_photos(cod, buyer):
    line = cod.order.lines.get()
    html_as_jpeg = SimpleUploadedFile("x.jpg", b"<html><script>alert(1)</script>", content_type="image/jpeg")
    response = buyer.post(
        f"/danh-gia/dong/{line.pk}/", {"stars": 5, "stall_stars": 5, "photos": [html_as_jpeg]}
    )
    assert response.status_code == 400
    response = buyer.post(
        f"/danh-gia/dong/{line.pk}/", {"stars": 5, "stall_stars": 5, "photos": [photo() for _ in range(4)]}
    )
    assert response.status_code == 400
    assert not Review.objects.exists()
