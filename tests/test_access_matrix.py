"""An access matrix that grows by itself (issue 12, item 9).

The matrix is generated from the URL configuration: ``url_routes()`` walks ``get_resolver()``
recursively and yields every pattern with its full route, its namespaced name, its view and its
arguments. Two areas are called:

- the seller area (every pattern under ``/ban-hang/``, namespace ``sellers``): each URL's arguments are
  filled from the targets (stall A and what it owns) by ``FILLERS``; a URL that is neither public on
  purpose (``PUBLIC``) nor fillable fails ``test_every_seller_url_has_an_access_rule``, so a new URL
  without a rule fails the matrix;
- the staff dashboards (Oscar's ``/shop/dashboard/``, Wagtail's ``/cms/``, Django admin's
  ``/django-admin/``): their named pages without an argument, every one of Oscar's dashboard and one
  per app of the two others (``STAFF_DASHBOARDS``), except those public on purpose (``DASHBOARD_PUBLIC``);
- the reports (every pattern under ``/bao-cao/``): stall A's commune staff, its province's staff and
  platform admins reach them; other communes' and provinces' staff reach their own figures, which must
  not show stall A, and are refused stall A's commune or province asked for by ``?xa=`` / ``?tinh=``.

Every URL is called with GET and POST as each role that must not reach it (``RULES`` says who may),
and as a guest. The answer must be 403, 404, 405 or a redirect to a login page, must not show stall
A's records (``World.markers``), and must not write to the database: the transaction's own
statistics (the counters behind ``pg_stat_xact_user_tables``) say which tables a request wrote to,
even in a savepoint rolled back. Roles that reach a page for their own account (the dashboard, the
queue of another commune...) must neither see nor change stall A. The rightful user of each URL
(stall A's manager, its commune staff, a helper of its commune, a platform admin for the dashboards'
index pages) reaches it, which proves the URLs and the fillers are real.

The targets are built once for the module; each request runs in a savepoint that is rolled back, so
every request sees the same targets. A failure lists every wrong answer, one line each:
``GET /ban-hang/gian-hang/5/san-pham/ as the seller of another stall of the same commune -> 200``.
"""

import dataclasses
import datetime
import itertools
import sys
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import pytest
from django.core.files.storage import storages
from django.db import connection, transaction
from django.test import Client, TestCase
from django.urls import NoReverseMatch, URLResolver, get_resolver, reverse

pytestmark = pytest.mark.django_db

SELLER_AREA = "ban-hang/"
# The staff dashboards, and which of their pages without an argument are called: every one, or one
# per app (the first page under each first path segment: the index, an app's or a model's list page).
STAFF_DASHBOARDS = {"shop/dashboard/": "every page", "cms/": "one per app", "django-admin/": "one per app"}
LOGIN_PAGES = (
    "/ban-hang/dang-nhap/",
    "/shop/accounts/login/",
    "/shop/dashboard/login/",  # Oscar's dashboard sends a guest to its own login page
    "/cms/login/",
    "/django-admin/login/",
)
REFUSED = {403, 404, 405}
REDIRECTS = {301, 302, 303, 307, 308}
METHODS = ("GET", "POST")

# Who is who. Stall A (a verified cooperative) and stall B sit in commune X; the others elsewhere.
ROLES = {
    "guest": "a guest",
    "buyer": "a buyer who bought from stall A",
    "other_seller": "the seller of another stall of the same commune",
    "other_manager": "the manager of another cooperative",
    "other_staff": "commune staff of another commune",
    "helper_elsewhere": "a digital helper of another commune",
    "helper_no_consent": "a digital helper of stall A's commune without its consent",
    "owner": "stall A's own manager",
    "commune_staff": "stall A's commune staff",
    "province_staff": "the staff of stall A's province",
    "province_elsewhere": "the staff of another province",
}
SIGNED_IN = frozenset(ROLES) - {"guest"}
# Nobody here is staff. The dashboards know groups and permissions, not stalls or communes: they are
# called as one account of each role group (and a guest); the others differ only by their stall or
# commune (stall A's manager, its commune's staff, the helper of its commune).
OUTSIDERS = frozenset(
    {
        "guest",
        "buyer",
        "other_seller",
        "other_manager",
        "other_staff",
        "helper_elsewhere",
        "province_elsewhere",
    }
)


