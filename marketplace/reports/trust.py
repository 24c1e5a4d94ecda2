"""How buyers felt: satisfaction, complaints, reviews.

Satisfaction and complaints are counted by their own apps' services (one and two queries); the reviews
are one SQL query grouped by place.
"""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from marketplace.complaints.models import Complaint
from marketplace.complaints.services import complaint_counts
from marketplace.feedback.models import Review, Satisfaction
from marketplace.feedback.services import satisfaction_counts
from marketplace.reports.households import grouped_by, in_scope, place_rows, places, share, table
from marketplace.reports.tables import (
    INT,
    PERCENT,
    STARS,
    TEXT,
    VND,
    Column,
    Figure,
    Panel,
    Period,
    Scope,
    Table,
)
from sellers.models import Stall

SATISFIED = (Satisfaction.Answer.VERY_SATISFIED, Satisfaction.Answer.SATISFIED)


def trust_panel(scope: Scope, period: Period) -> Panel:
    communes = list(scope.commune_ids) if scope.commune_ids is not None else None
    satisfaction = _satisfaction_table(communes, period)
    complaints, refunded = _complaints_table(communes, period)
    reviews = _reviews_table(scope, period)
    answers = satisfaction.total["answers"]
    headline = [
        Figure(_("Satisfied buyers"), share(_satisfied(satisfaction), answers), PERCENT),
        Figure(_("Complaints opened"), complaints.total["complaints"]),
        Figure(_("Money refunded after a complaint"), refunded, VND),
        Figure(_("Average review"), reviews.total["product_stars"], STARS),
    ]
    nothing = not (answers or complaints.total["complaints"] or reviews.total["reviews"])
    return Panel(
        "trust",
        _("Satisfaction, complaints and reviews"),
        headline=headline,
        tables=[satisfaction, complaints, reviews],
        note=_("No opinions yet in these days.") if nothing else "",
    )


def _satisfied(satisfaction: Table) -> int:
    return sum(row["answers"] for row in satisfaction.rows if row["key"] in SATISFIED)


def _satisfaction_table(communes: list | None, period: Period) -> Table:
    counts = satisfaction_counts(communes=communes, since=period.since, until=period.until)["total"]
    answers = sum(counts.values())
    rows = [
        {
            "key": answer,
            "answer": str(label),
            "answers": counts[answer],
            "share": share(counts[answer], answers),
        }
        for answer, label in Satisfaction.Answer.choices
    ]
    return Table(
        "satisfaction",
        _("How satisfied buyers were"),
        [
            Column("answer", _("How satisfied"), TEXT),
            Column("answers", _("Orders"), INT),
            Column("share", _("Share of answers"), PERCENT),
        ],
        rows,
        total={"answer": gettext("Total"), "answers": answers, "share": 100.0 if answers else None},
        note=_("Each order counts once, with the buyer's last answer given in these days."),
    )


def _complaints_table(communes: list | None, period: Period) -> tuple[Table, int]:
    counts = complaint_counts(communes=communes, since=period.since, until=period.until)
    rows = [
        {"key": state, "state": str(label), "complaints": counts["by_state"][state], "refunded": None}
        for state, label in Complaint.State.choices
    ]
    total = {"state": gettext("Total"), "complaints": counts["opened"], "refunded": counts["refunded"]}
    table = Table(
        "complaints",
        _("Complaints"),
        [
            Column("state", _("Where the complaint is now"), TEXT),
            Column("complaints", _("Complaints"), INT),
            Column("refunded", _("Refunded"), VND),
        ],
        rows,
        total=total,
        note=_(
            "The complaints opened in these days, by where each one is now; the money refunded to buyers "
            "through them is in the total."
        ),
    )
    return table, counts["refunded"]


def _reviews_table(scope: Scope, period: Period) -> Table:
    by = places(scope)
    where, params = in_scope(scope)
    sql = f"""
        SELECT {by.key}, {by.label}, {by.province},
            COUNT(*), AVG(r.stars), AVG(r.stall_stars), GROUPING({by.key})
        FROM {table(Review)} r JOIN {table(Stall)} s ON s.id = r.stall_id
        WHERE r.hidden_at IS NULL AND r.created_at >= %s AND r.created_at < %s {where}
        {grouped_by(by)}
    """  # noqa: S608 (table names from the models; every value is a parameter)
    rows, total = place_rows(
        sql, [period.since, period.until, *params], ("reviews", "product_stars", "stall_stars")
    )
    for row in [*rows, total]:
        for key in ("product_stars", "stall_stars"):
            row[key] = round(float(row[key]), 1) if row[key] is not None else None
    return Table(
        "reviews",
        _("Reviews"),
        [
            by.column,
            Column("reviews", _("Reviews"), INT),
            Column("product_stars", _("Products' stars (average)"), STARS),
            Column("stall_stars", _("Stalls' stars (average)"), STARS),
        ],
        rows,
        total=total,
        note=_("Buyers' reviews written in these days and not hidden, with their average stars out of 5."),
    )
