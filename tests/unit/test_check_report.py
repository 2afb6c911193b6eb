from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from datamesh.check.findings import (
    Addition,
    BreakingChange,
    CheckResult,
    Consumer,
    Finding,
    finding_key,
)
from datamesh.check.report import render_json, render_junit, render_markdown, render_text


def result() -> CheckResult:
    return CheckResult(
        generated_at="2026-11-26T00:00:00+00:00",
        baseline="origin/main",
        findings=[
            Finding("public-contract", "error", "no | contract", "sales", "fct_orders", None,
                    "domains/sales/models/fct_orders.yml", "why"),
            Finding("unused-public-model", "info", "nobody", "catalog", "dim_stores"),
        ],
        breaking_changes=[
            BreakingChange("column-removed", "customers", "dim_customers", 2, "gone",
                           column="email", before="email",
                           consumers=(Consumer("sales", "fct_orders", 2,
                                               "domains/sales/models/fct_orders.sql", 34,
                                               "Sales team", True, "pinned to v2: keep it"),)),
            BreakingChange("column-removed", "customers", "dim_customers", 1, "unread",
                           column="phone"),
        ],
        changelog=[Addition("column-added", "catalog", "dim_stores", None,
                            "catalog.dim_stores: column 'city' added (varchar)", "city")],
        preexisting=frozenset({finding_key(Finding("unused-public-model", "info", "nobody",
                                                   "catalog", "dim_stores"))}),
    )  # fmt: skip


def test_summary_counts_findings_and_breaking_changes():
    r = result()
    assert r.summary() == {"error": 2, "warning": 0, "info": 2}
    assert r.exit_code == 1


def test_json_keeps_the_keys_the_map_reads():
    data = json.loads(render_json(result()))
    assert set(data) >= {"generated_at", "baseline", "summary", "findings", "breaking_changes"}
    assert set(data["findings"][0]) >= {
        "rule", "severity", "message", "domain", "model", "version", "file", "explanation",
    }  # fmt: skip
    change = data["breaking_changes"][0]
    assert set(change) >= {
        "kind", "domain", "model", "version", "column", "before", "after", "breaking",
        "consumers", "message",
    }  # fmt: skip
    assert change["consumers"] == [
        {"domain": "sales", "model": "fct_orders", "version": 2,
         "file": "domains/sales/models/fct_orders.sql", "line": 34, "owner": "Sales team",
         "pinned": True, "advice": "pinned to v2: keep it"}
    ]  # fmt: skip
    assert data["changelog"][0]["column"] == "city"


def test_text_without_colour_and_with_colour():
    plain = render_text(result())
    assert "\033[" not in plain
    assert (
        "breaks: sales.fct_orders (reads v2) [domains/sales/models/fct_orders.sql:34, "
        "owner Sales team]" in plain
    )
    assert "-> sales.fct_orders: pinned to v2: keep it" in plain
    assert "mesh check failed: 2 error(s), 0 warning(s), 2 info (baseline origin/main)" in plain
    assert "\033[31m" in render_text(result(), colour=True)


def test_markdown_tables_escape_pipes():
    text = render_markdown(result())
    assert "| error | `public-contract` | sales.fct_orders |" in text
    assert "no \\| contract" in text
    assert (
        "| yes | `column-removed` | customers.dim_customers v2 | email | email → (removed) |"
        in text
    )
    assert "sales.fct_orders (reads v2) [domains/sales/models/fct_orders.sql:34" in text
    assert "nobody reads what changed" in text


def test_markdown_separates_what_the_change_introduces_from_the_baseline():
    text = render_markdown(result())
    introduced = text.index("### Introduced by this change (against `origin/main`)")
    already = text.index("### Already on the baseline")
    assert introduced < text.index("`public-contract`") < already
    assert already < text.index("`unused-public-model`")
    assert (
        "- **Sales team**: sales.fct_orders (domains/sales/models/fct_orders.sql:34): gone" in text
    )
    assert "- **sales.fct_orders** (`domains/sales/models/fct_orders.sql:34`): pinned to v2" in text
    assert "#### Non-breaking changes (changelog)" in text and "column 'city' added" in text


def test_junit_fails_errors_only():
    root = ET.fromstring(render_junit(result(), ["public-contract", "unused-public-model", "x"]))
    governance, changes = root.findall("testsuite")
    assert governance.get("tests") == "3" and governance.get("failures") == "1"
    assert changes.get("tests") == "2" and changes.get("failures") == "1"
    failure = governance.find("testcase/failure")
    assert "domains/sales/models/fct_orders.yml" in failure.text
