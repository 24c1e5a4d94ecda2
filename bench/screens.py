"""Screenshots of every journey on a 360 px phone, in Vietnamese: docs/screens/NN-journey-step.png and
an index, docs/screens/README.md (one line per screenshot).

    .venv/bin/python bench/screens.py

(about 4 minutes; the first run, or one with --fresh after new migrations, adds 5 more) serves a fresh
copy of its own seeded database (ocop_screens, copied from ocop_screens_seeded on the project's
PostgreSQL in var/pgdata) as `make demo` does (`manage.py serve`: gunicorn and the task workers; logs,
with the text messages, in var/screens/log) on a free port, walks the journeys in Chromium at 360×640
and stops the server. Against a running `make demo` instead:

    .venv/bin/python bench/screens.py --base http://127.0.0.1:8000

(the sign-in code is then read from var/log/worker-messages.log, the stamp serial from the demo's
database: DATABASE_URL, or --database-url).

The journeys: a buyer (home, search, product, basket, checkout, VietQR, tracking), a household (sign-up
with the code from the text message, stall, product, sent to the commune), the commune (reviews and
approves that stall), the cooperative (desk, lot, stamp run, a stamp's trace page) and the figures of the
commune and the province (/bao-cao/), and the lychee season (#19: campaign page, pre-order with a
deposit, the cooperative's window and pick list, the helpers' guide and its print view). Each run signs up
a new household (a random phone number). A page wider than the screen is flagged in README.md; a journey
that cannot go on leaves a NN-journey-stopped.png of where it stopped and the others still run.
"""

import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg
from PIL import Image
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: the repository is not on the path

from marketplace import demo_data  # noqa: E402 (constants only: no Django needed)
from tests.servers import free_port, wait_for_port  # noqa: E402

# As the browser tests run Debian's Chromium (tests/e2e/conftest.py, which needs Django set up).
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = [
    "--lang=vi-VN",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
]
OUT = ROOT / "docs" / "screens"
WORK = ROOT / "var" / "screens"
SOCKET_DIR = ROOT / "var" / "pgdata"
OWN_DATABASE = "ocop_screens"  # a copy of SEEDED_DATABASE, made again on every run
SEEDED_DATABASE = "ocop_screens_seeded"
PHONE = {
    "viewport": {"width": 360, "height": 640},
    "device_scale_factor": 1,
    "is_mobile": True,
    "has_touch": True,
}
MAX_HEIGHT = 3000  # px: a longer page is cut there
BUYER_PHONE = "0912 345 678"


def database_url(name: str) -> str:
    return f"postgresql://postgres:@/{name}?host={SOCKET_DIR}"


SCROLL_THROUGH = """async (depth) => {
  const bottom = Math.min(document.documentElement.scrollHeight, depth);
  for (let y = 0; y < bottom; y += 400) {
    window.scrollTo(0, y);
    await new Promise((done) => setTimeout(done, 60));
  }
  window.scrollTo(0, 0);
  const waiting = [...document.images].filter(
    (img) => !img.complete && img.getBoundingClientRect().top + window.scrollY < depth);
  await Promise.all(waiting.map(
    (img) => new Promise((done) => { img.onload = img.onerror = done; setTimeout(done, 5000); })));
}"""


