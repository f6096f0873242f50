"""Products and past orders as kinds of the import machinery (``customers.importer``): the
fields a column can feed, with what such a column is called in Persian and English, and the
readers, checks, writers and undo of ``services.imports``. Registered from the app's hooks."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from peyvand.core.custom_fields import Entity
from peyvand.core.hooks import register_change_label
from peyvand.customers import importer
from peyvand.customers.importer import Importer, Requirement, Target, headers
from peyvand.customers.models import ImportJob

from .services import imports

Policy = ImportJob.Policy

SKU = Target(
    "sku",
    _("SKU"),
    headers("sku", "product code", "item code", "code", "کد کالا", "شناسه کالا", "کد محصول", "کد"),
)
CURRENCY = Target("currency", _("Currency"), headers("currency", "ارز", "واحد پول"))
TAX_RATE = Target(
    "tax_rate",
    _("Tax rate (%)"),
    headers(
        "tax_rate", "tax rate", "tax", "vat", "مالیات", "نرخ مالیات", "درصد مالیات", "مالیات بر ارزش افزوده"
    ),
)

PRODUCT_TARGETS = (
    SKU,
    Target(
        "name_fa",
        _("Name in Persian"),
        headers(
            "name_fa",
            "name fa",
            "persian name",
            "name",
            "product",
            "product name",
            "نام",
            "نام فارسی",
            "نام کالا",
            "نام محصول",
            "کالا",
            "عنوان",
        ),
    ),
    Target(
        "name_en",
        _("Name in English"),
        headers("name_en", "name en", "english name", "نام انگلیسی", "نام لاتین"),
    ),
    Target("unit", _("Unit"), headers("unit", "uom", "unit of measure", "واحد", "واحد شمارش", "واحد سنجش")),
    TAX_RATE,
    Target(
        "price", _("Price"), headers("price", "list price", "unit price", "قیمت", "بها", "فی", "قیمت فروش")
    ),
    CURRENCY,
    Target("active", _("Active"), headers("active", "enabled", "فعال", "وضعیت")),
)

ORDER_TARGETS = (
    Target(
        "order",
        _("Order reference"),
        headers(
            "order",
            "order number",
            "order no",
            "order id",
            "reference",
            "invoice",
            "invoice number",
            "سفارش",
            "شماره سفارش",
            "شماره فاکتور",
            "فاکتور",
        ),
    ),
    Target(
        "customer",
        _("Customer"),
        headers("customer", "client", "customer name", "مشتری", "نام مشتری", "خریدار", "طرف حساب"),
    ),
    Target("date", _("Order date"), headers("date", "order date", "تاریخ", "تاریخ سفارش", "تاریخ فاکتور")),
    Target("sku", _("SKU"), (*SKU.headers, *headers("product", "کالا"))),
    Target("description", _("Description"), headers("description", "item", "شرح", "شرح کالا", "توضیحات")),
    Target("quantity", _("Quantity"), headers("quantity", "qty", "count", "تعداد", "مقدار")),
    Target(
        "unit_price",
        _("Unit price"),
        headers("unit_price", "unit price", "price", "قیمت واحد", "بهای واحد", "قیمت", "فی"),
    ),
    Target(
        "amount",
        _("Order total"),
        headers("amount", "total", "order total", "مبلغ کل", "جمع کل", "مبلغ", "جمع"),
    ),
    CURRENCY,
    TAX_RATE,
    Target(
        "discount_percent", _("Discount (%)"), headers("discount_percent", "discount", "تخفیف", "درصد تخفیف")
    ),
)


def register() -> None:
    """Products (administrators) and past orders (administrators and managers)."""
    importer.import_custom_fields(imports.PRODUCTS, Entity.PRODUCT)
    common: dict[str, Any] = {
        "start_url": ("sales:import", ()),
        "nav": "admin",
        "chunk_rows": imports.CHUNK_ROWS,
        "max_rows": imports.MAX_ROWS,
    }
    importer.register(
        Importer(
            key=imports.PRODUCTS,
            label=_("Products"),
            may_import=imports.may_import_products,
            require=imports.require_product_import,
            targets=PRODUCT_TARGETS,
            requirements=(
                Requirement(("sku",), _("Choose the column with the SKU.")),
                Requirement(("name_fa",), _("Choose the column with the name in Persian.")),
            ),
            reader=imports.ProductReader,
            checker=imports.ProductChecker,
            writer=imports.ProductWriter,
            undo=imports.products_undo,
            duplicate=_("When a row's SKU is already in the catalogue"),
            policies=(
                (Policy.UPDATE, _("Update the product with its name, unit, tax rate and price")),
                (Policy.SKIP, _("Skip the row and keep the product as it is")),
            ),
            default_policy=Policy.UPDATE,
            list_url=("sales:product_list", ()),
            list_label=_("Go to products"),
            undo_confirm=_(
                "Undo this import? Its new products are removed and the products it changed get back "
                "their names and prices."
            ),
            undone=_("The import was undone: its new products are removed and its changes reverted."),
            **common,
        )
    )
    importer.register(
        Importer(
            key=imports.ORDERS,
            label=_("Past orders"),
            may_import=imports.may_import_orders,
            require=imports.require_order_import,
            targets=ORDER_TARGETS,
            requirements=tuple(
                Requirement((key,), message)
                for key, message in (
                    ("order", _("Choose the column with the order reference.")),
                    ("customer", _("Choose the column with the customer.")),
                    ("date", _("Choose the column with the order date.")),
                    ("quantity", _("Choose the column with the quantity.")),
                    ("unit_price", _("Choose the column with the unit price.")),
                )
            ),
            reader=imports.OrderReader,
            checker=imports.OrderChecker,
            writer=imports.OrderWriter,
            undo=imports.orders_undo,
            duplicate=_("When an order with the same reference was imported before"),
            policies=(
                (Policy.REFUSE, _("Report its rows as problems (nothing is imported)")),
                (Policy.SKIP, _("Skip its rows and import the other orders")),
            ),
            default_policy=Policy.REFUSE,
            list_url=("sales:order_list", ()),
            list_label=_("Go to orders"),
            undo_confirm=_("Undo this import? The orders it brought in are deleted."),
            undone=_("The import was undone: the orders it brought in are deleted."),
            **common,
        )
    )
    register_change_label("products", _("products"))
    register_change_label("orders", _("orders"))
    register_change_label("restored", _("restored"))
