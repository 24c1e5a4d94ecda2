"""/bao-cao/: the dashboard of a commune, a province or the platform, and its exports."""

from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from marketplace.reports import exports, figures
from marketplace.reports.periods import MonthForm, PeriodForm
from marketplace.reports.scope import report_reach
from marketplace.reports.tasks import rollup_soon
from sellers.access import seller_login_required


def _reach(request):
    return report_reach(
        request.user, commune=request.GET.get("xa", "")[:12], province=request.GET.get("tinh", "")[:12]
    )


@require_GET
@never_cache
@seller_login_required
def dashboard(request):
    reach = _reach(request)
    # The days before today are added up once, in the background, by the first visit of the day.
    rollup_soon()
    form = PeriodForm(request.GET or None)
    period = form.period()
    report = figures.report(reach.scope, period)
    return render(
        request,
        "reports/dashboard.html",
        {"reach": reach, "form": form, "report": report, "export_query": _query(request)},
    )


@require_GET
@never_cache
@seller_login_required
def export_csv(request, key: str):
    reach = _reach(request)
    report = figures.report(reach.scope, PeriodForm(request.GET or None).period())
    table = report.table(key)
    if table is None:
        raise Http404
    return exports.csv_response(report, table)


@require_GET
@never_cache
@seller_login_required
def export_xlsx(request):
    reach = _reach(request)
    return exports.xlsx_response(figures.report(reach.scope, PeriodForm(request.GET or None).period()))


@require_GET
@never_cache
@seller_login_required
def monthly_pdf(request):
    reach = _reach(request)
    period = MonthForm(request.GET).period()
    if period is None:
        return HttpResponseBadRequest(_("Choose a month, for example 2026-11."))
    return exports.pdf_response(figures.report(reach.scope, period))


def _query(request) -> str:
    """The page's choices (scope and dates) again, for its export links."""
    kept = request.GET.copy()
    for name in list(kept):
        if name not in ("xa", "tinh", "tu", "den"):
            del kept[name]
    return kept.urlencode()
