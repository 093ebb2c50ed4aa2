"""The generated store's catalogue and set-up: products and variations, tax rates and classes, tax
and general settings, shipping zones, coupons — shaped like the real store's REST answers."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from woonext.sim.woomoney_tax import TaxRate, TaxSettings, class_slug

from .generator_time import wc_dates

# (name, SKU stem, tax class, base price range in EGP) — an Egyptian gift and grocery shop.
SIMPLE_PRODUCTS: list[tuple[str, str, str, tuple[int, int]]] = [
    ("Egyptian Cotton T-Shirt", "TSHIRT-EG", "", (300, 600)),
    ("Handmade Leather Wallet", "WALLET-LTH", "", (500, 950)),
    ("Ceramic Coffee Mug", "MUG-CER", "", (120, 260)),
    ("Organic Sinai Honey 500g", "HONEY-ORG", "reduced-rate", (90, 180)),
    ("Arabic Coffee Beans 250g", "COFFEE-BEAN", "reduced-rate", (70, 150)),
    ("Children's Story Book", "BOOK-KID", "zero-rate", (50, 120)),
    ("Vitamin C Tablets x30", "VITC", "zero-rate", (45, 95)),
    ("Bluetooth Earbuds", "EARBUD-BT", "", (900, 1600)),
    ("Scented Candle Set", "CANDLE-SET", "", (300, 520)),
    ("Papyrus Art Print", "PAPYRUS", "", (200, 380)),
    ("Khan el-Khalili Lantern", "LANTERN-KK", "", (650, 1400)),
    ("Hibiscus Tea 200g", "KARKADE", "reduced-rate", (40, 90)),
    ("Olive Oil Soap Bar", "SOAP-OLV", "", (35, 80)),
    ("Cotton Bath Towel", "TOWEL-CTN", "", (180, 420)),
    ("Fresh Dates 1kg", "DATES-FRESH", "zero-rate", (80, 160)),
    ("Copper Coffee Pot", "CEZVE-CU", "", (250, 600)),
]
# (name, SKU stem, tax class, attribute, options, base price range)
VARIABLE_PRODUCTS: list[tuple[str, str, str, str, list[str], tuple[int, int]]] = [
    ("Classic Galabeya", "GALABEYA", "", "Size", ["S", "M", "L", "XL"], (320, 480)),
    ("Dates Gift Box", "DATES", "reduced-rate", "Weight", ["500g", "1kg"], (200, 420)),
    ("Alabaster Vase", "VASE-ALB", "", "Height", ["20cm", "30cm", "40cm"], (450, 1100)),
]

# (zone name, locations, flat rate), in zone order. Like WooCommerce, the first matching zone wins:
# New Cairo's postcodes before the rest of Cairo, Alexandria only with a 21… postcode, several
# governorates per regional zone, a postcode range for Upper Egypt, and the country as the fallback.
ZONES: list[tuple[str, list[dict[str, str]], str]] = [
    (
        "New Cairo",
        [
            {"code": "EG:EGC", "type": "state"},
            {"code": "11835", "type": "postcode"},
            {"code": "11841...11845", "type": "postcode"},
        ],
        "35.00",
    ),
    ("Cairo", [{"code": "EG:EGC", "type": "state"}], "30.00"),
    ("Giza", [{"code": "EG:EGGZ", "type": "state"}], "40.00"),
    ("Alexandria", [{"code": "EG:EGALX", "type": "state"}, {"code": "21*", "type": "postcode"}], "50.00"),
    (
        "Delta",
        [
            {"code": "EG:EGDK", "type": "state"},
            {"code": "EG:EGSHR", "type": "state"},
            {"code": "EG:EGKB", "type": "state"},
        ],
        "55.00",
    ),
    (
        "Canal Cities",
        [
            {"code": "EG:EGPTS", "type": "state"},
            {"code": "EG:EGIS", "type": "state"},
            {"code": "EG:EGSUZ", "type": "state"},
        ],
        "55.00",
    ),
    (
        "Upper Egypt",
        [
            {"code": "EG:EGLX", "type": "state"},
            {"code": "EG:EGASN", "type": "state"},
            {"code": "81000...81999", "type": "postcode"},
            {"code": "85*", "type": "postcode"},
        ],
        "70.00",
    ),
    ("Rest of Egypt", [{"code": "EG", "type": "country"}], "60.00"),
]
EXPRESS = ("Express (Cairo/Giza)", "85.00")


@dataclass
class Catalog:
    products: list[dict[str, Any]]
    variations: dict[int, list[dict[str, Any]]]  # parent id → variations
    tax_rates: list[dict[str, Any]]
    tax_classes: list[dict[str, Any]]
    settings: dict[str, list[dict[str, Any]]]  # "tax" / "general" → setting objects
    shipping_zones: list[dict[str, Any]]
    coupons: list[dict[str, Any]]

    def rates(self) -> list[TaxRate]:
        return [TaxRate.from_rest(r) for r in self.tax_rates]

    def tax_settings(self, prices_include_tax: bool | None = None) -> TaxSettings:
        settings = TaxSettings.from_rest(self.settings["tax"], self.settings["general"], self.tax_classes)
        if prices_include_tax is None:
            return settings
        return TaxSettings(**{**settings.__dict__, "prices_include_tax": prices_include_tax})

    def by_id(self) -> dict[int, dict[str, Any]]:
        """Products and variations by id (what woomoney looks line items up in)."""
        found = {p["id"]: p for p in self.products}
        for variations in self.variations.values():
            found.update({v["id"]: v for v in variations})
        return found

    def sellable(self) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
        """(product, variation) pairs a line can hold."""
        out: list[tuple[dict[str, Any], dict[str, Any] | None]] = []
        for product in self.products:
            if product["type"] == "variable":
                out.extend((product, v) for v in self.variations[product["id"]])
            else:
                out.append((product, None))
        return out


def _price(rng: random.Random, low: int, high: int) -> str:
    whole = rng.randint(low, high)
    cents = rng.choice(["00", "00", "50", "99", "95", "75", "25"])
    return f"{whole}.{cents}"


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name.lower().replace("'", "")).strip("-").replace("--", "-")


def _product(
    pid: int, name: str, sku: str, tax_class: str, price: str, kind: str, when: datetime, rng: random.Random, home: str
) -> dict[str, Any]:
    managed = kind == "simple" and rng.random() < 0.5
    on_sale = kind == "simple" and rng.random() < 0.15
    regular = f"{(Decimal(price) * Decimal('1.15')).quantize(Decimal('1'))}.00" if on_sale else price
    return {
        "id": pid,
        "name": name,
        "slug": _slug(name),
        "permalink": f"{home}/product/{_slug(name)}/",
        **wc_dates("date_created", when),
        **wc_dates("date_modified", when),
        "type": kind,
        "status": "publish",
        "featured": False,
        "catalog_visibility": "visible",
        "description": "",
        "short_description": "",
        "sku": sku,
        "price": "" if kind == "variable" else price,
        "regular_price": "" if kind == "variable" else regular,
        "sale_price": price if on_sale else "",
        "date_on_sale_from": None,
        "date_on_sale_from_gmt": None,
        "date_on_sale_to": None,
        "date_on_sale_to_gmt": None,
        "on_sale": on_sale,
        "purchasable": True,
        "total_sales": 0,
        "virtual": False,
        "downloadable": False,
        "downloads": [],
        "download_limit": -1,
        "download_expiry": -1,
        "external_url": "",
        "button_text": "",
        "tax_status": "taxable",
        "tax_class": tax_class,
        "manage_stock": managed,
        "stock_quantity": rng.randint(300, 900) if managed else None,
        "backorders": "no",
        "backorders_allowed": False,
        "backordered": False,
        "low_stock_amount": None,
        "sold_individually": False,
        "weight": "",
        "dimensions": {"length": "", "width": "", "height": ""},
        "shipping_required": True,
        "shipping_taxable": True,
        "shipping_class": "",
        "shipping_class_id": 0,
        "reviews_allowed": True,
        "average_rating": "0",
        "rating_count": 0,
        "upsell_ids": [],
        "cross_sell_ids": [],
        "parent_id": 0,
        "purchase_note": "",
        "categories": [{"id": 15, "name": "Uncategorized", "slug": "uncategorized"}],
        "brands": [],
        "tags": [],
        "images": [],
        "attributes": [],
        "default_attributes": [],
        "variations": [],
        "grouped_products": [],
        "menu_order": 0,
        "price_html": "",
        "related_ids": [],
        "meta_data": [],
        "stock_status": "instock",
        "has_options": kind == "variable",
        "post_password": "",
        "global_unique_id": "",
    }


def _variation(
    vid: int, parent: dict[str, Any], attribute: str, option: str, sku: str, price: str, tax_class: str, when: datetime
) -> dict[str, Any]:
    return {
        "id": vid,
        "type": "variation",
        **wc_dates("date_created", when),
        **wc_dates("date_modified", when),
        "description": "",
        "permalink": f"{parent['permalink']}?attribute_{attribute.lower()}={option}",
        "sku": sku,
        "global_unique_id": "",
        "price": price,
        "regular_price": price,
        "sale_price": "",
        "date_on_sale_from": None,
        "date_on_sale_from_gmt": None,
        "date_on_sale_to": None,
        "date_on_sale_to_gmt": None,
        "on_sale": False,
        "status": "publish",
        "purchasable": True,
        "virtual": False,
        "downloadable": False,
        "downloads": [],
        "download_limit": -1,
        "download_expiry": -1,
        "tax_status": "taxable",
        "tax_class": tax_class,
        "manage_stock": False,
        "stock_quantity": None,
        "stock_status": "instock",
        "backorders": "no",
        "backorders_allowed": False,
        "backordered": False,
        "low_stock_amount": None,
        "weight": "",
        "dimensions": {"length": "", "width": "", "height": ""},
        "shipping_class": "",
        "shipping_class_id": 0,
        "image": None,
        "gallery_image_ids": [],
        "attributes": [{"id": 0, "name": attribute, "slug": attribute.lower(), "option": option}],
        "menu_order": 0,
        "meta_data": [],
        "name": option,
        "parent_id": parent["id"],
    }


def build_catalog(rng: random.Random, start: datetime, home: str, currency: str, prices_include_tax: bool) -> Catalog:
    products: list[dict[str, Any]] = []
    variations: dict[int, list[dict[str, Any]]] = {}
    next_id = 11
    for n, (name, stem, tax_class, (low, high)) in enumerate(SIMPLE_PRODUCTS, start=1):
        products.append(
            _product(next_id, name, f"{stem}-{n:03d}", tax_class, _price(rng, low, high), "simple", start, rng, home)
        )
        next_id += 1
    for n, (name, stem, tax_class, attribute, options, (low, high)) in enumerate(VARIABLE_PRODUCTS, start=1):
        parent = _product(next_id, name, f"{stem}-VAR-{n:03d}", tax_class, "", "variable", start, rng, home)
        parent["attributes"] = [
            {
                "id": 0,
                "name": attribute,
                "slug": attribute.lower(),
                "position": 0,
                "visible": True,
                "variation": True,
                "options": options,
            }
        ]
        next_id += 1
        children = []
        for option in options:
            # Now and then one variation sits in another class than its parent (as DATES-1000 does).
            own_class = "zero-rate" if tax_class == "reduced-rate" and option == options[-1] else tax_class
            children.append(
                _variation(
                    next_id,
                    parent,
                    attribute,
                    option,
                    f"{stem}-{option.upper()}",
                    _price(rng, low, high),
                    own_class,
                    start,
                )
            )
            next_id += 1
        parent["variations"] = [c["id"] for c in reversed(children)]
        parent["price"] = min((c["price"] for c in children), key=Decimal)
        variations[parent["id"]] = children
        products.append(parent)
    return Catalog(
        products=products,
        variations=variations,
        tax_rates=_tax_rates(),
        tax_classes=_tax_classes(),
        settings=_settings(currency, prices_include_tax),
        shipping_zones=_zones(),
        coupons=_coupons(start),
    )


def _tax_rates() -> list[dict[str, Any]]:
    rates = [
        TaxRate(1, Decimal("14"), "VAT", "EG", priority=1, order=1, tax_class=""),
        TaxRate(3, Decimal("5"), "VAT reduced", "EG", priority=1, order=1, tax_class="reduced-rate"),
        TaxRate(4, Decimal("0"), "VAT zero", "EG", priority=1, order=1, tax_class="zero-rate"),
        TaxRate(2, Decimal("1"), "Local levy", "EG", "EGGZ", priority=2, order=2, tax_class=""),
    ]
    return [r.to_rest() for r in rates]


def _tax_classes() -> list[dict[str, Any]]:
    return [
        {"slug": "standard", "name": "Standard rate"},
        {"slug": "reduced-rate", "name": "Reduced rate"},
        {"slug": "zero-rate", "name": "Zero rate"},
    ]


def _settings(currency: str, prices_include_tax: bool) -> dict[str, list[dict[str, Any]]]:
    def opt(group: str, key: str, value: str, label: str) -> dict[str, Any]:
        return {
            "id": f"woocommerce_{key}",
            "label": label,
            "description": "",
            "type": "text",
            "default": "",
            "value": value,
            "group_id": group,
        }

    tax = [
        opt("tax", "prices_include_tax", "yes" if prices_include_tax else "no", "Prices entered with tax"),
        opt("tax", "tax_based_on", "shipping", "Calculate tax based on"),
        opt("tax", "shipping_tax_class", "inherit", "Shipping tax class"),
        opt("tax", "tax_round_at_subtotal", "no", "Rounding"),
        opt("tax", "tax_classes", "", "Additional tax classes"),
        opt("tax", "tax_display_shop", "excl", "Display prices in the shop"),
        opt("tax", "tax_display_cart", "excl", "Display prices during cart and checkout"),
        opt("tax", "tax_total_display", "itemized", "Display tax totals"),
    ]
    general = [
        opt("general", "store_address", "1 Tahrir Square", "Address line 1"),
        opt("general", "store_city", "Cairo", "City"),
        opt("general", "default_country", "EG:EGC", "Country / State"),
        opt("general", "store_postcode", "11511", "Postcode / ZIP"),
        opt("general", "calc_taxes", "yes", "Enable tax rates and calculations"),
        opt("general", "enable_coupons", "yes", "Enable the use of coupon codes"),
        opt("general", "calc_discounts_sequentially", "no", "Calculate coupon discounts sequentially"),
        opt("general", "currency", currency, "Currency"),
        opt("general", "currency_pos", "left", "Currency position"),
        opt("general", "price_thousand_sep", ",", "Thousand separator"),
        opt("general", "price_decimal_sep", ".", "Decimal separator"),
        opt("general", "price_num_decimals", "2", "Number of decimals"),
    ]
    return {"tax": tax, "general": general}


def _zones() -> list[dict[str, Any]]:
    zones: list[dict[str, Any]] = [
        {"id": 0, "name": "Locations not covered by your other zones", "order": 0, "locations": [], "methods": []}
    ]
    instance = 1
    for zid, (name, locations, cost) in enumerate(ZONES, start=1):
        methods = [_flat_rate(instance, f"Flat rate ({name})", cost)]
        instance += 1
        if name in ("Cairo", "Giza"):
            methods.append(_flat_rate(instance, EXPRESS[0], EXPRESS[1]))
            instance += 1
        zones.append({"id": zid, "name": name, "order": zid, "locations": locations, "methods": methods})
    return zones


def _flat_rate(instance: int, title: str, cost: str) -> dict[str, Any]:
    def field(key: str, label: str, value: str) -> dict[str, Any]:
        return {
            "id": key,
            "label": label,
            "description": "",
            "type": "text",
            "value": value,
            "default": "",
            "tip": "",
            "placeholder": "",
        }

    return {
        "id": instance,
        "instance_id": instance,
        "title": title,
        "order": 1,
        "enabled": True,
        "method_id": "flat_rate",
        "method_title": "Flat rate",
        "method_description": "<p>Lets you charge a fixed rate for shipping.</p>\n",
        "settings": {
            "title": field("title", "Name", title),
            "tax_status": field("tax_status", "Tax status", "taxable"),
            "cost": field("cost", "Cost", cost),
        },
    }


COUPONS: list[tuple[str, str, str, bool, str]] = [
    ("save50", "fixed_cart", "50.00", False, "50 EGP off cart"),
    ("item15", "fixed_product", "15.00", False, "15 EGP off each item"),
    ("freeship", "fixed_cart", "0.00", True, "Free shipping"),
    ("eid10", "percent", "10.00", False, "Eid 10% off"),
    ("welcome10", "percent", "10.00", False, "Welcome 10% off"),
]


def _coupons(when: datetime) -> list[dict[str, Any]]:
    out = []
    for n, (code, kind, amount, free, description) in enumerate(COUPONS):
        out.append(
            {
                "id": 60 + n,
                "code": code,
                "amount": amount,
                "status": "publish",
                **wc_dates("date_created", when),
                **wc_dates("date_modified", when),
                "discount_type": kind,
                "description": description,
                "date_expires": None,
                "date_expires_gmt": None,
                "usage_count": 0,
                "individual_use": False,
                "product_ids": [],
                "excluded_product_ids": [],
                "usage_limit": None,
                "usage_limit_per_user": None,
                "limit_usage_to_x_items": None,
                "free_shipping": free,
                "product_categories": [],
                "excluded_product_categories": [],
                "exclude_sale_items": False,
                "minimum_amount": "0.00",
                "maximum_amount": "0.00",
                "email_restrictions": [],
                "used_by": [],
                "meta_data": [],
            }
        )
    return out


def _postcode_in(postcode: str, pattern: str) -> bool:
    if "..." in pattern:
        low, high = pattern.split("...")
        return postcode.isdigit() and int(low) <= int(postcode) <= int(high)
    return postcode.startswith(pattern[:-1]) if pattern.endswith("*") else postcode == pattern


def zone_for(zones: list[dict[str, Any]], state: str, postcode: str) -> dict[str, Any]:
    """The first zone (by order) matching an Egyptian address: a region matches, and its postcode
    patterns (if it has any: exact, `prefix*` or `low...high`) do too."""
    for zone in sorted(zones, key=lambda z: z["order"]):
        regions = [loc["code"] for loc in zone["locations"] if loc["type"] in ("state", "country")]
        postcodes = [loc["code"] for loc in zone["locations"] if loc["type"] == "postcode"]
        if not regions or not any(code in (f"EG:{state}", "EG") for code in regions):
            continue
        if postcodes and not any(_postcode_in(postcode, p) for p in postcodes):
            continue
        return zone
    return zones[0]


def tax_class_of(product: dict[str, Any], variation: dict[str, Any] | None) -> str:
    own = (variation or product)["tax_class"]
    return class_slug(product["tax_class"] if own == "parent" else own)