@dataclasses.dataclass(frozen=True)
class Rule:
    """``rightful``: may reach the URL and see stall A (the first one is asked for the positive case);
    ``own``: reach the URL for their own account, but must neither see nor change stall A, and write
    to no table but ``own_writes``. Every other role must be refused."""

    rightful: tuple[str, ...] = ("owner",)
    own: frozenset = frozenset()
    own_writes: frozenset = frozenset()


OWN_ACCOUNT_PAGES = Rule(rightful=("owner",), own=SIGNED_IN - {"owner"})

# URLs of the seller area whose reach is not "stall A's manager only".
RULES = {
    "sellers:dashboard": OWN_ACCOUNT_PAGES,  # each account's own stalls
    "sellers:stall-create": OWN_ACCOUNT_PAGES,  # anyone signed in may start a stall of their own
    "sellers:second-factor": OWN_ACCOUNT_PAGES,  # the code step of one's own login
    # One's own setting: a POST saves it on one's own phone account.
    "sellers:second-factor-settings": dataclasses.replace(
        OWN_ACCOUNT_PAGES, own_writes=frozenset({"sellers_phoneaccount"})
    ),
    # Without a household waiting, it sends the helper back to the start (anyone signed in: redirected).
    "sellers:assist-confirm": Rule(rightful=("helper_no_consent",), own=SIGNED_IN - {"helper_no_consent"}),
    "sellers:assist": Rule(rightful=("helper_no_consent",), own=frozenset({"helper_elsewhere"})),
    "sellers:review": Rule(rightful=("commune_staff",), own=frozenset({"other_staff"})),
    "sellers:review-decide": Rule(rightful=("commune_staff",)),
    "sellers:commune-reviews": Rule(rightful=("commune_staff",), own=frozenset({"other_staff"})),
    "sellers:review-hide": Rule(rightful=("commune_staff",)),
    "sellers:commune-complaints": Rule(rightful=("commune_staff",), own=frozenset({"other_staff"})),
    "sellers:commune-complaint": Rule(rightful=("commune_staff",)),
}
DASHBOARD_RULE = Rule(rightful=("platform_admin",))
REPORTS_AREA = "bao-cao/"
# The figures of one's own commune or province: stall A's people see it in theirs, others their own.
REPORTS_RULE = Rule(
    rightful=("commune_staff", "province_staff", "platform_admin"),
    own=frozenset({"other_staff", "province_elsewhere"}),
)
# The same pages asking for stall A's commune (?xa=) or its whole province (?tinh=) by its code: the
# commune's staff see one commune of that province, never the province's figures.
REPORTS_COMMUNE_RULE = Rule(rightful=("commune_staff", "province_staff", "platform_admin"))
REPORTS_PROVINCE_RULE = Rule(rightful=("province_staff", "platform_admin"))

# Seller-area URLs open to anyone on purpose: the phone sign-up and log-in, in two steps each.
PUBLIC = {"sellers:login", "sellers:login-code", "sellers:signup", "sellers:signup-code"}

# Dashboard URLs open to anyone on purpose (logging in, out, resetting a password, translations).
# Log-out pages are not called: they would end the role's session in the middle of the matrix.
DASHBOARD_PUBLIC = {
    "admin:login",
    "admin:logout",
    "dashboard:login",
    "dashboard:logout",
    "wagtailadmin_login",
    "wagtailadmin_logout",
    "wagtailadmin_password_reset",
    "wagtailadmin_password_reset_done",
    "wagtailadmin_password_reset_complete",
    "wagtailadmin_javascript_catalog",
    "admin:javascript-catalog",  # django-treebeard's translations for the category tree
    "wagtailadmin_sprite",  # Wagtail's icons
}
DASHBOARD_INDEX_PAGES = {"dashboard:index", "wagtailadmin_home", "admin:index"}


def _order_actions(world):
    from marketplace.orders.views import ACTION_MESSAGES

    return list(ACTION_MESSAGES)


