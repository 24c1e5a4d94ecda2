"""The pick list: a window's orders grouped the way the stall goes out with them — the pickup point
first, then each commune the parcels go to — with totals per group and overall."""

import csv
import io

from django.utils.translation import gettext as _

from ground.phone import display_mobile
from marketplace.harvest.services import order_rows
from seasons.models import SaleWindow

# What a spreadsheet would read as the start of a formula (OWASP "CSV injection"): a buyer types the name.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _phone(raw: str) -> str:
    return display_mobile(raw) if raw.startswith("+84") else raw


def pick_list(window: SaleWindow) -> dict:
    """``groups`` (title, rows, quantity, paid, balance) and the overall ``totals``; one query."""
    groups: dict[tuple, dict] = {}
    for row in order_rows(window):
        row["phone_display"] = _phone(row["phone"])
        row["phone_dial"] = row["phone_display"].replace(" ", "")
        if row["pickup"]:
            key = (0, "")
            title = _("Pickup at %(place)s") % {"place": window.stall.pickup_point or _("the stall")}
        else:
            place = ", ".join(part for part in (row["commune"], row["province"]) if part)
            key = (1, place)
            title = _("Delivery to %(place)s") % {"place": place} if place else _("Delivery")
        group = groups.setdefault(key, {"title": title, "rows": [], "quantity": 0, "paid": 0, "balance": 0})
        group["rows"].append(row)
        for name in ("quantity", "paid", "balance"):
            group[name] += row[name]
    ordered = [groups[key] for key in sorted(groups)]
    for group in ordered:
        group["rows"].sort(key=lambda row: (row["address"], row["order"].number))
    totals = {name: sum(group[name] for group in ordered) for name in ("quantity", "paid", "balance")}
    totals["orders"] = sum(len(group["rows"]) for group in ordered)
    return {"groups": ordered, "totals": totals}


def pick_list_csv(window: SaleWindow, listing: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    unit = window.product.get_unit_display()
    writer.writerow(
        [
            _("Group"),
            _("Order"),
            _("Buyer"),
            _("Phone"),
            _("Address"),
            _("Quantity (%(unit)s)") % {"unit": unit},
            _("Paid (đồng)"),
            _("To collect (đồng)"),
        ]
    )
    for group in listing["groups"]:
        for row in group["rows"]:
            writer.writerow(
                [
                    _cell(group["title"]),
                    row["order"].number,
                    _cell(row["name"]),
                    row["phone_display"],
                    _cell(row["address"]),
                    row["quantity"],
                    row["paid"],
                    row["balance"],
                ]
            )
    return out.getvalue()
