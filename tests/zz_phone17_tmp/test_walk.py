import io, json, re
from pathlib import Path
from urllib.parse import urlsplit
import pytest
from django.conf import settings
from django.test import Client
from PIL import Image
from tests.e2e.conftest import PHONE, browser  # noqa: F401
from tests.conftest import last_code
from marketplace.demo_orders import buy
from marketplace.complaints.models import Complaint
from sellers import roles
from tests.factories import CommuneFactory, make_product, seller_with_stall, commune_member

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/phone17/shots"); SHOTS.mkdir(parents=True, exist_ok=True)
SIZE = {**PHONE, "viewport": {"width": 360, "height": 740}}
LOG = open("/tmp/phone17/log.txt", "w")
AUDIT = """() => {
 const sw = document.documentElement.scrollWidth - document.documentElement.clientWidth;
 const small = [];
 for (const el of document.querySelectorAll('a,button,input,select,textarea,summary,label')) {
   const r = el.getBoundingClientRect(); if (!r.width || !r.height) continue;
   const st = getComputedStyle(el); if (st.visibility==='hidden') continue;
   if (el.tagName==='INPUT' && ['hidden'].includes(el.type)) continue;
   if (r.height < 44 || (r.width < 44 && el.tagName!=='LABEL')) small.push(`${el.tagName}${el.type?'['+el.type+']':''} "${(el.innerText||el.value||el.name||el.getAttribute('aria-label')||'').trim().slice(0,40)}" ${Math.round(r.width)}x${Math.round(r.height)} @y${Math.round(r.top+scrollY)}`);
 }
 const fonts = [...document.querySelectorAll('main p, main li, main td, main small, main .help, main label')].map(e=>parseFloat(getComputedStyle(e).fontSize)).filter(x=>x<14);
 return {sideways: sw, small, tinyfonts: fonts.length, height: document.documentElement.scrollHeight};
}"""
N = [0]
def shot(page, name):
    N[0] += 1
    path = SHOTS / f"{N[0]:02d}-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    a = page.evaluate(AUDIT)
    LOG.write(f"\n==== {path.name} {page.url}\n{json.dumps(a, ensure_ascii=False, indent=0)}\n")
    LOG.write(page.locator("body").inner_text() + "\n"); LOG.flush()

def jpeg(path):
    b = io.BytesIO(); Image.new("RGB", (800, 600), (180, 50, 40)).save(b, "JPEG"); path.write_bytes(b.getvalue()); return str(path)

TAPS = {}
def tap(j, n=1): TAPS[j] = TAPS.get(j, 0) + n

def signed_in(browser, live_server, user, big=False):
    c = Client(); c.force_login(user)
    ctx = browser.new_context(locale="vi-VN", **SIZE)
    if big: ctx.add_init_script("document.addEventListener('DOMContentLoaded',()=>{document.documentElement.style.fontSize='125%'})")
    ctx.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": c.cookies[settings.SESSION_COOKIE_NAME].value,
                      "domain": urlsplit(live_server.url).hostname, "path": "/"}])
    return ctx, ctx.new_page()

def step(name, fn):
    try: fn()
    except Exception as e: LOG.write(f"\n!!!! STEP {name} FAILED: {e!r}\n"[:2000]); LOG.flush()

