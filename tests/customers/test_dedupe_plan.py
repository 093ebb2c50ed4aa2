"""The dedupe plan (pure): groups by shared e-mail/phone, what is provable, the survivor, the evidence."""

from __future__ import annotations

from woonext.mapping.dedupe import (
    DIFFERENT_CURRENCY,
    DIFFERENT_CUSTOMER_TYPE,
    DIFFERENT_PARTY_ACCOUNTS,
    DIFFERENT_WOO_CUSTOMERS,
    DISABLED_SURVIVOR,
    INTERNAL_CUSTOMER,
    NAMES_DIFFER,
    CustomerFacts,
    names_compatible,
    plan_dedupe,
)


def cust(name: str, created: str = "2025-01-01", **kw: object) -> CustomerFacts:
    base: dict[str, object] = {
        "customer_name": name.split(" - ")[0],
        "customer_type": "Individual",
        "creation": f"{created} 10:00:00.000000",
        "region": "EG",
    }
    base.update(kw)
    return CustomerFacts(name=name, **base)  # type: ignore[arg-type]


def test_same_phone_in_three_formats_is_one_person_merged_into_the_oldest() -> None:
    plan = plan_dedupe(
        [
            cust("Mona Hassan - 1", "2025-03-01", phones=("+20 10 1234 5678",)),
            cust("Mona Hassan", "2025-01-01", phones=("01012345678",)),
            cust("Mona Hassan - 2", "2025-05-01", phones=("0020-1012345678",)),
            cust("Somebody Else", phones=("01099999999",)),
        ]
    )
    assert plan.review == ()
    (merge,) = plan.merges
    assert merge.survivor == "Mona Hassan" and merge.merged == ("Mona Hassan - 1", "Mona Hassan - 2")
    assert merge.survivor_reason == "the oldest (created 2025-01-01 10:00:00.000000)"
    (evidence,) = merge.evidence
    assert (evidence.kind, evidence.value) == ("phone", "+201012345678")
    assert evidence.written == ("+20 10 1234 5678", "0020-1012345678", "01012345678")
    assert plan.duplicates == 2 and plan.customers == 4


def test_email_case_and_spaces_prove_it_even_with_other_names_and_the_woo_bound_one_survives() -> None:
    plan = plan_dedupe(
        [
            cust("Ana Ruiz", "2024-01-01", emails=("Ana.Ruiz@Example.com ",)),
            cust(
                "A. R.", "2025-01-01", emails=("ana.ruiz@example.com",), woo_customer_id="42", customer_key="main:id:42"
            ),
        ]
    )
    (merge,) = plan.merges
    assert (merge.survivor, merge.merged) == ("A. R.", ("Ana Ruiz",))
    assert merge.survivor_reason == "bound to WooCommerce customer 42"
    assert merge.evidence[0].describe() == (
        "email ana.ruiz@example.com ('Ana.Ruiz@Example.com', 'ana.ruiz@example.com') on A. R., Ana Ruiz"
    )


def test_a_family_phone_with_different_names_needs_a_person() -> None:
    plan = plan_dedupe(
        [
            cust("Mona Hassan", phones=("01012345678",)),
            cust("Ahmed Ali", "2025-02-01", phones=("+201012345678",)),
        ]
    )
    assert plan.merges == ()
    (review,) = plan.review
    assert review.reason == NAMES_DIFFER and review.customers == ("Ahmed Ali", "Mona Hassan")
    assert "phone +201012345678" in review.detail and "'Mona Hassan'" in review.detail


def test_provable_part_of_a_group_is_merged_and_the_household_member_is_left_for_a_person() -> None:
    plan = plan_dedupe(
        [
            cust("Mona Hassan", emails=("mona@x.com",), phones=("01012345678",)),
            cust("Mona Hassan - 1", "2025-02-01", emails=("MONA@x.com",)),
            cust("Ahmed Ali", "2025-03-01", phones=("01012345678",)),
        ]
    )
    (merge,) = plan.merges
    assert (merge.survivor, merge.merged) == ("Mona Hassan", ("Mona Hassan - 1",))
    (review,) = plan.review
    # listed by the names they will have after the merge, so the next run finds the same group
    assert review.customers == ("Ahmed Ali", "Mona Hassan") and review.reason == NAMES_DIFFER
    assert [e.kind for e in review.evidence] == ["phone"]


