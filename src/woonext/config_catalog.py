"""Configuration of the catalog bridge (docs/catalog.md): `[stores.catalog]`, `[stores.stock]`,
`[stores.prices]`. Every option has a default that suits a shop that starts from WooCommerce."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

PRODUCT_FIELDS = ("product_id", "sku", "slug")
VARIATION_FIELDS = ("product_id", "variation_id", "sku", "parent_sku")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _pattern(value: str, fields: tuple[str, ...]) -> str:
    try:
        value.format(**{f: "x" for f in fields})
    except (KeyError, IndexError, ValueError) as exc:
        raise ValueError(f"{value!r} may only use {', '.join('{' + f + '}' for f in fields)} ({exc})") from None
    return value


class CatalogConfig(_Strict):
    """WooCommerce products → ERPNext Items (`woonext items sync`)."""

    # Item code of a product / variation without a SKU (the SKU is used when there is one).
    item_code_pattern: str = "WOO-{product_id}"
    variant_code_pattern: str = "WOO-{product_id}-{variation_id}"
    # Item Group: the first category, mapped here by category name or slug, else an Item Group of
    # that name created under `item_group_root`; products without a category go to `default_item_group`.
    item_groups: dict[str, str] = Field(default_factory=dict)
    item_group_root: str = "All Item Groups"
    default_item_group: str = "Products"
    # WooCommerce attribute name (or slug, e.g. "pa_color") → ERPNext Item Attribute ("Color" → "Colour").
    attributes: dict[str, str] = Field(default_factory=dict)
    stock_uom: str = "Nos"
    # An order line whose product has no Item yet: make it on the fly (else the order waits NeedsReview).
    create_missing_items: bool = True

    @field_validator("item_code_pattern")
    @classmethod
    def _product_pattern(cls, value: str) -> str:
        return _pattern(value, PRODUCT_FIELDS)

    @field_validator("variant_code_pattern")
    @classmethod
    def _variant_pattern(cls, value: str) -> str:
        return _pattern(value, VARIATION_FIELDS)


class StockConfig(_Strict):
    """ERPNext stock → WooCommerce `stock_quantity` (`woonext stock push`)."""

    enabled: bool = True
    warehouses: list[str] = Field(default_factory=list)  # summed; [] = the store's `warehouse`
    buffer: int = Field(default=0, ge=0)  # units kept back from what WooCommerce may sell
    # Orders WooCommerce counted but woonext has not invoiced yet are looked for this far back.
    hold_days: int = Field(default=30, ge=1, le=365)


class PricesConfig(_Strict):
    """ERPNext Item Prices → WooCommerce `regular_price` / `sale_price` (`woonext prices push`)."""

    enabled: bool = True
    regular_price_list: str = ""  # "" = the store's `price_list`
    sale_price_list: str = ""  # "" = no sale prices are written
