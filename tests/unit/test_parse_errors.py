"""The one classifier of parse failures, on exceptions dbt's own code raises (no mocks)."""

from __future__ import annotations

from pathlib import Path

import pytest
from dbt.exceptions import DbtRuntimeError
from dbt_errors import dbt_ref_error

from datamesh.discover.graph import DomainGraph
from datamesh.discover.projects import Domain
from datamesh.manifest.parse_errors import (
    DomainParseError,
    FailureKind,
    MeshParseErrors,
    ParseFailure,
    classify_parse_failure,
)


@pytest.fixture
def graph(tmp_path: Path) -> DomainGraph:
    """sales declares customers; finance exists but is not declared; customers has 3 models."""
    models = tmp_path / "customers" / "models"
    (models / "staging").mkdir(parents=True)
    for file in ("staging/stg_crm__customers.sql", "dim_customers_v1.sql", "dim_customers_v2.sql"):
        (models / file).write_text("select 1 as id\n")
    sales = Domain("sales", tmp_path / "sales", "sales", ("customers",))
    customers = Domain("customers", tmp_path / "customers", "customers", ())
    finance = Domain("finance", tmp_path / "finance", "finance", ())
    return DomainGraph({d.name: d for d in (sales, customers, finance)})


def test_ref_to_a_non_public_model(graph: DomainGraph) -> None:
    failure = classify_parse_failure(
        dbt_ref_error("customers", "stg_crm__customers"), graph.domains["sales"], graph
    )
    assert failure.kind is FailureKind.NOT_PUBLIC
    assert (failure.model, failure.file) == ("peek", "models/marts/peek.sql")
    assert (failure.producer, failure.target, failure.version) == (
        "customers", "stg_crm__customers", None,
    )  # fmt: skip
    assert failure.path == graph.domains["sales"].path / "models/marts/peek.sql"
    assert failure.sentence() == (
        "sales.peek (models/marts/peek.sql) refs customers.stg_crm__customers, which is not a "
        "public model of domain 'customers' (only public models can be referenced across domains)"
    )


def test_ref_to_an_undeclared_domain_names_the_dependencies_file(graph: DomainGraph) -> None:
    sales = graph.domains["sales"]
    failure = classify_parse_failure(dbt_ref_error("finance", "fct_payments"), sales, graph)
    assert failure.kind is FailureKind.UNDECLARED_DOMAIN
    assert failure.sentence() == (
        "sales.peek (models/marts/peek.sql) refs finance.fct_payments: domain 'sales' refs "
        f"domain 'finance', which is not declared in {sales.dependencies_file} "
        "(add '- name: finance' under projects:)"
    )
    shown = failure.sentence(lambda path: path.name)
    assert "which is not declared in dependencies.yml (add" in shown


def test_ref_to_a_version_the_producer_does_not_define(graph: DomainGraph) -> None:
    sales = graph.domains["sales"]
    failure = classify_parse_failure(dbt_ref_error("customers", "dim_customers", 3.0), sales, graph)
    assert failure.kind is FailureKind.MISSING and failure.version == "3"
    assert failure.sentence() == (
        "sales.peek (models/marts/peek.sql) refs customers.dim_customers v3, which domain "
        "'customers' does not define (removed or misspelt?)"
    )
    defined = classify_parse_failure(dbt_ref_error("customers", "dim_customers", "2"), sales, graph)
    assert defined.kind is FailureKind.NOT_PUBLIC  # v2 exists: it is only not public
    gone = classify_parse_failure(dbt_ref_error("customers", "dim_orders"), sales, graph)
    assert gone.kind is FailureKind.MISSING


def test_ref_to_no_domain_of_the_mesh(graph: DomainGraph) -> None:
    failure = classify_parse_failure(dbt_ref_error("nowhere", "x"), graph.domains["sales"], graph)
    assert failure.kind is FailureKind.UNKNOWN_DOMAIN
    assert failure.sentence().endswith(": 'nowhere' is not a domain of this mesh")