def test_phone_with_compatible_names_is_provable() -> None:
    plan = plan_dedupe(
        [
            cust("Mona Hassan", phones=("01012345678",)),
            cust("mona  HASSAN - 3", "2025-02-01", phones=("010 1234 5678",)),
            cust("M. Hassan", "2025-03-01", phones=("+201012345678",)),
            cust("Guest 17", "2025-04-01", phones=("00201012345678",)),
        ]
    )
    assert plan.review == () and len(plan.merges) == 1 and len(plan.merges[0].merged) == 3


def test_two_woocommerce_accounts_are_never_merged_automatically() -> None:
    plan = plan_dedupe(
        [
            cust("Ana Ruiz", emails=("ana@x.com",), woo_customer_id="7", customer_key="main:id:7"),
            cust("Ana Ruiz - 1", emails=("ana@x.com",), woo_customer_id="9", customer_key="main:id:9"),
            cust("Ana Ruiz - 2", emails=("ana@x.com",)),
        ]
    )
    assert plan.merges == ()
    (review,) = plan.review
    assert review.reason == DIFFERENT_WOO_CUSTOMERS and len(review.customers) == 3
    assert "7 in store main" in review.detail and "9 in store main" in review.detail
    same_id_two_stores = plan_dedupe(
        [
            cust("Ana Ruiz", emails=("ana@x.com",), woo_customer_id="7", customer_key="a:id:7"),
            cust("Ana Ruiz - 1", emails=("ana@x.com",), woo_customer_id="7", customer_key="b:id:7"),
        ]
    )
    assert same_id_two_stores.review[0].reason == DIFFERENT_WOO_CUSTOMERS


def test_other_blockers() -> None:
    cases = {
        DIFFERENT_CUSTOMER_TYPE: {"customer_type": "Company"},
        DIFFERENT_CURRENCY: {"default_currency": "USD"},
        INTERNAL_CUSTOMER: {"internal": True},
        DIFFERENT_PARTY_ACCOUNTS: {"party_accounts": (("Jarz", "Debtors USD - J"),)},
    }
    for reason, extra in cases.items():
        plan = plan_dedupe(
            [
                cust("Ana", emails=("ana@x.com",), default_currency="EGP", party_accounts=(("Jarz", "Debtors - J"),)),
                cust("Ana - 1", "2025-02-01", emails=("ana@x.com",), **extra),
            ]
        )
        assert plan.merges == () and [r.reason for r in plan.review] == [reason], reason
    disabled = plan_dedupe(
        [
            cust("Ana", emails=("ana@x.com",), woo_customer_id="7", disabled=True),
            cust("Ana - 1", "2025-02-01", emails=("ana@x.com",)),
        ]
    )
    assert [r.reason for r in disabled.review] == [DISABLED_SURVIVOR]


def test_enabled_beats_older_disabled_and_unusable_values_link_nothing() -> None:
    plan = plan_dedupe(
        [
            cust("Ana", "2024-01-01", emails=("ana@x.com",), disabled=True),
            cust("Ana - 1", "2025-01-01", emails=("ana@x.com",)),
            cust("X", phones=("123",), emails=("not-an-email",)),
            cust("Y", phones=("123",), emails=("not-an-email",)),
        ]
    )
    (merge,) = plan.merges
    assert merge.survivor == "Ana - 1" and merge.survivor_reason.startswith("the oldest enabled one")
    assert plan.review == ()


def test_local_numbers_need_the_region() -> None:
    without_region = plan_dedupe(
        [
            cust("Mona", phones=("01012345678",), region=""),
            cust("Mona - 1", phones=("+201012345678",), region=""),
        ]
    )
    assert without_region.merges == ()  # "01012345678" means nothing without a country


def test_names_compatible() -> None:
    assert names_compatible("Mona Hassan", "mona hassan - 2")
    assert names_compatible("Mona", "Mona Hassan")
    assert names_compatible("M. Hassan", "Mona Hassan")
    assert names_compatible("", "Anyone") and names_compatible("mona@x.com", "Ahmed")
    assert not names_compatible("Mona Hassan", "Ahmed Ali")
    assert not names_compatible("Mona Hassan", "Mona Ali")