def test_walk(browser, live_server, make_storefront, outbox, tmp_path):
    base = live_server.url
    commune = CommuneFactory(code=7582, name="Xã Lục Ngạn", province_code=24, province_name="Bắc Ninh")
    make_storefront(communes=[commune])
    seller, stall = seller_with_stall(commune=commune, partner__name="Vườn vải bác Tư", phone="+84987654321")
    lychee = make_product(stall=stall, title="Vải thiều Lục Ngạn", price=65000, stock=40)
    pomelo = make_product(stall=stall, title="Bưởi da xanh", price=45000, stock=0)
    (p1,) = buy([(lychee, 2)], name="Trần Thị Mai", phone="0912 345 678")
    texts = [m.text for m in outbox if m.phone == "+84912345678"]
    LOG.write("TEXTS TO BUYER:\n" + "\n---\n".join(texts) + "\n"); LOG.flush()
    link = [re.search(r"https?://\S+/khach/mo/\S+", t).group(0) for t in texts if "/khach/mo/" in t][-1]

    # Journey 1
    ctx = browser.new_context(locale="vi-VN", **SIZE); page = ctx.new_page()
    def j1():
        page.goto(base + urlsplit(link).path); tap("1 review+stall+satisfaction")  # opens link
        shot(page, "j1-order-page-from-text")
        page.get_by_role("link", name=re.compile("Đánh giá Vải thiều")).click(); tap("1 review+stall+satisfaction")
        shot(page, "j1-review-form-empty")
        page.get_by_role("button", name="Gửi đánh giá").click()
        shot(page, "j1-review-form-errors")
        page.locator("label[for=id_stars-5]").click(); page.locator("label[for=id_stall_stars-4]").click(); tap("1 review+stall+satisfaction", 2)
        page.get_by_label("Kể cho người mua khác (không bắt buộc)").fill("Vải ngọt, quả to."); tap("1 review+stall+satisfaction")
        shot(page, "j1-review-form-filled")
        page.get_by_role("button", name="Gửi đánh giá").click(); tap("1 review+stall+satisfaction")
        shot(page, "j1-order-after-review")
        page.get_by_role("button", name="Rất hài lòng").click(); tap("1 review+stall+satisfaction")
        shot(page, "j1-order-after-satisfaction")
    step("j1", j1)

    # Journey 2
    def j2():
        page.goto(base + urlsplit(link).path)
        page.get_by_role("link", name="Khiếu nại / Báo lỗi đơn hàng").click(); tap("2 buyer complains")
        shot(page, "j2-complaint-form-empty")
        page.get_by_label("Hàng bị hỏng, dập").check(); tap("2 buyer complains")
        page.get_by_label("Kể cho gian hàng chuyện gì đã xảy ra").fill("Vải bị dập, chảy nước"); tap("2 buyer complains")
        page.get_by_label("Ảnh (tối đa 3 ảnh)").set_input_files(jpeg(tmp_path / "dap.jpg")); tap("2 buyer complains", 2)
        shot(page, "j2-complaint-form-filled")
        page.get_by_role("button", name="Gửi khiếu nại").click(); tap("2 buyer complains")
        shot(page, "j2-buyer-complaint-sent")
    step("j2-buyer", j2)
    LOG.write("TEXTS TO SELLER:\n" + "\n---\n".join(m.text for m in outbox if m.phone == "+84987654321") + "\n"); LOG.flush()

    def j2s():
        sctx, sp = signed_in(browser, live_server, seller, big=True)
        sp.goto(f"{base}/ban-hang/"); shot(sp, "j2-stall-dashboard-big")
        sp.goto(f"{base}/ban-hang/gian-hang/{stall.pk}/khieu-nai/"); tap("2 stall answers")
        shot(sp, "j2-stall-complaints-list-big")
        sp.get_by_role("link", name="Trả lời").first.click(); tap("2 stall answers")
        shot(sp, "j2-stall-answer-form-big")
        sp.get_by_role("button", name="Hoàn tiền", exact=True).click(); tap("2 stall answers")
        shot(sp, "j2-stall-answer-no-photo-error-big")
        sp.get_by_label("Ảnh biên lai chuyển khoản hoặc ảnh lúc trả tiền mặt").set_input_files(jpeg(tmp_path / "bl.jpg")); tap("2 stall answers", 2)
        sp.get_by_role("button", name="Hoàn tiền", exact=True).click(); tap("2 stall answers")
        shot(sp, "j2-stall-recorded-big")
        sp.goto(f"{base}/ban-hang/gian-hang/{stall.pk}/khieu-nai/"); shot(sp, "j2-stall-complaints-list-after-big")
        sp.goto(f"{base}/ban-hang/gian-hang/{stall.pk}/danh-gia/"); shot(sp, "j2-stall-reviews-big")
        sctx.close()
        # normal size too
        sctx, sp = signed_in(browser, live_server, seller)
        sp.goto(f"{base}/ban-hang/gian-hang/{stall.pk}/khieu-nai/"); shot(sp, "j2-stall-complaints-list-normal")
        sp.goto(f"{base}/ban-hang/gian-hang/{stall.pk}/danh-gia/"); shot(sp, "j2-stall-reviews-normal")
        sctx.close()
    step("j2-stall", j2s)

    def j2b():
        page.reload(); tap("2 buyer confirms")  # opens text link
        shot(page, "j2-buyer-to-confirm")
        page.get_by_role("button", name=re.compile("Tôi đã nhận")).click(); tap("2 buyer confirms")
        shot(page, "j2-buyer-confirmed")
    step("j2-confirm", j2b)
    LOG.write("ALL TEXTS:\n" + "\n---\n".join(f"{m.phone}: {m.text}" for m in outbox) + "\n"); LOG.flush()
    ctx.close()

    # Journey 3
    def j3():
        c = browser.new_context(locale="vi-VN", **SIZE); p = c.new_page()
        p.goto(base + "/"); tap("3 phone sign-in")
        shot(p, "j3-home")
        p.locator(".site-menu > summary").click(); tap("3 phone sign-in")
        shot(p, "j3-menu-open")
        links = p.locator(".site-menu a").all_inner_texts(); LOG.write(f"MENU LINKS: {links}\n")
        try:
            p.get_by_role("link", name="Đơn hàng của tôi").click(timeout=3000); tap("3 phone sign-in")
        except Exception:
            p.goto(base + "/khach/dang-nhap/"); LOG.write("no 'Đơn hàng của tôi' link for anonymous\n")
        shot(p, "j3-sign-in-phone")
        p.get_by_label("Số điện thoại di động").fill("0912 345 678"); tap("3 phone sign-in")
        p.get_by_role("button", name="Gửi mã cho tôi").click(); tap("3 phone sign-in")
        shot(p, "j3-sign-in-code")
        p.get_by_label("Mã 6 số trong tin nhắn").fill(last_code(outbox, "+84912345678")); tap("3 phone sign-in")
        p.get_by_role("button", name="Tiếp tục").click(); tap("3 phone sign-in")
        shot(p, "j3-after-sign-in")
        if "/khach/don-hang/" not in p.url:
            p.locator(".site-menu > summary").click(); p.get_by_role("link", name="Đơn hàng của tôi").click(); tap("3 phone sign-in", 2)
        shot(p, "j3-my-orders")
        p.get_by_role("link", name="Xem đơn hàng").first.click(); tap("3 phone sign-in")
        shot(p, "j3-order-page-signed-in")
        c.close()
    step("j3", j3)

    # Journey 4
    def j4():
        staff = commune_member(commune=commune, role=roles.COMMUNE_STAFF)
        c, p = signed_in(browser, live_server, staff)
        p.goto(base + "/ban-hang/"); shot(p, "j4-staff-home")
        p.goto(base + "/ban-hang/xa/khieu-nai/"); shot(p, "j4-staff-complaints")
        p.goto(base + "/ban-hang/xa/danh-gia/"); shot(p, "j4-staff-reviews")
        c.close()
    step("j4", j4)

    # Journey 5
    def j5():
        c = browser.new_context(locale="vi-VN", **SIZE); p = c.new_page()
        p.goto(base + pomelo.get_absolute_url()); shot(p, "j5-sold-out")
        LOG.write("OG: " + p.locator("head").inner_html()[:0] + str(p.eval_on_selector_all("meta[property^='og:']", "els=>els.map(e=>e.getAttribute('property')+'='+e.content)")) + "\n")
        p.get_by_label(re.compile("Số điện thoại")).first.fill("0912 345 678")
        p.get_by_role("button", name=re.compile("Báo cho tôi")).click()
        shot(p, "j5-sold-out-thanks")
        p.goto(base + lychee.get_absolute_url()); shot(p, "j5-in-stock-with-review")
        c.close()
        c = browser.new_context(locale="vi-VN", **SIZE)
        c.add_init_script("delete Navigator.prototype.share; delete Navigator.prototype.canShare;")
        p = c.new_page(); p.goto(base + pomelo.get_absolute_url()); shot(p, "j5-sold-out-no-share-sheet")
        c.close()
    step("j5", j5)
    LOG.write(f"\nTAPS {TAPS}\n"); LOG.close()
