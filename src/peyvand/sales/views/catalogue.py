"""Products, the forecast with targets, and the administrator's sales settings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.converters import choice_id
from peyvand.core.custom_field_forms import CustomFilterForm, column_heads, column_values, list_columns
from peyvand.core.custom_fields import Entity
from peyvand.core.forms import LocalDateField, add_service_errors
from peyvand.core.http import request_user, show_errors
from peyvand.core.pagination import InvalidCursor, keyset_page
from peyvand.core.selectors.custom_fields import custom_list
from peyvand.core.text import search_terms
from peyvand.customers import importer

from .. import conf
from ..forms import ImportForm, PriceListForm, ProductForm, TargetForm
from ..models import CurrencyRate, Outcome, Pipeline, PriceList, Product
from ..money import display_parts, typed
from ..periods import input_month, month_label, parse_month
from ..selectors import catalogue as catalogue_selectors
from ..selectors import forecast as forecast_selectors
from ..services import catalogue, imports, pipelines, targets


@login_required
def product_list(request: HttpRequest) -> HttpResponse:
    queryset = Product.objects.prefetch_related("prices__price_list")
    for term in search_terms(request.GET.get("q")):
        queryset = queryset.filter(search_text__contains=term)
    if request.GET.get("inactive") != "1":
        queryset = queryset.filter(active=True)
    custom_form = CustomFilterForm(request.GET, entity=Entity.PRODUCT)
    sort = request.GET.get("sort", "")
    queryset, custom_order = custom_list(queryset, Entity.PRODUCT, custom_form.filters(), sort)
    try:
        page = keyset_page(
            queryset, order=custom_order or ["sku", "id"], cursor=request.GET.get("cursor"), limit=50
        )
    except InvalidCursor as exc:
        messages.error(request, str(exc))
        return redirect("sales:product_list")
    custom_columns = list_columns(custom_form.custom_definitions)
    column_values(custom_columns, page.items)
    return render(
        request,
        "sales/product_list.html",
        {
            "nav": "products",
            "page": page,
            "count": None,
            "custom_form": custom_form,
            "custom_columns": column_heads(custom_columns, sort),
        },
    )


@login_required
def product_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """A product with its price on each active price list."""
    user = request_user(request)
    policy.require_admin(user)
    product = get_object_or_404(Product, pk=pk) if pk else None
    catalogue.default_price_list()  # a first installation gets its standard list here
    price_lists = list(PriceList.objects.filter(active=True).order_by("-is_default", "name", "id"))
    initial: dict[str, Any] = {"active": True, "tax_rate": "10"}
    if product is not None:
        initial = {name: getattr(product, name) for name in ProductForm.base_fields}
        if product.unit_cost is not None:
            initial["unit_cost"] = typed(product.unit_cost, conf.base_currency())
        prices = dict(product.prices.values_list("price_list_id", "price"))
        # As people type a price: the list's currency's decimals (12500000, 2250.90).
        initial |= {
            catalogue.price_field(p): typed(prices[p.pk], p.currency) for p in price_lists if p.pk in prices
        }
    form = ProductForm(
        request.POST or None,
        initial=initial,
        price_lists=price_lists,
        custom_values=product.custom if product is not None else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            if product is None:
                catalogue.product_create(actor=user, data=form.product_data(), prices=form.prices())
            else:
                catalogue.product_update(
                    product=product, actor=user, data=form.product_data(), prices=form.prices()
                )
        except ValidationError as exc:
            add_service_errors(form, exc, form.error_aliases())
        else:
            return redirect("sales:product_list")
    title = _("Edit product") if product else _("New product")
    help_text = _("Leave a price empty to keep the product off that list.")
    return render(
        request, "sales/form.html", {"nav": "products", "form": form, "title": title, "help": help_text}
    )


@login_required
def price_list_list(request: HttpRequest) -> HttpResponse:
    policy.require_admin(request_user(request))
    return render(
        request,
        "sales/price_list_list.html",
        {"nav": "admin", "price_lists": catalogue_selectors.price_lists()},
    )


@login_required
def price_list_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user = request_user(request)
    policy.require_admin(user)
    price_list = get_object_or_404(PriceList, pk=pk) if pk else None
    initial = (
        {name: getattr(price_list, name) for name in PriceListForm.base_fields}
        if price_list
        else {"active": True, "currency": conf.base_currency()}
    )
    form = PriceListForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if price_list is None:
                catalogue.price_list_create(actor=user, **form.cleaned_data)
            else:
                catalogue.price_list_update(price_list=price_list, actor=user, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The price list was saved."))
            return redirect("sales:price_list_list")
    title = _("Edit price list") if price_list else _("New price list")
    help_text = _("Each product can have a price on each list, in the list's currency.")
    return render(
        request, "sales/form.html", {"nav": "admin", "form": form, "title": title, "help": help_text}
    )


@login_required
def forecast(request: HttpRequest) -> HttpResponse:
    """The weighted pipeline, won deals and targets per month, for everyone the user sees, a
    team or one salesperson; by team and by salesperson; and the form to set a target."""
    user = request_user(request)
    team_choices, people_choices = forecast_selectors.forecast_choices(user)
    start = None
    if request.GET.get("start"):
        try:
            start = parse_month(request.GET["start"])
        except ValueError:
            messages.error(request, _("Enter a month as year/month, for example 1405/09."))
    team_id = _among(request.GET.get("team"), team_choices)
    owner_id = _among(request.GET.get("owner"), people_choices)
    months = min(max(choice_id(request.GET.get("months")) or 6, 1), 12)
    result = forecast_selectors.forecast(
        user=user, start=start, months=months, owner_id=owner_id, team_id=team_id
    )
    people, teams = forecast_selectors.target_scopes(user)
    form = TargetForm(request.POST or None, people=people, teams=teams)
    if request.method == "POST":
        if not people and not teams:
            raise PermissionDenied(_("Only a manager may set targets, and only for their own team."))
        if form.is_valid():
            try:
                month = parse_month(form.cleaned_data["month"])
            except ValueError:
                form.add_error("month", _("Enter a month as year/month, for example 1405/09."))
            else:
                owner = form.cleaned_data["owner"]
                try:
                    targets.target_set(
                        actor=user,
                        month=month,
                        amount=form.cleaned_data["amount"],
                        owner=owner,
                        team=None if owner else form.cleaned_data["team"],
                    )
                except ValidationError as exc:
                    add_service_errors(form, exc)
                else:
                    messages.success(request, _("The target was saved."))
                    return redirect(request.get_full_path())
    language = translation.get_language() or "fa"
    labels = [(m, month_label(m, language)) for m in result.months]

    def row(cells: Any) -> list[Any]:
        return [cells[m] for m in result.months]

    return render(
        request,
        "sales/forecast.html",
        {
            "nav": "forecast",
            "months": labels,
            "totals": row(result.totals),
            "team_rows": [(team, row(cells)) for team, cells in forecast_selectors.team_rows(result)],
            "rows": [(owner, row(cells)) for owner, cells in forecast_selectors.owner_rows(result)],
            "form": form if people or teams else None,
            "team_choices": team_choices,
            "people_choices": people_choices,
            "filters": {
                "team": team_id,
                "owner": owner_id,
                "months": months,
                "start": input_month(result.months[0], language),
            },
            "month_counts": (3, 6, 12),
            "currency": conf.base_currency(),
            "unit": display_parts(None, conf.base_currency())[1],  # ریال or Toman, not IRR
        },
    )


def _among(value: Any, choices: list[Any]) -> int | None:
    """A filter's id when it is one of the choices offered, else None (everything)."""
    chosen = choice_id(value)
    return chosen if chosen is not None and any(c.pk == chosen for c in choices) else None