# Values for URL arguments, from the targets: by argument name, or by (URL name, argument) where the
# same name means different things. Slugs are the ones the views accept.
FILLERS: dict[str | tuple[str, str], Callable] = {
    "stall_pk": lambda w: [w.stall.pk],
    "product_pk": lambda w: [w.product.pk],
    "order_pk": lambda w: [w.order.pk],
    "lot_pk": lambda w: [w.lot.pk],
    "run_pk": lambda w: [w.run.pk],
    "review_pk": lambda w: [w.review.pk],
    "window_pk": lambda w: [w.window.pk],
    "refund_pk": lambda w: [w.window_refund.pk],
    ("sellers:window-card-retry", "window_pk"): lambda w: [w.cancelled_window.pk],
    ("sellers:complaint", "pk"): lambda w: [w.complaint.pk],
    ("sellers:commune-complaint", "pk"): lambda w: [w.complaint.pk],
    "kind": lambda w: ["pdf", "csv"],  # traceability.desk_views.run_download
    "decision": lambda w: ["verify", "reject"],  # sellers.views.commune.review_decide
    ("sellers:order-action", "action"): _order_actions,
    ("sellers:trace-run", "action"): lambda w: ["activate", "void", "retry"],  # desk_views.run_action
    # A photo kept for another session after a form error (sellers.pending_photos): every role refused.
    ("sellers:pending-photo", "key"): lambda w: ["kept-for-another-session"],
    ("reports:csv", "key"): lambda w: ["orders-by-place", "stalls", "recalls"],  # tables naming stalls
}
# URLs only the browser session that made them can reach; that session's own reach is tested with the
# feature (tests/sellers/test_phone_stall.py), not here.
SESSION_BOUND = {"sellers:pending-photo"}
# Arguments naming one of stall A's records: a role with a stall of its own also tries them through
# its own stall's URLs.
RECORD_ARGUMENTS = {"product_pk", "order_pk", "lot_pk", "run_pk", "review_pk", "window_pk"}

# What a POST carries: a valid form where there is one, so a hole shows as a change.
POST_DATA: dict[str, Callable] = {
    "sellers:review-answer": lambda w: {"answer": "chiếm"},
    "sellers:review-hide": lambda w: {"reason": "chiếm"},
    "sellers:complaint": lambda w: {"action": "decline", "words": "chiếm"},
    "sellers:commune-complaint": lambda w: {"action": "close", "words": "chiếm"},
    "sellers:stall-edit": lambda w: {
        "name": "Gian hàng bị chiếm",
        "kind": "household",
        "commune": w.commune.pk,
        "village": "Thôn Chiếm",
        "story": "",
        "bank_bin": "",
        "bank_account_number": "",
        "bank_account_name": "",
    },
    "sellers:product-create": lambda w: {"title": "Hàng chiếm", "price": "1000", "unit": "kg", "stock": "1"},
    "sellers:product-edit": lambda w: {"title": "Hàng chiếm", "price": "1000", "unit": "kg", "stock": "1"},
    "sellers:trace-desk": lambda w: {
        "lot-submit": "1",
        "lot-product": w.product.pk,
        "lot-code": "CHIEM-1",
        "lot-harvest_date": "2026-06-01",
        "lot-quantity": "1",
        "lot-unit": "kg",
    },
    "sellers:trace-lot": lambda w: {"run-count": "1", "run-layout": "a4-3x8"},
    "sellers:trace-recall": lambda w: {"reason": "chiếm"},
    "sellers:trace-run": lambda w: {"first": "1", "last": "2", "reason": "chiếm"},
    "sellers:review-decide": lambda w: {"reason": "chiếm"},
    "sellers:payout-confirm": lambda w: {"resend": "1"},
    "sellers:window-cancel": lambda w: {"reason": "chiếm"},
    "sellers:window": lambda w: {"capacity": "1"},  # an invalid form: a hole would still show as a 200
    "sellers:window-refund": lambda w: {"method": "transfer"},
    "sellers:vouchers": lambda w: {
        "code": "CHIEM10",
        "funder": "stall",
        "discount": "percent",
        "value": "10",
        "starts_on": "2026-11-01",
        "ends_on": "2027-12-31",
    },
    "sellers:assist": lambda w: {
        "household_phone": "0912000111",
        "household_name": "Hộ chiếm",
        "stall_name": "Gian chiếm",
        "commune": w.commune.pk,  # stall A's commune
    },
}

