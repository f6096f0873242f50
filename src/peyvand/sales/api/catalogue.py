"""Products, currency rates, the forecast with targets, and imports over the API (jobs of the
import machinery, as ``/imports`` returns them)."""

import datetime as dt
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field, StrictBool

from peyvand.core import policy
from peyvand.core.apikit.auth import actor
from peyvand.core.apikit.custom import custom_filters
from peyvand.core.apikit.endpoints import page_out, resolve_user
from peyvand.core.apikit.errors import field_error
from peyvand.core.apikit.schemas import (
    CUSTOM_IN,
    CUSTOM_OUT,
    ERRORS,
    ApiDate,
    BodyId,
    CustomValuesIn,
    CustomValuesOut,
    Id,
    InputSchema,
    NoNul,
    PageOut,
    PageQuery,
)
from peyvand.core.custom_fields import Entity
from peyvand.core.models import Scope, Team
from peyvand.core.pagination import keyset_page
from peyvand.core.selectors.custom_fields import custom_list
from peyvand.core.text import search_terms
from peyvand.customers import importer
from peyvand.customers.api.imports import ImportOut
from peyvand.customers.models import ImportJob

from ..models import CurrencyRate, PriceList, Product, ProductPrice, Unit
from ..periods import month_label, parse_month
from ..selectors import catalogue as catalogue_selectors
from ..selectors import forecast as forecast_selectors
from ..services import catalogue as services
from ..services import imports, targets
from .common import Amount, Currency, MoneyOut, QuantityOut, one_of

router = Router(tags=["products, forecast and imports"])


class PriceOut(Schema):
    price_list_id: int
    price_list: str
    currency: str
    price: MoneyOut

    @staticmethod
    def resolve_price_list(obj: ProductPrice) -> str:
        return obj.price_list.name

    @staticmethod
    def resolve_currency(obj: ProductPrice) -> str:
        return obj.price_list.currency


class ProductOut(Schema):
    id: int
    sku: str
    name_fa: str
    name_en: str
    unit: str
    tax_rate: QuantityOut
    unit_cost: MoneyOut | None = Field(description="In the base currency; null when not known")
    active: bool
    prices: list[PriceOut]
    custom: CustomValuesOut = Field(description=CUSTOM_OUT)

    @staticmethod
    def resolve_prices(obj: Product) -> list[ProductPrice]:
        return list(obj.prices.all())


class PriceIn(InputSchema):
    price_list_id: BodyId
    price: Amount | None = Field(description="null removes the product from the list")


class ProductIn(InputSchema):
    sku: Annotated[str, Field(max_length=40), NoNul] | None = None
    name_fa: Annotated[str, Field(max_length=200), NoNul] | None = None
    name_en: Annotated[str, Field(max_length=200), NoNul] | None = None
    unit: Unit | None = None
    tax_rate: Amount | None = None
    unit_cost: Amount | None = Field(None, description="In the base currency; null: not known")
    active: StrictBool | None = None
    prices: list[PriceIn] = Field(default_factory=list, max_length=50)
    custom: CustomValuesIn | None = Field(None, description=CUSTOM_IN)


class ProductQuery(PageQuery):
    q: Annotated[str, Field(max_length=200), NoNul] = ""
    active: StrictBool | None = True


class RateOut(Schema):
    currency: str
    rate: QuantityOut
    valid_from: dt.date


class RateIn(InputSchema):
    currency: Currency
    rate: Amount
    valid_from: ApiDate | None = Field(None, description="Today when left out")


class PriceListOut(Schema):
    id: int
    name: str
    currency: str
    is_default: bool
    active: bool
    products: int = Field(description="How many products have a price on this list")


class PriceListIn(InputSchema):
    name: Annotated[str, Field(max_length=100), NoNul] | None = None
    currency: Currency | None = Field(None, description="Only while the list has no prices")
    is_default: StrictBool | None = None
    active: StrictBool | None = None


class TargetQuery(Schema):
    month: Annotated[str, Field(max_length=10)] | None = Field(None, description="1405/09 or 2026-11")
    owner: Id | None = None
    team: Id | None = None


class CellOut(Schema):
    pipeline: MoneyOut
    weighted: MoneyOut
    won: MoneyOut
    target: MoneyOut | None


class MonthOut(CellOut):
    month: dt.date = Field(description="The first day of the sales month (Jalali months by default)")
    label: str


class OwnerOut(Schema):
    owner_id: int | None
    owner: str
    months: list[MonthOut]


class ForecastTeamOut(Schema):
    team_id: int | None = Field(description="null: deals of nobody, or of someone in no team")
    team: str
    months: list[MonthOut] = Field(description="The team's deals, and its own target (not its people's)")


class ForecastOut(Schema):
    months: list[MonthOut]
    teams: list[ForecastTeamOut]
    owners: list[OwnerOut]


class ForecastQuery(Schema):
    start: ApiDate | None = None
    months: Annotated[int, Field(ge=1, le=24)] = 6
    owner: Id | None = None
    team: Id | None = None