# --- administration -----------------------------------------------------------------------


@login_required
def pipeline_list(request: HttpRequest) -> HttpResponse:
    policy.require_admin(request_user(request))
    items = Pipeline.objects.prefetch_related("stages").order_by("order", "id")
    return render(request, "sales/pipeline_list.html", {"nav": "admin", "pipelines": items})


@login_required
def pipeline_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user = request_user(request)
    policy.require_admin(user)
    pipeline = get_object_or_404(Pipeline, pk=pk) if pk else None
    rows: list[dict[str, Any]] = []
    errors: list[str] = []
    if request.method == "POST":
        rows = _stage_rows(request)
        try:
            pipelines.pipeline_save(
                actor=user,
                name=request.POST.get("name", ""),
                stages=[r for r in rows if r["name"]],
                pipeline=pipeline,
                is_default=request.POST.get("is_default") == "on",
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            return redirect("sales:pipeline_list")
    elif pipeline is not None:
        rows = [
            {"id": s.pk, "name": s.name, "probability": s.probability, "outcome": s.outcome}
            for s in pipeline.stages.filter(active=True).order_by("order", "id")
        ]
    rows += [{"id": "", "name": "", "probability": 0, "outcome": Outcome.OPEN} for _i in range(3)]
    return render(
        request,
        "sales/pipeline_form.html",
        {
            "nav": "admin",
            "pipeline": pipeline,
            "rows": rows,
            "errors": errors,
            "outcomes": Outcome.choices,
            "name": request.POST.get("name", pipeline.name if pipeline else ""),
        },
    )


def _stage_rows(request: HttpRequest) -> list[dict[str, Any]]:
    names, ids = request.POST.getlist("stage_name"), request.POST.getlist("stage_id")
    probabilities, outcomes = request.POST.getlist("stage_probability"), request.POST.getlist("stage_outcome")
    rows = []
    for index, name in enumerate(names[:50]):
        probability = probabilities[index] if index < len(probabilities) else "0"
        rows.append(
            {
                "id": choice_id(ids[index] if index < len(ids) else ""),
                "name": name.strip(),
                "probability": int(probability)
                if probability.strip().isdigit() and len(probability) < 4
                else -1,
                "outcome": outcomes[index] if index < len(outcomes) else Outcome.OPEN,
            }
        )
    return rows


@login_required
def rates(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    policy.require_admin(user)
    if request.method == "POST":
        try:
            # Empty means from today.
            day = LocalDateField(required=False).clean(request.POST.get("valid_from")) or timezone.localdate()
            catalogue.currency_rate_set(
                actor=user,
                currency=request.POST.get("currency", ""),
                rate=request.POST.get("rate", ""),
                valid_from=day,
            )
        except ValidationError as exc:
            show_errors(request, exc)
        else:
            messages.success(request, _("The rate was saved."))
        return redirect("sales:rates")
    return render(
        request,
        "sales/rates.html",
        {
            "nav": "admin",
            "rates": CurrencyRate.objects.order_by("currency", "-valid_from")[:200],
            "currencies": [c for c in conf.CURRENCIES if c != conf.base_currency()],
            "base": conf.base_currency(),
        },
    )


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    """Products (administrators) and past orders (administrators and managers): the upload,
    then the import machinery's own pages (the mapping, the progress, the problems)."""
    user = request_user(request)
    if not user.is_administrator:
        imports.require_order_import(user)
    form = ImportForm(request.POST or None, request.FILES or None, products=user.is_administrator)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = importer.import_upload(
                actor=user, kind=form.cleaned_data["kind"], source=upload, name=upload.name, size=upload.size
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("import_detail", job.pk)
    kinds = [imports.PRODUCTS, imports.ORDERS] if user.is_administrator else [imports.ORDERS]
    jobs = importer.import_list(actor=user).filter(kind__in=kinds)[:20]
    return render(
        request,
        "sales/import.html",
        {
            "nav": "admin",
            "form": form,
            "jobs": jobs,
            "labels": {kind: importer.importer_for(kind).label for kind in kinds},
            "product_columns": ", ".join(imports.PRODUCT_COLUMNS),
            "order_columns": ", ".join(imports.ORDER_COLUMNS),
            "max_rows": imports.MAX_ROWS,
        },
    )
