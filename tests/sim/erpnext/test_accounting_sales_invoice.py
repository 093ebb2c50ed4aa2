"""C2 item 12: the Sales Invoice model — defaults, dates, links, taxes, discounts, rounding, GL."""

from __future__ import annotations

from test_accounting_seed import SI, error, messages, seeded


async def test_c2_12_defaults_come_from_customer_company_item_and_price_list() -> None:
    async with seeded() as erp:
        doc = await erp.invoice(2, 24.99, disable_rounded_total=1)
        assert (doc["customer_name"], doc["title"], doc["territory"], doc["customer_group"]) == (
            "Test Customer",
            "Test Customer",
            "Egypt",
            "Individual",
        )
        assert (doc["debit_to"], doc["currency"], doc["conversion_rate"]) == ("Debtors - JT", "EGP", 1.0)
        assert (doc["selling_price_list"], doc["price_list_currency"], doc["plc_conversion_rate"]) == (
            "Standard Selling",
            "EGP",
            1.0,
        )
        row = doc["items"][0]
        assert (row["income_account"], row["expense_account"], row["cost_center"]) == (
            "Sales - JT",
            "Cost of Goods Sold - JT",
            "Main - JT",
        )
        assert (row["price_list_rate"], row["discount_amount"], row["rate"], row["amount"]) == (
            150.0,
            125.01,
            24.99,
            49.98,
        )
        assert (row["warehouse"], row["actual_qty"], row["incoming_rate"], row["item_tax_rate"]) == (
            "Jarz Main - JT",
            98.0,
            80.0,
            "{}",
        )
        assert doc["base_in_words"] == "EGP Forty Nine and Ninety Eight Piastre[F] only."
        assert (doc["status"], doc["outstanding_amount"], doc["against_income_account"]) == (
            "Draft",
            49.98,
            "Sales - JT",
        )


async def test_c2_12_posting_date_becomes_today_unless_set_posting_time() -> None:
    async with seeded() as erp:
        response = await erp.insert(
            SI,
            {
                "customer": "Test Customer",
                "company": "Jarz Test",
                "posting_date": "2025-03-01",
                "due_date": "2025-03-01",
                "items": [{"item_code": "Test Cake", "qty": 1, "rate": 10}],
            },
        )
        assert error(response) == (
            417,
            "ValidationError",
            ["Due Date cannot be before Posting / Supplier Invoice Date"],
        )
        kept = await erp.invoice(1, 10, posting_date="2025-03-01", due_date="2025-03-01", set_posting_time=1)
        assert (kept["posting_date"], kept["due_date"]) == ("2025-03-01", "2025-03-01")
        today = await erp.invoice(1, 10, posting_date="2025-03-01")
        assert (today["posting_date"], today["due_date"]) == ("2026-11-25", "2026-11-25")


async def test_c2_12_unknown_customer_is_a_500_and_unknown_item_a_404() -> None:
    async with seeded() as erp:
        response = await erp.insert(
            SI,
            {
                "customer": "No Such Customer",
                "company": "Jarz Test",
                "items": [{"item_code": "Test Cake", "qty": 1}],
            },
        )
        assert response.status_code == 500
        assert response.json()["exc_type"] == "AttributeError"
        assert "'NoneType' object has no attribute 'payment_terms'" in response.json()["exception"]
        response = await erp.insert(
            SI,
            {
                "customer": "Test Customer",
                "company": "Jarz Test",
                "items": [{"item_code": "NO-SUCH-SKU", "qty": 1}],
            },
        )
        assert error(response) == (404, "DoesNotExistError", ["Item NO-SUCH-SKU not found"])
        assert await erp.count(SI) == 0


async def test_c2_12_actual_tax_rows_and_shipping_row_add_up() -> None:
    async with seeded() as erp:
        doc = await erp.invoice(
            disable_rounded_total=1,
            items=[
                {"item_code": "Test Cake", "qty": 3, "rate": 33.33, "item_tax_rate": '{"VAT 14% - JT": 14}'},
                {"item_code": "Shipping", "qty": 1, "rate": 30, "income_account": "Shipping Income - JT"},
            ],
            taxes=[
                {
                    "charge_type": "Actual",
                    "account_head": "VAT 14% - JT",
                    "description": "VAT",
                    "tax_amount": 18.2,
                }
            ],
        )
        assert (doc["net_total"], doc["total_taxes_and_charges"], doc["grand_total"]) == (
            129.99,
            18.2,
            148.19,
        )
        assert doc["taxes"][0]["total"] == 148.19
        assert doc["items"][0]["item_tax_rate"] == "{}"  # no Item Tax Template: what was sent is dropped
        assert (doc["taxes"][0]["cost_center"], doc["taxes"][0]["account_currency"]) == ("Main - JT", "EGP")
        assert doc["taxes"][0]["item_wise_tax_detail"] == '{"Test Cake":[0.0,14.0],"Shipping":[0.0,4.2]}'
        assert doc["against_income_account"] == "Sales - JT,Shipping Income - JT"