class TargetIn(InputSchema):
    month: Annotated[str, Field(max_length=10)] = Field(description="1405/09 or 2026-11")
    amount: Amount
    owner: BodyId | None = None
    team: BodyId | None = None


class TargetOut(Schema):
    id: int
    month: dt.date
    owner_id: int | None
    team_id: int | None
    amount: MoneyOut


def _prices(user: Any, payload: ProductIn) -> dict[PriceList, Any]:
    lists = PriceList.objects.filter(active=True)
    return {
        one_of(
            lists, item.price_list_id, f"prices.{i}.price_list_id", _("Choose an active price list.")
        ): item.price
        for i, item in enumerate(payload.prices)
    }


def _price_errors(prices: dict[PriceList, Any], call: Any) -> Any:
    """Run ``call``; a price's error is put on the body's ``prices.{i}.price``."""
    try:
        return call()
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        where = {services.price_field(p): f"prices.{i}.price" for i, p in enumerate(prices)}
        raise ValidationError({where.get(k, k): v for k, v in exc.message_dict.items()}) from None


def _products() -> Any:
    return Product.objects.prefetch_related(
        Prefetch("prices", ProductPrice.objects.select_related("price_list"))
    )


@router.get("/products", response={200: PageOut[ProductOut], **ERRORS}, summary="The product catalogue")
def product_list(request: HttpRequest, filters: Query[ProductQuery]) -> dict[str, Any]:
    queryset = _products()
    for term in search_terms(filters.q):
        queryset = queryset.filter(search_text__contains=term)
    if filters.active is not None:
        queryset = queryset.filter(active=filters.active)
    queryset, _order = custom_list(queryset, Entity.PRODUCT, custom_filters(request, Entity.PRODUCT), "")
    return page_out(keyset_page(queryset, order=["sku", "id"], cursor=filters.cursor, limit=filters.limit))


@router.get("/products/{int:product_id}", response={200: ProductOut, **ERRORS}, summary="One product")
def product_get(request: HttpRequest, product_id: Id) -> Product:
    return _products().get(pk=product_id)


@router.post("/products", response={201: ProductOut, **ERRORS}, summary="Add a product (administrators)")
def product_create(request: HttpRequest, payload: ProductIn) -> Status[Product]:
    user = actor(request)
    policy.require_admin(user)
    # A new product's required custom fields are checked, given or not.
    data = {"custom": None, **payload.model_dump(exclude_unset=True, exclude={"prices"})}
    prices = _prices(user, payload)
    product = _price_errors(prices, lambda: services.product_create(actor=user, data=data, prices=prices))
    return Status(201, _products().get(pk=product.pk))


@router.patch("/products/{int:product_id}", response={200: ProductOut, **ERRORS}, summary="Change a product")
def product_update(request: HttpRequest, product_id: Id, payload: ProductIn) -> Product:
    user = actor(request)
    policy.require_admin(user)
    product = Product.objects.get(pk=product_id)
    data = payload.model_dump(exclude_unset=True, exclude={"prices"})
    prices = _prices(user, payload)
    _price_errors(
        prices, lambda: services.product_update(product=product, actor=user, data=data, prices=prices)
    )
    return _products().get(pk=product.pk)


@router.get("/price-lists", response={200: list[PriceListOut], **ERRORS}, summary="Price lists")
def price_list_list(request: HttpRequest) -> list[PriceList]:
    actor(request)
    return list(catalogue_selectors.price_lists())


@router.post(
    "/price-lists", response={201: PriceListOut, **ERRORS}, summary="Add a price list (administrators)"
)
def price_list_create(request: HttpRequest, payload: PriceListIn) -> Status[PriceList]:
    user = actor(request)
    policy.require_admin(user)
    if payload.name is None or payload.currency is None:
        missing = [name for name in ("name", "currency") if getattr(payload, name) is None]
        raise ValidationError({name: [_("This field is required.")] for name in missing})
    made = services.price_list_create(
        actor=user,
        name=payload.name,
        currency=payload.currency,
        is_default=bool(payload.is_default),
        active=payload.active is not False,
    )
    return Status(201, catalogue_selectors.price_lists().get(pk=made.pk))


@router.patch(
    "/price-lists/{price_list_id}", response={200: PriceListOut, **ERRORS}, summary="Change a price list"
)
def price_list_update(request: HttpRequest, price_list_id: Id, payload: PriceListIn) -> PriceList:
    user = actor(request)
    policy.require_admin(user)
    price_list = PriceList.objects.get(pk=price_list_id)
    services.price_list_update(
        price_list=price_list, actor=user, data=payload.model_dump(exclude_unset=True, exclude_none=True)
    )
    return catalogue_selectors.price_lists().get(pk=price_list.pk)


@router.get(
    "/currency-rates", response={200: list[RateOut], **ERRORS}, summary="Exchange rates to the base currency"
)
def rate_list(request: HttpRequest) -> list[CurrencyRate]:
    return list(CurrencyRate.objects.order_by("currency", "-valid_from")[:500])


