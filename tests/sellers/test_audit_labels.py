"""Every action written to a stall's log reads as words, in Vietnamese and in English.

The actions are found in the source, not listed here: every call ``audit(...)`` / ``*_audit(...)``
(or a direct write of a ``StallAuditEntry``) with an ``action=`` keyword, in every project app. The
value may be a string, ``a if c else b``, a name set to strings, or an f-string such as
``f"order_{action}"`` whose placeholder is a parameter of the function: its values are what the
function compares it with (``action == "paid"``, ``action in (...)``) and the keys of the mappings
it is looked up in (``order_status.STALL_ACTIONS[action]``), read from the imported module. A value
the scan cannot expand fails the test, so no action slips past unlabelled.
"""

import ast
import importlib
import itertools
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from sellers.models import AUDIT_ACTIONS, Stall
from tests.factories import make_lot, make_product, place_order, seller_with_stall

ROOT = Path(settings.BASE_DIR).resolve()
# Where application code lives (the project's own apps are added from INSTALLED_APPS).
APP_DIRS = ("sellers", "traceability", "marketplace", "catalogue", "search", "ground")
SKIPPED_PARTS = {"migrations", "tests", "__pycache__", ".venv", "node_modules"}


class Unresolved(Exception):
    """The scan cannot tell which actions an expression stands for."""


@dataclass
class Scan:
    actions: dict[str, list[str]] = field(default_factory=dict)  # action -> where it is written
    unresolved: list[str] = field(default_factory=list)


def _source_dirs() -> list[Path]:
    dirs = {ROOT / name for name in APP_DIRS}
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if path.is_relative_to(ROOT) and not SKIPPED_PARTS & set(path.relative_to(ROOT).parts):
            dirs.add(ROOT / path.relative_to(ROOT).parts[0])
    return sorted(d for d in dirs if d.is_dir())


def _source_files():
    for directory in _source_dirs():
        for path in sorted(directory.rglob("*.py")):
            if not SKIPPED_PARTS & set(path.relative_to(ROOT).parts):
                yield path


def _call_name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _writes_audit(call: ast.Call) -> bool:
    name = _call_name(call.func)
    if name == "audit" or name.endswith("_audit"):
        return True
    # StallAuditEntry(...), StallAuditEntry.objects.create(...), stall.audit_entries.create(...)
    chain = ast.unparse(call.func)
    return "StallAuditEntry" in chain or "audit_entries" in chain


def _is_writer_itself(function, value: ast.expr) -> bool:
    """``def audit(*, action, ...)`` passing its own ``action`` on: its callers are scanned instead."""
    if function is None or not isinstance(value, ast.Name):
        return False
    name = function.name
    return (name == "audit" or name.endswith("_audit")) and value.id in _parameters(function)


def _parameters(function) -> set[str]:
    arguments = function.args
    every = arguments.posonlyargs + arguments.args + arguments.kwonlyargs
    return {argument.arg for argument in every}


