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
from peyvand.core.forms import LocalDateField, add_service_errors
from peyvand.core.http import request_user
from peyvand.core.models import Team
from peyvand.core.pagination import InvalidCursor, keyset_page
from peyvand.core.text import search_terms

from .. import conf
from ..forms import ImportForm, ProductForm, TargetForm
from ..models import CurrencyRate, Outcome, Pipeline, Product
from ..periods import month_label, parse_month
from ..selectors import forecast as forecast_selectors
from ..selectors.common import choice_id
from ..services import catalogue, imports, pipelines, targets
from .common import show_errors


@login_required
def product_list(request: HttpRequest) -> HttpResponse:
    queryset = Product.objects.prefetch_related("prices__price_list")
    for term in search_terms(request.GET.get("q")):
        queryset = queryset.filter(search_text__contains=term)
    if request.GET.get("inactive") != "1":
        queryset = queryset.filter(active=True)
    try:
        page = keyset_page(queryset, order=["sku", "id"], cursor=request.GET.get("cursor"), limit=50)
    except InvalidCursor as exc:
        messages.error(request, str(exc))
        return redirect("sales:product_list")
    return render(request, "sales/product_list.html", {"nav": "products", "page": page, "count": None})


@login_required
def product_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user = request_user(request)
    policy.require_admin(user)
    product = get_object_or_404(Product, pk=pk) if pk else None
    price_list = catalogue.default_price_list()
    initial: dict[str, Any] = {"active": True, "tax_rate": "10"}
    if product is not None:
        initial = {name: getattr(product, name) for name in ProductForm.base_fields if name != "price"}
        initial["price"] = (
            product.prices.filter(price_list=price_list).values_list("price", flat=True).first()
        )
    form = ProductForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "price"}
        prices = {price_list: form.cleaned_data["price"] or None}
        try:
            if product is None:
                catalogue.product_create(actor=user, data=data, prices=prices)
            else:
                catalogue.product_update(product=product, actor=user, data=data, prices=prices)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("sales:product_list")
    title = _("Edit product") if product else _("New product")
    help_text = _("Prices are in %(currency)s on the list “%(name)s”.") % {
        "currency": price_list.currency,
        "name": price_list.name,
    }
    return render(
        request, "sales/form.html", {"nav": "products", "form": form, "title": title, "help": help_text}
    )


@login_required
def forecast(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    start = None
    if request.GET.get("start"):
        try:
            start = parse_month(request.GET["start"])
        except ValueError:
            messages.error(request, _("Enter a month as year/month, for example 1405/09."))
    result = forecast_selectors.forecast(
        user=user,
        start=start,
        months=min(max(choice_id(request.GET.get("months")) or 6, 1), 12),
        owner_id=choice_id(request.GET.get("owner")),
        team_id=choice_id(request.GET.get("team")),
    )
    people, teams = forecast_selectors.target_scopes(user)
    form = TargetForm(request.POST or None)
    form.fields["owner"].queryset = form.fields["owner"].queryset.model.objects.filter(  # type: ignore[attr-defined]
        pk__in=[p.pk for p in people]
    )
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
                team = (
                    None
                    if owner
                    else (user.team if not user.is_administrator else teams[0] if teams else None)
                )
                try:
                    targets.target_set(
                        actor=user, month=month, amount=form.cleaned_data["amount"], owner=owner, team=team
                    )
                except ValidationError as exc:
                    add_service_errors(form, exc)
                else:
                    messages.success(request, _("The target was saved."))
                    return redirect(request.get_full_path())
    language = translation.get_language() or "fa"
    months = [(m, month_label(m, language)) for m in result.months]
    return render(
        request,
        "sales/forecast.html",
        {
            "nav": "forecast",
            "months": months,
            "totals": [result.totals[m] for m in result.months],
            "rows": [
                (owner, [cells[m] for m in result.months])
                for owner, cells in forecast_selectors.owner_rows(result)
            ],
            "form": form if people or teams else None,
            "teams": Team.objects.order_by("name") if user.is_administrator else [],
            "currency": conf.base_currency(),
        },
    )


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
            day = LocalDateField().clean(request.POST.get("valid_from")) or timezone.localdate()
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
    user = request_user(request)
    policy.require_admin(user)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = imports.read_rows(name=upload.name, content=upload.read(imports.MAX_BYTES + 1))
            run = (
                imports.products_import if form.cleaned_data["kind"] == "products" else imports.orders_import
            )
            result = run(actor=user, rows=rows)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if result.ok:
                messages.success(
                    request,
                    _("Imported: %(created)s new, %(updated)s updated.")
                    % {"created": result.created, "updated": result.updated},
                )
    return render(request, "sales/import.html", {"nav": "admin", "form": form, "result": result})