# Written by any request (the session, login throttling): not a change of the marketplace's state.
BOOKKEEPING_TABLES = {"django_session", "axes_accessattempt", "axes_accesslog", "axes_accessfailurelog"}


# The URL configuration, walked.


@dataclasses.dataclass(frozen=True)
class Route:
    route: str  # the full route as written: "ban-hang/gian-hang/<int:stall_pk>/"
    name: str | None  # with its namespaces: "sellers:stall"
    view: str
    arguments: tuple[str, ...]  # named arguments
    groups: int  # every capturing group, named or not


def url_routes(patterns=None, prefix="", namespace="", arguments=(), groups=0) -> Iterator[Route]:
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        regex = pattern.pattern.regex
        route = prefix + str(pattern.pattern)
        names = arguments + tuple(regex.groupindex)
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from url_routes(pattern.url_patterns, route, inner, names, groups + regex.groups)
        else:
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            yield Route(route, name, pattern.lookup_str, names, groups + regex.groups)


# The targets and the roles, built once for the module.


@dataclasses.dataclass
class World:
    commune: object
    stall: object
    product: object
    order: object
    lot: object
    run: object
    certification: object
    review: object
    complaint: object
    users: dict  # role -> user (None for the guest)
    own_stalls: dict  # role -> its own stall, for the other stalls' people
    markers: dict  # what only stall A's people may read -> where it comes from
    window: object  # stall A's sale window (marketplace/harvest)
    window_refund: object  # what that window would owe one of stall A's buyers
    cancelled_window: object  # a cancelled one (its card refunds can be tried again)


def _storefront(communes) -> None:
    from django.conf import settings
    from wagtail.models import Locale, Page, Site

    from ground.models import HomePage

    locale, _ = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    root = Page.get_first_root_node() or Page.add_root(title="Root", slug="root", locale=locale)
    home = HomePage(title="Chợ OCOP ma trận", slug="home-access-matrix")
    root.add_child(instance=home)
    home.communes.set(communes)
    home.save()
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "testserver", "port": 80, "root_page": home, "site_name": "Ma trận"},
    )


