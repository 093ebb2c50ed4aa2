from __future__ import annotations

import tomllib

from woonext.config_problems import Problems, key_lines, line_of

DOC = '''# comment
state_url = "sqlite:///x.sqlite"

[erpnext]
url = "http://erp"
notes = """
fake = "not a key"
"""
api_key = "k"

[[stores]]
name = "a"
schedules.orders = "bad"

[[stores]]
name = "b"

[stores.tax_accounts]
"1" = "VAT"
'b.c' = "x"
'''


def test_key_lines_follow_tables_arrays_dotted_and_quoted_keys() -> None:
    tomllib.loads(DOC)  # the fixture itself is valid TOML
    lines = key_lines(DOC)
    assert lines[("state_url",)] == 2
    assert lines[("erpnext", "url")] == 5
    assert lines[("erpnext", "api_key")] == 9  # the multi-line string's inner "fake =" is skipped
    assert ("erpnext", "fake") not in lines
    assert lines[("stores", 0)] == 11 and lines[("stores", 0, "schedules", "orders")] == 13
    assert lines[("stores", 1, "name")] == 16
    assert lines[("stores", 1, "tax_accounts", "1")] == 19
    assert lines[("stores", 1, "tax_accounts", "b.c")] == 20
    # Absent keys point at their table.
    assert line_of(("stores", 1, "company"), lines) == 15
    assert line_of(("service", "port"), lines) is None


def test_problems_render_sorted_by_line_with_store_names() -> None:
    problems = Problems()
    problems.add(("stores", 1, "name"), "second")
    problems.add(("erpnext", "url"), "first")
    problems.add(("service",), "no line")
    raw = tomllib.loads(DOC)
    assert problems.render(raw, DOC) == [
        "service: no line",
        "erpnext.url (line 5): first",
        '[[stores]] #2 (name "b").name (line 16): second',
    ]