def test_a_domain_left_out_of_the_graph_is_still_known(graph: DomainGraph) -> None:
    partial = graph.without(["finance"])
    failure = classify_parse_failure(
        dbt_ref_error("finance", "fct_payments"), partial.domains["sales"], partial
    )
    assert failure.kind is FailureKind.UNDECLARED_DOMAIN


def test_any_other_failure_keeps_dbts_message(graph: DomainGraph) -> None:
    sales = graph.domains["sales"]
    failure = classify_parse_failure(DbtRuntimeError("a yaml error in x.yml"), sales, graph)
    assert failure.kind is FailureKind.OTHER and failure.model is None
    assert failure.message() == (
        f"domain 'sales' ({sales.project_file}) failed to parse:\nRuntime Error\n"
        "  a yaml error in x.yml"
    )
    inside = classify_parse_failure(dbt_ref_error("sales", "missing"), sales, graph)
    assert inside.kind is FailureKind.OTHER  # a ref inside the domain: dbt's words suffice
    assert classify_parse_failure(None, sales, graph).dbt_message == "dbt parse failed"


def test_the_error_carries_the_failure_and_names_domain_file_and_dbts_words(graph) -> None:
    failure = classify_parse_failure(
        dbt_ref_error("customers", "stg_crm__customers"), graph.domains["sales"], graph
    )
    error = DomainParseError(failure)
    assert error.failure is failure and error.exit_code == 2
    lines = str(error).splitlines()
    assert lines[0] == (f"domain 'sales' ({graph.domains['sales'].project_file}) failed to parse:")
    assert lines[1] == failure.sentence()
    assert "depends on a node named 'stg_crm__customers'" in lines[3]  # dbt's own message


def test_an_undeclared_edge_found_after_the_parse_reads_the_same(graph: DomainGraph) -> None:
    sales = graph.domains["sales"]
    from_edge = ParseFailure(
        FailureKind.UNDECLARED_DOMAIN, sales, model="peek", file="models/marts/peek.sql",
        producer="finance", target="fct_payments",
    )  # fmt: skip
    from_dbt = classify_parse_failure(dbt_ref_error("finance", "fct_payments"), sales, graph)
    assert from_edge.sentence() == from_dbt.sentence()


def test_every_failing_domain_is_one_line_naming_domain_and_culprit(graph) -> None:
    sales, finance = graph.domains["sales"], graph.domains["finance"]
    undeclared = classify_parse_failure(dbt_ref_error("finance", "fct_payments"), sales, graph)
    other = ParseFailure(FailureKind.OTHER, finance, "Parsing Error\n  bad yaml in  x.yml")
    error = MeshParseErrors([undeclared, other], {"ledger": "finance"})
    assert isinstance(error, DomainParseError) and error.exit_code == 2
    assert error.failure is undeclared and error.failures == (undeclared, other)
    assert str(error).splitlines() == [
        "2 domains failed to parse:",
        f"  domain 'sales' ({sales.project_file}): {undeclared.sentence()}",
        f"  domain 'finance' ({finance.project_file}): Parsing Error bad yaml in x.yml",
        "not parsed, an upstream failed: ledger (upstream 'finance')",
    ]
    alone = MeshParseErrors([undeclared], {})
    assert str(alone) == undeclared.message()  # one failure reads as it always did


@pytest.mark.parametrize("node", ["seed", "snapshot"])
def test_a_seed_or_snapshot_is_never_told_to_become_public(graph, node: str) -> None:
    """Neither can be made public: the way out is a public model that selects from it."""
    failure = ParseFailure(
        FailureKind.NOT_PUBLIC, graph.domains["sales"], model="peek", file="models/peek.sql",
        producer="customers", target="raw_customers", node=node,
    )  # fmt: skip
    sentence = failure.sentence()
    assert f"but a {node}: a {node} cannot be referenced across domains" in sentence
    assert "select it in a model of 'customers' made public" in sentence
    assert "make it public there" not in sentence