@router.post("/currency-rates", response={201: RateOut, **ERRORS}, summary="Set a rate (administrators)")
def rate_set(request: HttpRequest, payload: RateIn) -> Status[CurrencyRate]:
    user = actor(request)
    rate = services.currency_rate_set(
        actor=user, currency=payload.currency, rate=payload.rate, valid_from=payload.valid_from
    )
    return Status(201, rate)


@router.get(
    "/forecast", response={200: ForecastOut, **ERRORS}, summary="Weighted pipeline, won and targets by month"
)
def forecast(request: HttpRequest, filters: Query[ForecastQuery]) -> dict[str, Any]:
    user = actor(request)
    result = forecast_selectors.forecast(
        user=user, start=filters.start, months=filters.months, owner_id=filters.owner, team_id=filters.team
    )
    language = translation.get_language() or "fa"

    def months(cells: Any) -> list[dict[str, Any]]:
        return [{**vars(cells[m]), "month": m, "label": month_label(m, language)} for m in result.months]

    return {
        "months": months(result.totals),
        "teams": [
            {
                "team_id": team.pk if team else None,
                "team": team.name if team else "—",
                "months": months(cells),
            }
            for team, cells in forecast_selectors.team_rows(result)
        ],
        "owners": [
            {"owner_id": owner.pk if owner else None, "owner": str(owner or "—"), "months": months(cells)}
            for owner, cells in forecast_selectors.owner_rows(result)
        ],
    }


@router.get("/targets", response={200: list[TargetOut], **ERRORS}, summary="Targets you may see")
def target_list(request: HttpRequest, filters: Query[TargetQuery]) -> list[Any]:
    """Targets of your team and its people (all of them for an administrator), newest month first."""
    user = actor(request)
    if policy.scope(user, "deal", "view") == Scope.NONE:
        raise PermissionDenied(_("You do not have permission to see this record."))
    targets_qs = forecast_selectors.visible_targets(user).order_by("-month", "team_id", "owner_id", "id")
    if filters.month is not None:
        try:
            targets_qs = targets_qs.filter(month=parse_month(filters.month))
        except ValueError:
            raise field_error("month", _("Enter a month as year/month, for example 1405/09.")) from None
    if filters.owner is not None:
        targets_qs = targets_qs.filter(owner_id=filters.owner)
    if filters.team is not None:
        targets_qs = targets_qs.filter(team_id=filters.team, owner__isnull=True)
    return list(targets_qs[:1000])


@router.put("/targets", response={200: TargetOut, **ERRORS}, summary="Set a month's target (managers)")
def target_set(request: HttpRequest, payload: TargetIn) -> Any:
    user = actor(request)
    try:
        month = parse_month(payload.month)
    except ValueError:
        raise field_error("month", _("Enter a month as year/month, for example 1405/09.")) from None
    team = one_of(Team.objects.all(), payload.team, "team", _("Choose a team."))
    owner = resolve_user(payload.owner, "owner")
    return targets.target_set(actor=user, month=month, amount=payload.amount, owner=owner, team=team)


def _import(
    request: HttpRequest, kind: str, upload: UploadedFile, duplicates: str | None
) -> Status[ImportJob]:
    job = importer.import_submit(
        actor=actor(request),
        kind=kind,
        source=upload,
        name=upload.name or "",
        size=upload.size or 0,
        duplicates=duplicates,
    )
    return Status(202, job)


@router.post("/products/import", response={202: ImportOut, **ERRORS}, summary="Import products")
def import_products(
    request: HttpRequest,
    file: File[UploadedFile],
    duplicates: Form[Literal["update", "skip"] | None] = None,
) -> Status[ImportJob]:
    """CSV or XLSX with columns sku, name_fa, name_en, unit, tax_rate, price, currency, active (or
    their Persian names). Starts an import job, as ``/imports`` does, and returns it: follow it at
    ``/imports/{id}``, its refused rows (by row and column) at ``/imports/{id}/problems``. Every row
    is checked first; nothing is written unless every row is valid. A product whose SKU exists is
    updated (``duplicates=skip``: left as it is)."""
    return _import(request, imports.PRODUCTS, file, duplicates)


@router.post("/orders/import", response={202: ImportOut, **ERRORS}, summary="Import past orders")
def import_orders(
    request: HttpRequest,
    file: File[UploadedFile],
    duplicates: Form[Literal["refuse", "skip"] | None] = None,
) -> Status[ImportJob]:
    """One row per line: order (your reference), customer (id, email, phone or exact name), date
    (Jalali or Gregorian), sku, description, quantity, unit_price, amount (the order's total, checked).
    Starts an import job and returns it, as ``/products/import`` does. An order imported before is
    a problem (``duplicates=skip``: its rows are skipped)."""
    return _import(request, imports.ORDERS, file, duplicates)
