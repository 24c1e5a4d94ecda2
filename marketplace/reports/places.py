"""Where the stalls are: one point per commune, from the commune's coordinates."""

from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from oscar.core.loading import get_model

from ground.models import Commune
from marketplace.reports.tables import TEXT, Chart, Column, Panel, Period, Scope, Table
from sellers.models import Stall

Partner = get_model("partner", "Partner")
Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")

# Every commune of the scope, with its stalls verified now and the public products they sell, then the
# scope's own row, where a product sold in two communes counts once. The pairs (commune, product) are
# found once, from the scope's verified stalls' stock records, and counted twice; the few hidden products
# are left out through their own index rather than by reading every product.
_MAP_SQL = """
    WITH stalls AS MATERIALIZED (
        SELECT st.commune_id, st.partner_id FROM {stall} st
         WHERE st.status = %(verified)s AND {in_scope}
    ),
    sold AS MATERIALIZED (
        SELECT s.commune_id, sr.product_id
          FROM stalls s
          JOIN {stockrecord} sr ON sr.partner_id = s.partner_id
         WHERE NOT EXISTS (SELECT FROM {product} p WHERE p.id = sr.product_id AND NOT p.is_public)
         GROUP BY 1, 2
    )
    SELECT * FROM (
    SELECT c.id, c.name, c.latitude, c.longitude, coalesce(ns.stalls, 0), coalesce(np.products, 0)
      FROM {commune} c
      LEFT JOIN (SELECT commune_id, count(*) AS stalls FROM stalls GROUP BY 1) ns ON ns.commune_id = c.id
      LEFT JOIN (SELECT commune_id, count(*) AS products FROM sold GROUP BY 1) np ON np.commune_id = c.id
     WHERE {in_commune}
    UNION ALL
    SELECT NULL, NULL, NULL, NULL,
           (SELECT count(*) FROM stalls), (SELECT count(*) FROM (SELECT DISTINCT product_id FROM sold) d)
    ) m (id, name, latitude, longitude, stalls, products)
     ORDER BY m.id IS NULL, m.name, m.id
"""  # noqa: S608 (table names come from the models; values are parameters)


def map_panel(scope: Scope, period: Period) -> Panel:
    return Panel(key="map", title=_("Where the stalls are"), tables=[stall_map(scope)])


def stall_map(scope: Scope) -> Table:
    sql = _MAP_SQL.format(
        commune=Commune._meta.db_table,
        stall=Stall._meta.db_table,
        stockrecord=StockRecord._meta.db_table,
        product=Product._meta.db_table,
        in_scope="TRUE" if scope.commune_ids is None else "st.commune_id = ANY(%(communes)s)",
        in_commune="TRUE" if scope.commune_ids is None else "c.id = ANY(%(communes)s)",
    )
    params = {"verified": Stall.Status.VERIFIED, "communes": list(scope.commune_ids or ())}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        *communes, (_id, _name, _lat, _lon, stalls, products) = cursor.fetchall()
    rows = [
        {
            "place": name,
            "stalls": stalls,
            "products": products,
            "latitude": None if latitude is None else float(latitude),
            "longitude": None if longitude is None else float(longitude),
        }
        for _id, name, latitude, longitude, stalls, products in communes
    ]
    unplaced = sum(1 for row in rows if row["latitude"] is None or row["longitude"] is None)
    note = _("Stalls verified today and the public products they sell, in each commune.")
    if unplaced:
        note = ngettext(
            "Stalls verified today and the public products they sell, in each commune; %(count)s commune "
            "has no coordinates yet, so it is listed here but not drawn on the map.",
            "Stalls verified today and the public products they sell, in each commune; %(count)s communes "
            "have no coordinates yet, so they are listed here but not drawn on the map.",
            unplaced,
        ) % {"count": unplaced}
    return Table(
        key="stall-map",
        title=_("Stalls and products by commune"),
        columns=[
            Column("place", _("Commune"), TEXT),
            Column("stalls", _("Verified stalls")),
            Column("products", _("Products on sale")),
        ],
        rows=rows,
        total={"place": _("Total"), "stalls": stalls, "products": products},
        chart=Chart("map", x="place", series=("stalls",)),
        note=note,
    )