class Screens:
    """One journey's phone: its page, and the screenshots and problems of the whole run."""

    def __init__(self, page, base: str, shots: list[tuple[str, str]], problems: list[str]):
        self.page, self.base, self.shots, self.problems = page, base, shots, problems

    def go(self, path: str):
        response = self.page.goto(self.base + path)
        self.page.wait_for_load_state("networkidle")
        return response

    def shoot(self, journey: str, step: str, caption: str) -> None:
        number = len(self.shots) + 1
        name = f"{number:02d}-{journey}-{step}.png"
        page = self.page
        page.wait_for_load_state("networkidle")
        height = page.evaluate("document.documentElement.scrollHeight")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["viewport"]["width"]:
            self.problems.append(f"{name}: the page is {width} px wide (scrolls sideways)")
            caption += f" **Scrolls sideways: {width} px wide.**"
        page.evaluate(SCROLL_THROUGH, MAX_HEIGHT)  # lazy photos load only near the screen
        page.wait_for_load_state("networkidle")
        clip = {"x": 0, "y": 0, "width": PHONE["viewport"]["width"], "height": min(height, MAX_HEIGHT)}
        page.screenshot(path=OUT / name, full_page=True, clip=clip)
        # 128 colours without dithering: a third of the bytes, text as sharp
        image = Image.open(OUT / name).convert("RGB")
        image.quantize(colors=128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
            OUT / name, optimize=True
        )
        if height > MAX_HEIGHT:
            caption += f" (page {height} px long, cut at {MAX_HEIGHT} px)"
        self.shots.append((name, caption))
        print(f"{name}  {page.url}", flush=True)

    def click_submit(self, form_selector: str = "main form") -> None:
        with self.page.expect_navigation():
            self.page.locator(f"{form_selector} [type=submit]").last.click()
        self.page.wait_for_load_state("networkidle")


def sign_in(screens: Screens, account: dict) -> None:
    """A demo account (marketplace/demo_data.py) signs in with its e-mail and password."""
    page = screens.page
    screens.go("/shop/accounts/login/")
    page.locator("#id_login-username").fill(account["email"])
    page.locator("#id_login-password").fill(account["password"])
    with page.expect_navigation():
        page.locator("button[name=login_submit]").click()


def add_to_basket(screens: Screens, query: str, title_words: str, quantity: str, *, shoot: bool) -> None:
    page = screens.page
    screens.go(f"/search/?q={query.replace(' ', '+')}")
    if shoot:
        screens.shoot("buyer", "search", f"Search for “{query}” (typed without accents).")
    link = page.locator("main a:visible", has_text=title_words).first
    with page.expect_navigation():
        link.click()
    if shoot:
        screens.shoot("buyer", "product", f"The product page of “{title_words}”.")
    form = page.locator("form[action*='/basket/add/']").first
    form.locator("input[name=quantity]").fill(quantity)
    with page.expect_navigation():
        form.locator("[type=submit]").first.click()
    if shoot:
        screens.shoot("buyer", "added", f"After “Thêm vào giỏ” ({quantity}): the message and the page.")


def buyer(screens: Screens) -> None:
    page = screens.page
    screens.go("/")
    screens.shoot("buyer", "home", "The platform's home page, first thing a buyer sees.")
    add_to_basket(screens, "vai thieu", "Vải thiều Lục Ngạn", "2", shoot=True)
    add_to_basket(screens, "cam", "Cam Vinh", "1", shoot=False)  # a second stall: Cam bưởi cô Lan
    screens.go("/shop/basket/")
    screens.shoot("buyer", "basket", "The basket: two stalls, their delivery fees and the total.")
    screens.go("/shop/checkout/")
    screens.shoot("buyer", "checkout", "Checkout, empty: name, phone, address and how to pay each stall.")
    page.locator("input[name=name]").fill("Trần Thị Mai")
    page.locator("input[name=phone]").fill(BUYER_PHONE)
    province = page.locator("select[name=province]")
    if province.input_value() != "24":
        province.select_option("24")  # Bắc Ninh: the page's script fetches its communes, else a button
    luc_ngan = page.locator("select[name=commune] option[value='7582']")
    try:
        luc_ngan.wait_for(state="attached", timeout=5000)
    except PlaywrightTimeout:
        with page.expect_navigation():
            page.locator("[name=refresh]:visible").first.click()
    page.locator("select[name=commune]").select_option("7582")  # Xã Lục Ngạn
    page.locator("input[name=address]").fill("Thôn Kép 1")
    # the first stall that takes VietQR is paid by transfer, the others in cash
    radios = page.locator("input[type=radio][name^=pay_]")
    fields = sorted({radios.nth(i).get_attribute("name") for i in range(radios.count())})
    by_transfer = [f for f in fields if page.locator(f"input[name='{f}'][value=vietqr]").count()][:1]
    for field in fields:
        page.locator(f"input[name='{field}'][value={'vietqr' if field in by_transfer else 'cod'}]").check()
    screens.shoot("buyer", "checkout-filled", "Checkout filled in: VietQR for one stall, cash for the other.")
    with page.expect_navigation():
        page.get_by_role("button", name="Đặt hàng", exact=True).click()
    page.wait_for_load_state("networkidle")
    screens.shoot("buyer", "vietqr", "After ordering: the order code, the VietQR block and cash on delivery.")
    reference = page.url.rstrip("/").rsplit("/", 1)[-1]
    screens.go(f"/shop/track/?ma={reference}")
    number = page.locator("input[name=number]")
    if not number.input_value():
        number.fill(reference)
    page.locator("input[name=phone]").fill(BUYER_PHONE)
    with page.expect_navigation():
        page.locator("input[name=phone]").press("Enter")
    screens.shoot("buyer", "tracking", "Tracking with the order code and the phone: both stalls' orders.")


