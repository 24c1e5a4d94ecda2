"""Every facet value of an entry as one number, so that PostgreSQL counts all facets in one pass over the
matching entries (``unnest(facet_keys)``, one GROUP BY) instead of one pass per facet.

A key is ``facet << 32 | value``: the facet's code (FACET_CODES) in the high bits and, in the low ones,
the id or code (categories, provinces, communes), the stars, or the position of the value in its list
(standards, stock, price ranges). Key 0 is in every entry: its count is the total."""

from search.requests import CERTIFICATIONS, PRICE_RANGES, RATING_LEVELS

TOTAL = 0
FACET_CODES = {
    "category": 1,
    "province": 2,
    "commune": 3,
    "stars": 4,
    "certification": 5,
    "in_stock": 6,
    "price": 7,
    "rating": 8,
}
NAMES = {code: name for name, code in FACET_CODES.items()}
STOCK = ("false", "true")
PRICES = tuple(PRICE_RANGES)


def _key(name: str, value: int) -> int:
    return FACET_CODES[name] << 32 | value


def key_range(name: str) -> tuple[int, int]:
    """The keys of one facet: low <= key < high."""
    return FACET_CODES[name] << 32, (FACET_CODES[name] + 1) << 32


def price_range(price: int | None) -> str | None:
    for name, (low, high) in PRICE_RANGES.items():
        if price is not None and (low is None or price >= low) and (high is None or price < high):
            return name
    return None


def facet_keys(document: dict) -> list[int]:
    """The keys of a product document (as search.documents builds it)."""
    keys = [TOTAL]
    keys += [_key("category", int(pk)) for pk in document["category_ids"]]
    keys += [_key("province", int(code)) for code in document["provinces"]]
    keys += [_key("commune", int(code)) for code in document["communes"]]
    if document["ocop_stars"] is not None:
        keys.append(_key("stars", int(document["ocop_stars"])))
    keys += [
        _key("certification", CERTIFICATIONS.index(kind))
        for kind in document["certifications"]
        if kind in CERTIFICATIONS
    ]
    keys.append(_key("in_stock", STOCK.index(str(bool(document["in_stock"])).lower())))
    # Cumulative levels: a product rated 4.5 counts under "4 and up" and under "3 and up".
    rating = document.get("rating")
    keys += [
        _key("rating", int(level))
        for level in RATING_LEVELS
        if rating is not None and document.get("rating_count") and rating >= int(level)
    ]
    priced = price_range(document["price"])
    if priced is not None:
        keys.append(_key("price", PRICES.index(priced)))
    return sorted(set(keys))


def _value(name: str, number: int) -> str:
    if name == "certification":
        return CERTIFICATIONS[number]
    if name == "in_stock":
        return STOCK[number]
    if name == "price":
        return PRICES[number]
    return str(number)


def facet_rows(rows, chosen) -> list[tuple[str, str, int]]:
    """(facet, value, count) rows from the counting statement's (pass, key, count) rows: the pass ''
    gives the total and the facets nobody chose; the pass named after a chosen facet gives that one."""
    out = []
    for counted_for, key, count in rows:
        if key == TOTAL:
            if not counted_for:
                out.append(("total", "", count))
            continue
        name = NAMES.get(key >> 32)
        if name is None or (counted_for or None) != (name if name in chosen else None):
            continue
        out.append((name, _value(name, key & 0xFFFFFFFF), count))
    return out