def _build_world() -> World:
    from oscar.core.loading import get_model

    from marketplace.demo_orders import buy
    from marketplace.feedback.services import review_create
    from marketplace.harvest.models import WindowRefund
    from sellers import roles
    from sellers.models import HelperConsent, OneTimeCode, Stall
    from tests.complaints.matrix import stall_a_complaint
    from tests.factories import (
        CommuneFactory,
        UserFactory,
        commune_member,
        make_lot,
        make_product,
        make_window,
        place_order,
        province_member,
        seller_with_stall,
    )
    from traceability import services
    from traceability.models import Certification, StampRun

    commune_x = CommuneFactory(name="Xã Ma Trận X")
    commune_y = CommuneFactory(name="Xã Ma Trận Y", province_code=26, province_name="Thái Nguyên")
    _storefront([commune_x])
    manager = roles.role_group(roles.COOPERATIVE_MANAGER)

    owner, stall = seller_with_stall(
        commune=commune_x, kind=Stall.Kind.COOPERATIVE, partner__name="HTX Chè Mật Mã Tân Cương"
    )
    owner.groups.add(manager)
    product = make_product(stall=stall, title="Chè búp Mật Mã đặc biệt", price=180000)
    # A delivered order of stall A, reviewed by its buyer (the review's pages are stall A's).
    (reviewed,) = buy([(product, 1)], name="Người Mua Ma Trận", phone="0912 999 001")
    review = review_create(line=reviewed.order.lines.get(), stars=2, stall_stars=2, text="Chè hơi nhạt")
    order = place_order((product, 2), number="MATRAN-A-0001")
    lot = make_lot(stall=stall, product=product, code="MATRAN-A-LO1")
    with TestCase.captureOnCommitCallbacks(execute=True):
        run = services.stamp_run_create(lot=lot, count=3, actor=owner)
    run.refresh_from_db()
    assert run.status == StampRun.Status.READY and run.pdf, "the stamp sheet was not rendered"
    window = make_window(stall=stall, product=product)
    certification = Certification.objects.create(
        holder=stall,
        product=product,
        kind=Certification.Kind.VIETGAP,
        number="VG-MATRAN-A-77",
        issuer="Sở Nông nghiệp",
        valid_from=datetime.date(2026, 1, 1),
    )

    buyer = UserFactory(username="nguoi-mua-ma-tran")
    buyer.groups.add(roles.role_group(roles.BUYER))
    order.user = buyer
    order.save(update_fields=["user"])
    other_seller, stall_b = seller_with_stall(commune=commune_x, partner__name="Vườn nhà bác B")
    other_manager, stall_c = seller_with_stall(
        commune=commune_x, kind=Stall.Kind.COOPERATIVE, partner__name="HTX Khác C"
    )
    other_manager.groups.add(manager)
    helper_no_consent = commune_member(commune=commune_x, role=roles.DIGITAL_HELPER)
    # That helper does help another household of the commune (stall D), with its consent.
    household_d, stall_d = seller_with_stall(commune=commune_x, partner__name="Vườn nhà bác D")
    code = OneTimeCode.objects.create(
        phone=household_d.phone_account.phone,
        purpose=OneTimeCode.Purpose.CONSENT,
        code_hash="0" * 64,
        expires_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
    )
    HelperConsent.objects.create(
        stall=stall_d, helper=helper_no_consent, household=household_d, confirmed_with=code
    )
    users = {
        "guest": None,
        "buyer": buyer,
        "other_seller": other_seller,
        "other_manager": other_manager,
        "other_staff": commune_member(commune=commune_y, role=roles.COMMUNE_STAFF),
        "helper_elsewhere": commune_member(commune=commune_y, role=roles.DIGITAL_HELPER),
        "helper_no_consent": helper_no_consent,
        "owner": owner,
        "commune_staff": commune_member(commune=commune_x, role=roles.COMMUNE_STAFF),
        "province_staff": province_member(province_code=commune_x.province_code),
        "province_elsewhere": province_member(province_code=commune_y.province_code),
        "platform_admin": UserFactory(username="quan-tri-ma-tran", staff=True),
    }
    # Each account's open basket exists already: the basket in a page's header makes none.
    Basket = get_model("basket", "Basket")
    for user in users.values():
        if user is not None:
            Basket.open.get_or_create(owner=user)
    serial = run.stamps.order_by("pk").values_list("serial", flat=True).first()
    markers = {
        stall.name: "stall A's name",
        product.title: "stall A's product",
        order.number: "stall A's order number",
        lot.code: "stall A's lot code",
        certification.number: "stall A's certificate number",
        serial: "a stamp serial of stall A",
    }
    return World(
        commune=commune_x,
        stall=stall,
        product=product,
        order=order,
        lot=lot,
        run=run,
        certification=certification,
        review=review,
        complaint=stall_a_complaint(order=order, stall=stall),
        users=users,
        own_stalls={"other_seller": stall_b, "other_manager": stall_c},
        markers=markers,
        window=window,
        window_refund=WindowRefund.objects.create(window=window, payment=reviewed, amount=1000),
        cancelled_window=make_window(stall=stall, product=product, state="cancelled", cancel_reason="Mưa"),
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The targets, in a transaction around the whole module (each test runs in a savepoint of it)."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = _build_world()
        except BaseException:
            outer.__exit__(*sys.exc_info())
            raise
    yield built
    with django_db_blocker.unblock():
        storages["private"].delete(built.run.pdf.name)
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


# The plan: which URL is called, by whom, with what.


@dataclasses.dataclass(frozen=True)
class Case:
    url: str
    name: str
    route: str
    rule: Rule
    data: dict
    callers: frozenset = frozenset(ROLES)
    variant: bool = False  # the URL through a role's own stall, with one of stall A's records in it

    def refused_roles(self) -> list[str]:
        return [
            role
            for role in ROLES
            if role in self.callers and role not in self.rule.rightful and role not in self.rule.own
        ]


@dataclasses.dataclass
class Plan:
    seller_cases: list[Case]
    dashboard_cases: list[Case]
    missing_rules: list[str]
    public: list[str]
    left_out: int  # dashboard patterns with an argument, or not sampled

    @property
    def cases(self) -> list[Case]:
        return self.seller_cases + self.dashboard_cases


def _values(route: Route, argument: str, world: World):
    filler = FILLERS.get((route.name, argument)) or FILLERS.get(argument)
    return filler(world) if filler else None


def _seller_cases(route: Route, world: World) -> tuple[list[Case], str | None]:
    if route.name is None or not route.name.startswith("sellers:"):
        return [], f"add an access rule for /{route.route}: it has no name in the 'sellers' namespace"
    if route.groups != len(route.arguments):
        return [], f"add an access rule for /{route.route} ({route.name}): it has unnamed arguments"
    values = {}
    for argument in route.arguments:
        values[argument] = _values(route, argument, world)
        if not values[argument]:
            return [], (
                f"add an access rule for /{route.route} ({route.name}): "
                f"no filler for its argument '{argument}' in FILLERS"
            )
    rule = RULES.get(route.name, Rule())
    data = POST_DATA.get(route.name, lambda w: {})(world)
    cases = []
    for combination in itertools.product(*(values[argument] for argument in route.arguments)):
        kwargs = dict(zip(route.arguments, combination, strict=True))
        try:
            url = reverse(route.name, kwargs=kwargs)
        except NoReverseMatch:
            problem = (
                f"add an access rule for /{route.route} ({route.name}): it refuses {kwargs} from FILLERS"
            )
            return [], problem
        cases.append(Case(url, route.name, route.route, rule, data))
        # The same URL through a role's own stall, with stall A's record in it.
        if "stall_pk" in kwargs and RECORD_ARGUMENTS & set(kwargs):
            for role, own in world.own_stalls.items():
                url = reverse(route.name, kwargs={**kwargs, "stall_pk": own.pk})
                cases.append(
                    Case(url, route.name, route.route, Rule(), data, frozenset({role}), variant=True)
                )
    return cases, None


def _report_cases(route: Route, world: World) -> list[Case]:
    """Each report URL as it is, then asking for stall A's commune and province by their codes."""
    combinations = itertools.product(*(_values(route, argument, world) for argument in route.arguments))
    cases = []
    for combination in combinations:
        url = reverse(route.name, kwargs=dict(zip(route.arguments, combination, strict=True)))
        cases.append(Case(url, route.name, route.route, REPORTS_RULE, {}))
        asked = {
            f"xa={world.commune.code}": REPORTS_COMMUNE_RULE,
            f"tinh={world.commune.province_code}": REPORTS_PROVINCE_RULE,
        }
        for query, rule in asked.items():
            cases.append(Case(f"{url}?{query}", route.name, route.route, rule, {}))
    return cases


@pytest.fixture(scope="module")
def plan(world) -> Plan:
    return build_plan(world)


def build_plan(world: World) -> Plan:
    seller_cases, dashboard_cases, missing, public = [], [], [], []
    sampled, left_out = set(), 0
    for route in url_routes():
        if route.route.startswith(SELLER_AREA):
            if route.name in PUBLIC:
                public.append(route.name)
                continue
            cases, problem = _seller_cases(route, world)
            seller_cases += cases
            if problem:
                missing.append(problem)
        elif route.route.startswith(REPORTS_AREA):
            dashboard_cases += _report_cases(route, world)
        elif tree := next((prefix for prefix in STAFF_DASHBOARDS if route.route.startswith(prefix)), None):
            app = route.route[len(tree) :].split("/")[0]
            key = route.route if STAFF_DASHBOARDS[tree] == "every page" else (tree, app)
            if route.groups or not route.name or route.name in DASHBOARD_PUBLIC or key in sampled:
                left_out += 1
                continue
            sampled.add(key)
            url = reverse(route.name)
            dashboard_cases.append(Case(url, route.name, route.route, DASHBOARD_RULE, {}, OUTSIDERS))
    return Plan(seller_cases, dashboard_cases, missing, sorted(public), left_out)


# Calling a URL and judging the answer.


# Rows this transaction inserted, updated or deleted so far, per table (rolled-back savepoints included).
# The functions behind pg_stat_xact_user_tables, on our schema's tables only: three times faster.
WRITES = """
    SELECT relname, written FROM (
        SELECT c.relname, pg_stat_get_xact_tuples_inserted(c.oid) + pg_stat_get_xact_tuples_updated(c.oid)
            + pg_stat_get_xact_tuples_deleted(c.oid) AS written
        FROM pg_class c WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace
    ) AS tables WHERE written > 0
"""


def _written_tables() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(WRITES)
        return dict(cursor.fetchall())


def _stall_a_state(world: World) -> tuple:
    """Everything a hole could change about stall A, in a few queries."""
    from oscar.core.loading import get_model

    from sellers.models import HelperConsent, Stall, StallAuditEntry
    from traceability.models import HarvestLot, Stamp, StampRun

    Order = get_model("order", "Order")
    StockRecord = get_model("partner", "StockRecord")
    return (
        Stall.objects.filter(pk=world.stall.pk).values().first(),
        list(StockRecord.objects.filter(partner=world.stall.partner).values().order_by("pk")),
        Order.objects.filter(pk=world.order.pk).values("status", "user_id").first(),
        list(world.order.lines.values_list("status", flat=True).order_by("pk")),
        world.order.payment_events.count(),
        HarvestLot.objects.filter(owner=world.stall).count(),
        HarvestLot.objects.filter(pk=world.lot.pk).values().first(),
        list(StampRun.objects.filter(lot__owner=world.stall).values("pk", "status").order_by("pk")),
        list(Stamp.objects.filter(run=world.run).values_list("status", flat=True).order_by("pk")),
        world.stall.certifications.count(),
        HelperConsent.objects.filter(stall=world.stall).count(),
        StallAuditEntry.objects.filter(stall=world.stall).count(),
    )


def _body(response) -> str:
    # Not response.close(): the test client did, and again would close the connection mid-transaction.
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    return content.decode("utf-8", errors="replace")


def _location(response) -> str:
    return urlsplit(response.get("Location", "")).path


def _to_login(response) -> bool:
    return response.status_code in REDIRECTS and _location(response).startswith(LOGIN_PAGES)


def _answer(response) -> str:
    if response.status_code in REDIRECTS:
        return f"{response.status_code} to {response['Location']}"
    return str(response.status_code)


def _request(client: Client, method: str, case: Case):
    if method == "GET":
        return client.get(case.url)
    return client.post(case.url, case.data)


def _check(client, method: str, case: Case, role: str, world: World, *, own: bool, before: dict, state):
    """One call, in a savepoint rolled back afterwards: a readable line if the answer is wrong (or None),
    and the tables' write counts after it (the next call's ``before``)."""
    line = f"{method} {case.url} as {ROLES[role]}"
    crash = None
    with transaction.atomic():
        try:
            response = _request(client, method, case)
            body = _body(response)
        except Exception as error:  # noqa: BLE001 (a crash is reported like any wrong answer)
            crash = error
        else:
            after = _written_tables()  # a rolled-back write still counts: the next call starts here
            allowed = BOOKKEEPING_TABLES | (case.rule.own_writes if own else set())
            written = {table for table, count in after.items() if count > before.get(table, 0)} - allowed
            changed = own and _stall_a_state(world) != state
        transaction.set_rollback(True)
    if crash is not None:
        return f"{line} -> raised {type(crash).__name__}: {crash}", _written_tables()
    problems = []
    if not own and not (response.status_code in REFUSED or _to_login(response)):
        problems.append(f"-> {_answer(response)}")
    if own and response.status_code >= 500:
        problems.append(f"-> {_answer(response)}")
    if own and _to_login(response):
        problems.append(f"-> {_answer(response)} (a signed-in account sent to log in: wrong role set up?)")
    revealed = [what for marker, what in world.markers.items() if marker and marker in body]
    if revealed:
        problems.append(f"(shows {', '.join(revealed)})")
    if written:
        problems.append(f"(wrote to {', '.join(sorted(written))})")
    if changed:
        problems.append("(changed stall A's records)")
    return (f"{line} {' '.join(problems)}" if problems else None), after


def _client(world: World, role: str) -> Client:
    client = Client()
    if world.users[role] is not None:
        client.force_login(world.users[role])
    return client


# The tests.


def test_every_seller_url_has_an_access_rule(plan, capsys):
    """A new seller-area URL is public on purpose or filled from the targets; else "add an access rule"."""
    refused = sum(len(case.refused_roles()) for case in plan.cases) * len(METHODS)
    own = sum(len(case.rule.own) for case in plan.cases) * len(METHODS)
    patterns = len({case.name for case in plan.seller_cases})
    variants = sum(case.variant for case in plan.seller_cases)
    trees = {
        tree: sum(case.route.startswith(tree) for case in plan.dashboard_cases) for tree in STAFF_DASHBOARDS
    }
    by_tree = ", ".join(f"/{tree} {count}" for tree, count in trees.items())
    with capsys.disabled():
        print(
            f"\naccess matrix: seller area {patterns} patterns -> {len(plan.seller_cases)} URLs "
            f"({variants} of them through another role's own stall), staff dashboards "
            f"{len(plan.dashboard_cases)} URLs ({by_tree}; "
            f"{plan.left_out} patterns with an argument or not sampled left out); x {len(ROLES)} roles as "
            f"each applies x {len(METHODS)} methods = {refused} calls that must be refused + {own} calls "
            f"to one's own account's pages; public on purpose: {', '.join(plan.public)}"
        )
    assert not plan.missing_rules, "\n".join(plan.missing_rules)
    assert plan.seller_cases and plan.dashboard_cases


@pytest.mark.parametrize("role", list(ROLES))
def test_no_role_reaches_what_is_not_its_own(role, world, plan):
    """Every URL this role must not reach, with GET and POST: refused, nothing shown, nothing written.
    Pages of its own account: nothing of stall A shown or changed."""
    client = _client(world, role)
    failures = []
    written = _written_tables()
    state = _stall_a_state(world)  # every call is rolled back: stall A is the same before each one
    for case in plan.cases:
        own = role in case.rule.own
        if role not in case.refused_roles() and not own:
            continue
        for method in METHODS:
            session = client.cookies.get("sessionid")
            failure, written = _check(client, method, case, role, world, own=own, before=written, state=state)
            if failure:
                failures.append(failure)
            if client.cookies.get("sessionid") != session and world.users[role] is not None:
                client.force_login(world.users[role])  # a rolled-back login or logout: sign in again
                written = _written_tables()
    assert not failures, f"{len(failures)} wrong answers:\n" + "\n".join(failures)


def test_the_rightful_user_reaches_every_url(world, plan):
    """Proves the URLs and their fillers are real: the owner (or the commune's staff, the helper, a
    platform admin) gets the page or a redirect that is not a login page; a POST-only URL answers its
    GET with 405 and its POST (rolled back) is not refused."""
    clients = {}
    failures = []
    cases = plan.seller_cases + [
        case
        for case in plan.dashboard_cases
        if case.name in DASHBOARD_INDEX_PAGES or case.route.startswith(REPORTS_AREA)
    ]
    for case in cases:
        if case.variant or case.name in SESSION_BOUND:
            continue
        role = case.rule.rightful[0]
        if role not in clients:
            clients[role] = _client(world, role)
        client = clients[role]
        for method in METHODS:
            with transaction.atomic():
                response = _request(client, method, case)
                _body(response)
                transaction.set_rollback(True)
            if response.status_code == 200 or (response.status_code in REDIRECTS and not _to_login(response)):
                break
            if not (method == "GET" and response.status_code == 405):
                who = ROLES.get(role, "a platform admin")
                failures.append(f"{method} {case.url} as {who} -> {_answer(response)}")
                break
    for name in PUBLIC:
        response = Client().get(reverse(name))
        if response.status_code >= 400:
            failures.append(f"GET {reverse(name)} (public) as a guest -> {_answer(response)}")
    assert not failures, "\n".join(failures)