def latest_code(sms_log: Path, phone: str, after: float) -> str:
    """The 6-digit code of the latest text to this phone (+84...) in the messages worker's log."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        lines = [
            line
            for line in sms_log.read_text(encoding="utf-8", errors="replace").splitlines()
            if f"[SMS to {phone}]" in line
        ]
        codes = [re.search(r"\b(\d{6})\b", line) for line in lines]
        codes = [code.group(1) for code in codes if code]
        if codes and sms_log.stat().st_mtime >= after:
            return codes[-1]
        time.sleep(0.5)
    raise RuntimeError(f"no code for {phone} in {sms_log} (is the messages worker running?)")


def household(screens: Screens, sms_log: Path) -> str:
    page = screens.page
    number = f"09{random.randint(10_000_000, 99_999_999)}"  # noqa: S311 (a fresh household per run)
    international = "+84" + number[1:]
    screens.go("/")
    screens.go("/ban-hang/dang-ky/")
    screens.shoot("household", "signup", "A household signs up: phone number and name.")
    page.locator("input[name=phone]").fill(f"{number[:4]} {number[4:7]} {number[7:]}")
    if page.locator("input[name=name]").count():
        page.locator("input[name=name]").fill("Hoàng Văn Sơn")
    sent = time.time() - 1
    screens.click_submit()
    screens.shoot("household", "code", "The page asking for the 6-digit code from the text message.")
    page.locator("input[name=code]").fill(latest_code(sms_log, international, sent))
    screens.click_submit()
    if "/gian-hang/moi/" not in page.url:  # the code leads straight to the stall form
        screens.shoot("household", "signed-in", "Signed in: the seller area of someone without a stall yet.")
        screens.go("/ban-hang/gian-hang/moi/")
    screens.shoot("household", "stall-form", "Opening a stall: the empty form.")
    stall_name = f"Vườn vải nhà ông Sơn {number[-3:]}"
    page.locator("input[name=name]").fill(stall_name)
    commune = page.locator("select[name=commune]")
    if not commune.input_value():
        value = commune.locator("option", has_text="Lục Ngạn").first.get_attribute("value")
        commune.select_option(value)
    if page.locator("[name=village]").count():
        page.locator("[name=village]").fill("Thôn Kép 2")
    if page.locator("[name=story]").count():
        page.locator("[name=story]").fill("Ba đời trồng vải trên đồi Kép, bón phân chuồng.")
    screens.click_submit()
    screens.shoot("household", "stall-saved", "The stall's own page right after saving it (a draft).")
    stall_url = page.url
    stall_path = re.search(r"/ban-hang/gian-hang/\d+/", stall_url).group(0)
    screens.go(stall_path + "san-pham/moi/")
    screens.shoot("household", "product-form", "Adding a product: the empty form.")
    page.locator("input[name=title]").fill("Vải thiều nhà ông Sơn")
    page.locator("input[name=price]").fill("65k")
    page.locator("input[name=stock]").fill("50")
    category = page.locator("select[name=category]")
    if category.count() and not category.input_value():
        category.select_option(label=category.locator("option", has_text="Vải").first.inner_text().strip())
    with tempfile.TemporaryDirectory() as folder:
        photo = Path(folder) / "vai-thieu.jpg"
        Image.new("RGB", (1200, 900), "#c0392b").save(photo, "JPEG")
        page.locator("input[name=photo]").set_input_files(photo)
        screens.click_submit()
    screens.shoot("household", "product-saved", "After “Lưu sản phẩm” with the price typed as “65k”.")
    screens.go(stall_path)
    submit = page.locator("form[action*='gui-duyet'] [type=submit]")
    if submit.count():
        with page.expect_navigation():
            submit.first.click()
    screens.shoot("household", "submitted", "The stall sent to the commune (waiting for approval).")
    return stall_name


def commune(screens: Screens, stall_name: str) -> None:
    page = screens.page
    sign_in(screens, demo_data.COMMUNE_STAFF_USER)
    screens.go("/ban-hang/xa/")
    screens.shoot("commune", "review", f"The commune's review page with “{stall_name}” waiting.")
    card = page.locator("main article, main li, main section", has_text=stall_name).last
    verify = card.locator("form[action*='/verify/'] [type=submit]")
    if verify.count() == 0:
        verify = page.locator("form[action*='/verify/'] [type=submit]")
    with page.expect_navigation():
        verify.first.click()
    screens.shoot("commune", "approved", "After “Duyệt”: the message and the list.")


def cooperative(screens: Screens, db) -> None:
    page = screens.page
    sign_in(screens, demo_data.COOPERATIVE_MANAGER_USER)
    screens.go("/ban-hang/")
    screens.shoot("coop", "stall", "The cooperative's own stall page (its dashboard).")
    desk = page.locator("a[href*='/truy-xuat/']").first
    with page.expect_navigation():
        desk.click()
    screens.shoot("coop", "desk", "The traceability desk: plots, lots, stamp runs.")
    with page.expect_navigation():
        page.locator("a", has_text="LN2026-10C").first.click()
    screens.shoot("coop", "lot", "A lot's page (LN2026-10C) before ordering stamps.")
    page.locator("input[name$=count]").fill("24")  # the form's prefix: run-count
    screens.click_submit("main form:has(input[name$=count])")
    for _ in range(30):  # the stamps worker draws the sheet
        if "%" not in page.locator("main").inner_text() or page.locator("a[href*='/tai/pdf/']").count():
            break
        time.sleep(1)
        page.reload()
    screens.shoot("coop", "stamp-run", "After “Đặt in tem” (24): the stamp run and its sheet.")
    serial = db.execute(
        "SELECT s.serial FROM traceability_stamp s JOIN traceability_harvestlot l ON l.id = s.lot_id"
        " WHERE s.status = 'active' AND l.code = 'LN2026-06A' ORDER BY s.id LIMIT 1"
    ).fetchone()
    if serial:
        screens.go(f"/truy-xuat/tem/{serial[0]}/")
        screens.shoot("scan", "stamp", "A buyer scans a stamp of lot LN2026-06A: the trace page.")


def figures(screens: Screens) -> None:
    """The commune's and the province's figures (/bao-cao/), as their staff open them."""
    sign_in(screens, demo_data.COMMUNE_STAFF_USER)
    screens.go("/bao-cao/")
    screens.shoot("figures", "commune", "Xã Lục Ngạn's figures this month, as its commune staff see them.")
    screens.page.context.clear_cookies()
    sign_in(screens, demo_data.PROVINCE_STAFF_USER)
    screens.go("/bao-cao/")
    screens.shoot(
        "figures", "province", "Bắc Ninh's figures this month, by commune, as the province sees them."
    )


def season(screens: Screens, db) -> None:
    """Issue #19 on the Lục Ngạn commune site (lucngan.localhost): the lychee campaign page and its
    window card, a 5 kg pre-order checked out with the VietQR deposit, the cooperative's window and pick
    list (on screen and as printed), and the guide "Cách mở gian hàng trên điện thoại" with its print view."""
    page = screens.page
    host = next(s["hostname"] for s in demo_data.SITES if s["slug"] == demo_data.LYCHEE_CAMPAIGN["site"])
    site = re.sub(r"//[^:/]+", "//" + host, screens.base, count=1)  # *.localhost: Chromium's loopback
    campaign = f"{site}/{demo_data.LYCHEE_CAMPAIGN['slug']}/"
    page.goto(campaign)
    screens.shoot("season", "campaign", "The commune's campaign page “Mùa vải thiều Lục Ngạn 2027”.")
    card = page.locator(".sale-window").first
    card.scroll_into_view_if_needed()
    name = f"{len(screens.shots) + 1:02d}-season-window-card.png"
    card.screenshot(path=OUT / name)
    screens.shots.append((name, "The window's card: price per kg, harvest dates, deposit, what is left."))
    card.locator("input[name=quantity]").fill("5")
    with page.expect_navigation():
        card.locator("[type=submit]").click()
    page.locator("input[name=name]").fill("Nguyễn Thị Hoa")
    page.locator("input[name=phone]").fill("0987 654 321")
    if page.locator("select[name=province]").input_value() != "24":
        page.locator("select[name=province]").select_option("24")
    try:
        page.locator("select[name=commune] option[value='7582']").wait_for(state="attached", timeout=5000)
    except PlaywrightTimeout:
        with page.expect_navigation():
            page.locator("[name=refresh]:visible").first.click()
    page.locator("select[name=commune]").select_option("7582")
    page.locator("input[name=address]").fill("Thôn Kép 2")
    page.locator("input[type=radio][name^=pay_][value=vietqr]").first.check()
    screens.shoot(
        "season", "checkout", "Checkout of the pre-order: VietQR, the 30 % deposit now, the rest later."
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Đặt hàng", exact=True).click()
    screens.shoot("season", "deposit-qr", "After ordering: the QR asks for the deposit only.")

    page.context.clear_cookies()
    sign_in(screens, demo_data.COOPERATIVE_MANAGER_USER)
    stall = db.execute(
        "SELECT id FROM sellers_stall WHERE slug = %s", [demo_data.LYCHEE_WINDOW["stall"]]
    ).fetchone()[0]
    screens.go(f"/ban-hang/gian-hang/{stall}/mua-vu/")
    screens.shoot("season", "windows", "The cooperative's sale windows: state, how full, dates.")
    with page.expect_navigation():
        page.locator("main h2 a", has_text="Vải thiều").first.click()
    screens.shoot(
        "season", "window", "Its lychee window: the pre-orders, the buttons, the form to change it."
    )
    page.goto(page.url.split("?")[0].rstrip("/") + "/danh-sach-soan-hang/")
    screens.shoot(
        "season", "picklist", "The pick list by village or pickup point, what to collect on delivery."
    )
    page.emulate_media(media="print")
    screens.shoot("season", "picklist-print", "The pick list as printed (no header, menus or links).")
    page.emulate_media(media="screen")

    guide = f"{site}/{demo_data.SIGNUP_GUIDE['slug']}/"
    page.goto(guide)
    screens.shoot("season", "guide", "The helpers' guide “Cách mở gian hàng trên điện thoại”.")
    page.goto(guide + "in/")
    page.emulate_media(media="print")
    screens.shoot("season", "guide-print", "The guide's print view, as printed for a village meeting.")


def write_index(shots: list[tuple[str, str]]) -> None:
    lines = [
        "# Screens: every journey on a 360 px phone",
        "",
        "Made by `bench/screens.py` (run it again with `.venv/bin/python bench/screens.py`): Chromium at"
        " 360×640, in Vietnamese, on the demo data; full pages, cut at 3000 px.",
        "",
    ]
    lines += [f"- [{name}]({name}): {caption}" for name, caption in shots]
    (OUT / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def own_server(*, fresh: bool) -> tuple[str, subprocess.Popen, Path, str]:
    """Serves a fresh copy of the seeded ocop_screens_seeded (made first when missing, or with --fresh) as
    `make demo` does; returns (base, server process, its text-message log, database URL)."""
    log_dir = WORK / "log"
    shutil.rmtree(log_dir, ignore_errors=True)
    log_dir.mkdir(parents=True)
    setup_log = (log_dir / "setup.log").open("w")
    manage = [sys.executable, str(ROOT / "manage.py")]

    def env_for(name: str) -> dict:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "marketplace.settings.demo",
            "DATABASE_URL": database_url(name),
            "SEARCH_URL": "",  # PostgreSQL search: no OpenSearch needed
            "STATIC_ROOT": str(WORK / "static"),
            "MEDIA_ROOT": str(WORK / "media"),
            "PRIVATE_MEDIA_ROOT": str(WORK / "private-media"),
            "SELLERS_MESSAGE_BACKEND": "ground.messaging.ConsoleMessageBackend",
        }
        env.pop("CACHE_URL", None)
        return env

    def run(name: str, *commands: list[str]) -> None:
        for command in commands:
            print(f"manage.py {' '.join(command)} ({name})", flush=True)
            subprocess.run(  # noqa: S603 (our own command lines)
                [*manage, *command],
                env=env_for(name),
                cwd=ROOT,
                check=True,
                stdout=setup_log,
                stderr=setup_log,
            )

    admin = psycopg.connect(database_url("postgres"), autocommit=True)
    exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [SEEDED_DATABASE]).fetchone()
    if fresh or not exists:  # the migrations and the demo data once (minutes), kept as a template
        admin.execute(f"DROP DATABASE IF EXISTS {SEEDED_DATABASE} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {SEEDED_DATABASE}")
        run(SEEDED_DATABASE, ["migrate", "--no-input"], ["seed_demo"])
    # each run starts from the same data: no household, order or stamp run of an earlier run
    admin.execute(f"DROP DATABASE IF EXISTS {OWN_DATABASE} WITH (FORCE)")
    admin.execute(f"CREATE DATABASE {OWN_DATABASE} TEMPLATE {SEEDED_DATABASE}")
    admin.close()
    run(
        OWN_DATABASE,
        ["migrate", "--no-input"],
        ["seed_demo"],
        ["search_index", "--rebuild"],  # as `make demo`: the products in PostgreSQL's search table
        ["collectstatic", "--no-input", "-v0"],
    )
    setup_log.close()
    env = env_for(OWN_DATABASE)
    url = env["DATABASE_URL"]
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 (our own command line)
        [*manage, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "4"]
        + ["--log-dir", str(log_dir), "--run-dir", str(WORK / "run")],
        env=env,
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
    )
    wait_for_port(port, process=server)
    # The first visit makes the photos' thumbnails (a minute on two cores): before the journeys.
    urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=300).read()  # noqa: S310 (our own server)
    return f"http://127.0.0.1:{port}", server, log_dir / "worker-messages.log", url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", help="a running site (make demo: http://127.0.0.1:8000)")
    parser.add_argument("--sms-log", default=str(ROOT / "var" / "log" / "worker-messages.log"))
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", database_url("ocop")))
    parser.add_argument("--fresh", action="store_true", help="drop and seed ocop_screens again first")
    args = parser.parse_args()

    server = None
    if args.base:
        base, sms_log, url = args.base.rstrip("/"), Path(args.sms_log), args.database_url
    else:
        base, server, sms_log, url = own_server(fresh=args.fresh)
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.png"):
        old.unlink()
    shots: list[tuple[str, str]] = []
    problems: list[str] = []
    try:
        with sync_playwright() as playwright, psycopg.connect(url, autocommit=True) as db:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            stall_name = ""
            journeys = {
                "buyer": lambda screens: buyer(screens),
                "household": lambda screens: household(screens, sms_log),
                "commune": lambda screens: commune(screens, stall_name),
                "cooperative": lambda screens: cooperative(screens, db),
                "figures": lambda screens: figures(screens),
                "season": lambda screens: season(screens, db),
            }
            for journey, walk in journeys.items():
                context = browser.new_context(locale="vi-VN", **PHONE)
                context.set_default_timeout(60_000)
                screens = Screens(context.new_page(), base, shots, problems)
                try:
                    stall_name = walk(screens) or stall_name
                except Exception as error:  # noqa: BLE001 (the other journeys still run; the stop is shown)
                    problems.append(f"{journey} stopped at {screens.page.url}: {error}".splitlines()[0])
                    screens.shoot(
                        journey, "stopped", f"Where the {journey} journey stopped: {error}".splitlines()[0]
                    )
                context.close()
            browser.close()
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    write_index(shots)
    print(json.dumps({"screens": len(shots), "folder": str(OUT), "problems": problems}, ensure_ascii=False))


if __name__ == "__main__":
    main()