async def test_c2_12_percentage_tax_and_rounding() -> None:
    async with seeded() as erp:
        doc = await erp.invoice(
            1,
            24.99,
            taxes=[
                {
                    "charge_type": "On Net Total",
                    "account_head": "VAT 14% - JT",
                    "description": "VAT",
                    "rate": 14,
                }
            ],
        )
        assert (doc["total_taxes_and_charges"], doc["grand_total"]) == (3.5, 28.49)
        assert (doc["rounded_total"], doc["rounding_adjustment"], doc["outstanding_amount"]) == (
            28.0,
            -0.49,
            28.0,
        )
        assert doc["in_words"] == "EGP Twenty Eight only."


async def test_c2_12_discount_needs_apply_discount_on() -> None:
    async with seeded() as erp:
        response = await erp.insert(
            SI,
            {
                "customer": "Test Customer",
                "company": "Jarz Test",
                "apply_discount_on": "",
                "discount_amount": 5,
                "items": [{"item_code": "Test Cake", "qty": 1, "rate": 50}],
            },
        )
        assert error(response) == (417, "ValidationError", ["Please select Apply Discount On"])
        doc = await erp.invoice(1, 50, apply_discount_on="Net Total", discount_amount=5, disable_rounded_total=1)
        assert (doc["total"], doc["net_total"], doc["grand_total"], doc["discount_amount"]) == (
            50.0,
            45.0,
            45.0,
            5.0,
        )


async def test_c2_12_negative_rate_is_a_draft_but_not_a_submit() -> None:
    async with seeded() as erp:
        doc = await erp.invoice(1, -5, items=[{"item_code": "Shipping", "qty": 1, "rate": -5}])
        assert doc["grand_total"] == -5.0
        response = await erp.submit(SI, doc["name"])
        assert error(response) == (
            417,
            "ValidationError",
            [
                "For item <strong>Shipping</strong>, rate must be a positive number. "
                "To Allow negative rates, "
                "enable `Allow Negative rates for Items` in Selling Settings"
            ],
        )


async def test_c2_12_first_invoice_of_an_unpriced_item_adds_an_item_price() -> None:
    async with seeded() as erp:
        response = await erp.insert(
            SI,
            {
                "customer": "Test Customer",
                "company": "Jarz Test",
                "items": [{"item_code": "Shipping", "qty": 1, "rate": 45}],
            },
        )
        assert response.status_code == 200
        assert messages(response) == ["Item Price added for Shipping in Price List Standard Selling"]
        second = await erp.invoice(1, 40, items=[{"item_code": "Shipping", "qty": 1, "rate": 40}])
        assert second["items"][0]["price_list_rate"] == 45.0
        assert await erp.count("Item Price", item_code="Shipping") == 1


async def test_c2_12_submit_books_balanced_gl_and_cancel_reverses_it() -> None:
    async with seeded() as erp:
        doc = await erp.invoice(2, 24.99)  # rounding on: 49.98 → 50.0
        response = await erp.submit(SI, doc["name"])
        assert (response.status_code, response.json()["data"]["status"]) == (200, "Unpaid")
        posted = [g for g in erp.sim.gl_entries if g["voucher_no"] == doc["name"]]
        by_account = {g["account"]: (g["debit"], g["credit"]) for g in posted}
        assert by_account == {
            "Debtors - JT": (50.0, 0.0),
            "Sales - JT": (0.0, 49.98),
            "Round Off - JT": (0.0, 0.02),
        }
        assert (await erp.cancel(SI, doc["name"])).status_code == 200
        net: dict[str, float] = {}
        for g in erp.sim.gl_entries:
            if g["voucher_no"] == doc["name"]:
                net[g["account"]] = round(net.get(g["account"], 0) + g["debit"] - g["credit"], 2)
        assert set(net.values()) == {0.0}
        assert (await erp.get(SI, doc["name"]))["status"] == "Cancelled"


async def test_c2_12_foreign_currency_invoice_converts_to_company_currency() -> None:
    async with seeded() as erp:
        doc = await erp.invoice(2, 10.25, currency="USD", conversion_rate=48.5, disable_rounded_total=1)
        assert (doc["grand_total"], doc["base_grand_total"], doc["items"][0]["base_amount"]) == (
            20.5,
            994.25,
            994.25,
        )
        assert doc["in_words"] == "USD Twenty and Fifty Cent only."


async def test_c2_12_rate_above_list_price_gives_a_negative_row_discount_and_no_rate_takes_the_price() -> None:
    async with seeded() as erp:
        above = await erp.invoice(1, 160.5)
        assert (above["items"][0]["price_list_rate"], above["items"][0]["discount_amount"]) == (150.0, -10.5)
        listed = await erp.invoice(items=[{"item_code": "Test Cake", "qty": 3}], ignore_pricing_rule=1)
        assert (listed["items"][0]["rate"], listed["items"][0]["discount_amount"], listed["grand_total"]) == (
            150.0,
            0.0,
            450.0,
        )


async def test_c2_12_negative_rates_are_accepted_when_selling_settings_allow_them() -> None:
    async with seeded() as erp:
        response = await erp.request(
            "PUT", "/api/resource/Selling Settings/Selling Settings", {"allow_negative_rates_for_items": 1}
        )
        assert response.status_code == 200, response.text
        doc = await erp.invoice(
            docstatus=1,
            items=[{"item_code": "Test Cake", "qty": 1, "rate": 10}, {"item_code": "Shipping", "qty": 1, "rate": -4}],
        )
        assert (await erp.get(SI, doc["name"]))["grand_total"] == 6.0