def _is_name(node: ast.expr, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _strings(node: ast.expr) -> set[str] | None:
    """The strings of a constant, or of a tuple/list/set of constants; None if it is not that."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        items = [_strings(element) for element in node.elts]
        if all(item is not None for item in items):
            return set().union(*items)
    return None


class Resolver:
    """The possible values of an ``action=`` expression inside one function of one module."""

    def __init__(self, module_name: str, function):
        self.module_name = module_name
        self.function = function
        self.seen: set[str] = set()  # names being resolved (a = f"{a}" must not loop)

    def values(self, node: ast.expr) -> set[str]:
        strings = _strings(node)
        if strings is not None and not isinstance(node, ast.Tuple | ast.List | ast.Set):
            return strings
        if isinstance(node, ast.IfExp):
            return self.values(node.body) | self.values(node.orelse)
        if isinstance(node, ast.JoinedStr):
            return self._joined(node)
        if isinstance(node, ast.Name):
            return self._name(node.id)
        raise Unresolved(ast.unparse(node))

    def _joined(self, node: ast.JoinedStr) -> set[str]:
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append({str(value.value)})
            elif (
                isinstance(value, ast.FormattedValue) and value.conversion == -1 and value.format_spec is None
            ):
                parts.append(self.values(value.value))
            else:
                raise Unresolved(ast.unparse(node))
        return {"".join(combination) for combination in itertools.product(*parts)}

    def _name(self, name: str) -> set[str]:
        if self.function is None or name in self.seen:
            raise Unresolved(name)
        self.seen.add(name)
        found: set[str] = set()
        for node in ast.walk(self.function):
            # name = "x" / name = "x" if c else "y"
            if isinstance(node, ast.Assign) and any(
                isinstance(target, ast.Name) and target.id == name for target in node.targets
            ):
                found |= self.values(node.value)
            elif isinstance(node, ast.Compare):
                found |= self._compared(node, name)
            # MAPPING[name]
            elif isinstance(node, ast.Subscript) and _is_name(node.slice, name):
                found |= self._mapping_keys(node.value)
            # MAPPING.get(name)
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "get"
                and node.args[:1]
                and _is_name(node.args[0], name)
            ):
                found |= self._mapping_keys(node.func.value)
        if not found:
            raise Unresolved(name)
        return found

    def _compared(self, node: ast.Compare, name: str) -> set[str]:
        """name == "x", "x" == name, name in ("x", "y"), name in MAPPING (and their negations)."""
        found: set[str] = set()
        sides = [node.left, *node.comparators]
        for operator, left, right in zip(node.ops, sides[:-1], sides[1:], strict=True):
            if isinstance(operator, ast.Eq | ast.NotEq):
                for mine, other in ((left, right), (right, left)):
                    if _is_name(mine, name):
                        found |= _strings(other) or set()
            elif isinstance(operator, ast.In | ast.NotIn) and _is_name(left, name):
                found |= _strings(right) or self._mapping_keys(right)
        return found

    def _mapping_keys(self, node: ast.expr) -> set[str]:
        """The string keys (or items) of a module-level mapping or collection, read at run time."""
        if not isinstance(node, ast.Name | ast.Attribute):
            return set()
        if isinstance(node, ast.Name) and node.id in _parameters(self.function):
            return set()
        module = importlib.import_module(self.module_name)
        try:
            container = eval(ast.unparse(node), vars(module))  # a dotted name only  # noqa: S307
        except (AttributeError, NameError):
            return set()
        if isinstance(container, dict | set | frozenset | list | tuple):
            return {key for key in container if isinstance(key, str)}
        return set()


def _enclosing_functions(tree: ast.Module):
    """Each node with the innermost function around it (None at module level)."""
    stack = [(tree, None)]
    while stack:
        node, function = stack.pop()
        yield node, function
        inner = node if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) else function
        stack.extend((child, inner) for child in ast.iter_child_nodes(node))


def scan_audit_actions() -> Scan:
    scan = Scan()
    for path in _source_files():
        relative = path.relative_to(ROOT)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(relative))
        module_name = ".".join(relative.with_suffix("").parts).removesuffix(".__init__")
        for node, function in _enclosing_functions(tree):
            if not isinstance(node, ast.Call) or not _writes_audit(node):
                continue
            for keyword in node.keywords:
                if keyword.arg != "action" or _is_writer_itself(function, keyword.value):
                    continue
                where = f"{relative}:{node.lineno}"
                try:
                    values = Resolver(module_name, function).values(keyword.value)
                except Unresolved as error:
                    scan.unresolved.append(f"{where}: action={ast.unparse(keyword.value)} ({error})")
                    continue
                for value in values:
                    scan.actions.setdefault(value, []).append(where)
    return scan


def unlabelled(actions, labels) -> list[str]:
    return sorted(set(actions) - set(labels))


@pytest.fixture(scope="module")
def scan():
    return scan_audit_actions()


def test_the_scan_finds_the_actions_written_by_sellers_traceability_and_orders(scan):
    # Constants, a conditional, and the order steps expanded from f"order_{action}".
    expected = {
        "stall_created",
        "product_created",
        "product_updated",
        "stamps_ordered",
        "lot_recalled",
        "order_confirm",
        "order_ship",
        "order_deliver",
        "order_paid",
    }
    assert expected <= set(scan.actions)


def test_every_action_is_written_in_a_form_the_scan_can_read(scan):
    assert scan.unresolved == [], (
        "write action= as a string, or as an f-string whose placeholder is compared with strings or "
        "looked up in a module-level mapping in the same function"
    )


def test_every_action_written_has_a_label(scan):
    missing = unlabelled(scan.actions, AUDIT_ACTIONS)
    assert missing == [], "add these to sellers.models.AUDIT_ACTIONS (and the .po files): " + ", ".join(
        f"{action} ({', '.join(scan.actions[action])})" for action in missing
    )


def test_a_label_taken_away_is_noticed(scan):
    assert unlabelled(scan.actions, {k: v for k, v in AUDIT_ACTIONS.items() if k != "stamps_ordered"}) == [
        "stamps_ordered"
    ]


def test_every_label_is_vietnamese_words_and_english_words(scan):
    untranslated, empty = [], []
    for action in sorted(set(scan.actions) | set(AUDIT_ACTIONS)):
        if action not in AUDIT_ACTIONS:
            continue  # reported by test_every_action_written_has_a_label
        with translation.override("en"):
            english = str(AUDIT_ACTIONS[action])
        with translation.override("vi"):
            vietnamese = str(AUDIT_ACTIONS[action])
        if not english.strip() or english == action:
            empty.append(action)
        if not vietnamese.strip() or vietnamese in (action, english):
            untranslated.append(f"{action}: {vietnamese!r}")
    assert empty == []
    assert untranslated == [], "translate these in marketplace/locale/vi/LC_MESSAGES/django.po and compile"


@pytest.mark.django_db
def test_the_stall_log_shows_vietnamese_words_not_codes(client, make_storefront):
    make_storefront()
    manager, stall = seller_with_stall(
        kind=Stall.Kind.COOPERATIVE, status=Stall.Status.VERIFIED, partner__name="HTX Lục Ngạn Xanh"
    )
    product = make_product(stall=stall, title="Vải thiều Lục Ngạn", ocop_stars=4)
    lot = make_lot(stall=stall, product=product)
    order = place_order((product, 2))
    client.force_login(manager)

    client.post(
        reverse("sellers:trace-lot", kwargs={"stall_pk": stall.pk, "lot_pk": lot.pk}),
        {"run-count": "24", "run-layout": "a4-3x8"},
    )
    for action in ("confirm", "ship", "deliver"):
        client.post(
            reverse(
                "sellers:order-action", kwargs={"stall_pk": stall.pk, "order_pk": order.pk, "action": action}
            )
        )
    written = set(stall.audit_entries.values_list("action", flat=True))
    assert {"stamps_ordered", "order_deliver"} <= written

    html = client.get(reverse("sellers:stall-log", kwargs={"stall_pk": stall.pk})).content.decode()

    assert "đặt in tem" in html
    assert "giao hàng xong" in html
    for code in written:
        assert code not in html
