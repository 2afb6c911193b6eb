"""Discovery and the domain graph, on folders written in the test (no dbt)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from datamesh.discover.graph import DomainGraph
from datamesh.discover.projects import discover_domains
from datamesh.discover.select import select_domains
from datamesh.errors import DiscoveryError, GraphError, MeshError


def write_project(root: Path, folder: str, name: str, upstreams: list[str] | None = None) -> Path:
    path = root / folder
    path.mkdir(parents=True)
    (path / "dbt_project.yml").write_text(
        f"name: {name}\nprofile: {name}\nvars:\n  mesh:\n    description: the {name} domain\n"
    )
    if upstreams is not None:
        lines = "".join(f"  - name: {u}\n" for u in upstreams)
        (path / "dependencies.yml").write_text("projects:\n" + lines if lines else "projects: []\n")
    return path


@pytest.fixture
def diamond(tmp_path: Path) -> Path:
    write_project(tmp_path, "crm", "customers", [])
    write_project(tmp_path, "products", "catalog")
    write_project(tmp_path, "sales", "sales", ["customers", "catalog"])
    write_project(tmp_path, "finance", "finance", ["sales", "catalog"])
    write_project(tmp_path, "marketing", "marketing", ["customers", "sales", "finance"])
    return tmp_path


def test_discovers_projects_by_project_name_not_folder(diamond: Path) -> None:
    domains = {d.name: d for d in discover_domains(diamond)}
    assert set(domains) == {"customers", "catalog", "sales", "finance", "marketing"}
    assert domains["customers"].path.name == "crm"
    assert domains["sales"].upstreams == ("customers", "catalog")
    assert domains["catalog"].upstreams == ()
    assert domains["finance"].description == "the finance domain"


def test_mesh_vars_name_the_team_whose_group_owns_the_domain(diamond: Path) -> None:
    from datamesh.manifest.assemble import _domain_owner

    (diamond / "sales" / "dbt_project.yml").write_text(
        "name: sales\nvars:\n  mesh:\n    description: orders\n    team: billing\n"
    )
    sales = {d.name: d for d in discover_domains(diamond)}["sales"]
    assert (sales.description, sales.team) == ("orders", "billing")
    groups = [
        {"name": "orders", "owner": {"name": "Orders", "email": None}},
        {"name": "billing", "owner": {"name": "Billing", "email": None}},
    ]
    assert _domain_owner(sales, groups) == {"name": "Billing", "email": None}


@pytest.mark.parametrize("mesh_vars", ['"oops"', "[a, b]", "42", "null"])
def test_mesh_vars_that_are_not_a_mapping_declare_nothing(diamond: Path, mesh_vars) -> None:
    """As for description, a malformed vars.mesh is ignored: no team, first group owns."""
    from datamesh.manifest.assemble import _domain_owner

    project_file = diamond / "sales" / "dbt_project.yml"
    project_file.write_text(f"name: sales\nvars: {{mesh: {mesh_vars}}}\n")
    sales = {d.name: d for d in discover_domains(diamond)}["sales"]
    assert (sales.description, sales.team) == ("", None)
    groups = [{"name": "orders", "owner": {"name": "Orders", "email": "o@example.com"}}]
    assert _domain_owner(sales, groups) == {"name": "Orders", "email": "o@example.com"}
    assert _domain_owner(sales, []) is None


def test_skips_build_outputs_and_nested_packages(diamond: Path) -> None:
    write_project(diamond / "sales" / "target", "x", "stale_copy")
    write_project(diamond / "sales" / "dbt_packages", "y", "some_package")
    write_project(diamond / "crm", "nested", "nested_inside_project")
    names = {d.name for d in discover_domains(diamond)}
    assert names == {"customers", "catalog", "sales", "finance", "marketing"}


def test_build_order_puts_producers_first(diamond: Path) -> None:
    order = DomainGraph.from_domains(discover_domains(diamond)).build_order()
    assert order.index("customers") < order.index("sales") < order.index("finance")
    assert order.index("finance") < order.index("marketing")
    assert order.index("catalog") < order.index("sales")


def test_cycle_names_the_domains_and_files(diamond: Path) -> None:
    (diamond / "sales" / "dependencies.yml").write_text(
        "projects:\n  - name: customers\n  - name: finance\n"
    )
    with pytest.raises(GraphError) as error:
        DomainGraph.from_domains(discover_domains(diamond))
    message = str(error.value)
    assert "cycle" in message
    assert "sales" in message and "finance" in message
    assert str(diamond / "sales" / "dependencies.yml") in message
    assert "customers ->" not in message  # not part of the cycle


def test_missing_upstream_names_the_file_and_the_name(diamond: Path) -> None:
    (diamond / "sales" / "dependencies.yml").write_text("projects:\n  - name: custmers\n")
    with pytest.raises(GraphError) as error:
        DomainGraph.from_domains(discover_domains(diamond))
    message = str(error.value)
    assert "'custmers'" in message and "'sales'" in message
    assert str(diamond / "sales" / "dependencies.yml") in message


def test_self_dependency_is_rejected(diamond: Path) -> None:
    (diamond / "crm" / "dependencies.yml").write_text("projects:\n  - name: customers\n")
    with pytest.raises(GraphError, match="declares itself"):
        DomainGraph.from_domains(discover_domains(diamond))


def test_broken_yaml_names_file_and_line(diamond: Path) -> None:
    (diamond / "sales" / "dependencies.yml").write_text("projects:\n  - name: [customers\n")
    with pytest.raises(DiscoveryError) as error:
        discover_domains(diamond)
    assert f"{diamond / 'sales' / 'dependencies.yml'}:" in str(error.value)
    assert "invalid YAML" in str(error.value)


def test_broken_project_file_is_named(diamond: Path) -> None:
    (diamond / "finance" / "dbt_project.yml").write_text("name: finance\n  bad: : indent\n")
    with pytest.raises(DiscoveryError, match=r"finance/dbt_project.yml:\d+"):
        discover_domains(diamond)


def test_malformed_projects_entry(diamond: Path) -> None:
    (diamond / "sales" / "dependencies.yml").write_text("projects:\n  - customers\n")
    with pytest.raises(DiscoveryError, match=r"projects\[0\] must be a mapping"):
        discover_domains(diamond)


def test_duplicate_project_names(diamond: Path) -> None:
    write_project(diamond, "sales_copy", "sales")
    with pytest.raises(DiscoveryError, match="two projects are named 'sales'"):
        discover_domains(diamond)


def test_empty_root(tmp_path: Path) -> None:
    with pytest.raises(DiscoveryError, match="no dbt project"):
        discover_domains(tmp_path)


@pytest.mark.parametrize(
    ("selectors", "exclude", "expected"),
    [
        (None, None, ["catalog", "customers", "sales", "finance", "marketing"]),
        (["sales+"], None, ["sales", "finance", "marketing"]),
        (["+sales"], None, ["catalog", "customers", "sales"]),
        (["+finance+"], None, ["catalog", "customers", "sales", "finance", "marketing"]),
        (["customers", "catalog"], None, ["catalog", "customers"]),
        (["customers catalog"], None, ["catalog", "customers"]),
        (["sales+"], ["marketing"], ["sales", "finance"]),
        (["*"], ["+sales"], ["finance", "marketing"]),
    ],
)
def test_selection(diamond: Path, selectors, exclude, expected) -> None:
    graph = DomainGraph.from_domains(discover_domains(diamond))
    assert select_domains(graph, selectors, exclude) == expected


def test_unknown_selector_names_it(diamond: Path) -> None:
    graph = DomainGraph.from_domains(discover_domains(diamond))
    with pytest.raises(MeshError, match="no domain named 'salse'"):
        select_domains(graph, ["salse+"])


def test_without_drops_the_domains_and_their_readers_in_place(diamond: Path) -> None:
    graph = DomainGraph.from_domains(discover_domains(diamond))
    partial = graph.without(["sales"])
    assert partial.build_order() == ["catalog", "customers"]
    assert sorted(partial.left_out) == ["finance", "marketing", "sales"]
    assert partial.left_out["sales"] is graph.domains["sales"]  # the same objects, no copies
    assert partial.find("finance") is graph.domains["finance"] and partial.find("nope") is None
    assert partial.downstreams("customers") == ()
    assert sorted(graph.domains) == ["catalog", "customers", "finance", "marketing", "sales"]


def test_without_twice_keeps_every_left_out_domain(diamond: Path) -> None:
    graph = DomainGraph.from_domains(discover_domains(diamond))
    partial = graph.without(["finance"]).without(["catalog", "finance"])
    assert partial.build_order() == ["customers"]
    assert sorted(partial.left_out) == ["catalog", "finance", "marketing", "sales"]
    assert graph.without([]).domains == graph.domains


def _tag(root: Path, folder: str, tags: str) -> None:
    project = root / folder / "dbt_project.yml"
    name = project.read_text().split()[1]
    project.write_text(project.read_text() + f"models:\n  {name}:\n    +tags: {tags}\n")


def _model(root: Path, folder: str, file: str) -> None:
    (root / folder / "models" / "marts").mkdir(parents=True, exist_ok=True)
    (root / folder / "models" / "marts" / file).write_text("select 1 as id\n")


@pytest.mark.parametrize(
    ("selectors", "expected"),
    [
        (["tag:core"], ["catalog", "customers"]),
        (["tag:finance_team"], ["finance"]),
        (["tag:core+"], ["catalog", "customers", "sales", "finance", "marketing"]),
        (["+tag:finance_team"], ["catalog", "customers", "sales", "finance"]),
        (["sales.fct_orders"], ["sales"]),
        (["sales.fct_orders+"], ["sales", "finance", "marketing"]),
        (["customers.dim_customers"], ["customers"]),  # versioned: dim_customers_v1.sql
        (["sales.fct_orders", "tag:core"], ["catalog", "customers", "sales"]),
    ],
)
def test_tag_and_model_selectors(diamond: Path, selectors, expected) -> None:
    _tag(diamond, "crm", "[core, crm]")
    _tag(diamond, "products", "core")
    _tag(diamond, "finance", "[finance_team]")
    _model(diamond, "sales", "fct_orders.sql")
    _model(diamond, "crm", "dim_customers_v1.sql")
    graph = DomainGraph.from_domains(discover_domains(diamond))
    assert select_domains(graph, selectors) == expected


def test_path_selector_picks_the_domains_under_a_folder(
    diamond: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    graph = DomainGraph.from_domains(discover_domains(diamond))
    assert select_domains(graph, [f"path:{diamond / 'sales'}"]) == ["sales"]
    monkeypatch.chdir(diamond)
    assert select_domains(graph, ["path:finance+"]) == ["finance", "marketing"]
    assert select_domains(graph, ["path:."], ["path:crm"]) == [
        "catalog", "sales", "finance", "marketing"
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("selector", "message"),
    [
        ("tag:nothing", "selector 'tag:nothing': no domain matches tag 'nothing'"),
        ("path:/nowhere", "selector 'path:/nowhere': no domain matches path '/nowhere'"),
        ("sales.fct_nope", "selector 'sales.fct_nope': domain 'sales' has no model 'fct_nope'"),
        ("salse.fct_orders", "no domain named 'salse'"),
        ("state:modified", "unknown method 'state:'"),
    ],
)
def test_bad_selectors_say_what_is_wrong(diamond: Path, selector: str, message: str) -> None:
    graph = DomainGraph.from_domains(discover_domains(diamond))
    with pytest.raises(MeshError, match=re.escape(message)):
        select_domains(graph, [selector])


def test_a_root_that_is_one_dbt_project_is_a_mesh_of_one(tmp_path: Path) -> None:
    write_project(tmp_path, "jaffle", "jaffle_shop")
    (domain,) = discover_domains(tmp_path / "jaffle")
    assert (domain.name, domain.path) == ("jaffle_shop", (tmp_path / "jaffle").resolve())


def test_projects_nested_levels_down_are_found_by_project_name(tmp_path: Path) -> None:
    write_project(tmp_path, "projects/core", "jaffle_core")
    write_project(tmp_path, "dbt_projects/marts/finance", "finance", ["jaffle_core"])
    # installed copies, build output and environments are never projects of the mesh
    for skipped in ("projects/core/dbt_packages/x", "dbt_projects/marts/finance/target/y",
                    ".venv/lib/z", "node_modules/w", ".hidden/v"):  # fmt: skip
        write_project(tmp_path, skipped, "jaffle_core")
    domains = {d.name: d for d in discover_domains(tmp_path)}
    assert set(domains) == {"jaffle_core", "finance"}
    assert domains["finance"].path == (tmp_path / "dbt_projects/marts/finance").resolve()


def test_the_default_root_is_the_current_folder_without_a_domains_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import argparse

    from datamesh.command_args import root_of

    write_project(tmp_path, "projects/shop", "shop")
    monkeypatch.chdir(tmp_path)
    assert root_of(argparse.Namespace(root=None)) == tmp_path.resolve()
    (tmp_path / "domains").mkdir()
    assert root_of(argparse.Namespace(root=None)) == (tmp_path / "domains").resolve()


def _loom_config(project: Path, *entries: str) -> None:
    lines = "".join(
        f"  - name: {name}\n    type: file\n    config:\n      path: {path}\n"
        for name, path in (entry.split("=") for entry in entries)
    )
    (project / "dbt_loom.config.yml").write_text("manifests:\n" + lines)


def test_dbt_loom_manifests_are_declared_upstreams(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_project(tmp_path, "core", "jaffle_core")
    write_project(tmp_path, "shop", "shop")
    finance = write_project(tmp_path, "finance", "finance", ["shop"])
    monkeypatch.setenv("CORE_DIR", "../core")
    # by the project its (missing) manifest path lies in, env vars expanded; else by name
    _loom_config(finance, "core=${CORE_DIR}/target/manifest.json", "shop=/nowhere/m.json")
    domains = {d.name: d for d in discover_domains(tmp_path)}
    assert domains["finance"].upstreams == ("shop", "jaffle_core")
    assert domains["finance"].loom_upstreams == ("jaffle_core",)
    assert domains["finance"].declaration_file("jaffle_core").name == "dbt_loom.config.yml"
    assert DomainGraph.from_domains(domains.values()).build_order()[-1] == "finance"


def test_a_dbt_loom_entry_naming_no_project_is_an_error_naming_the_config(tmp_path: Path) -> None:
    write_project(tmp_path, "core", "jaffle_core")
    finance = write_project(tmp_path, "finance", "finance")
    _loom_config(finance, "platform_core=https://example.com/manifest.json")
    with pytest.raises(GraphError) as caught:
        DomainGraph.from_domains(discover_domains(tmp_path))
    message = str(caught.value)
    assert str(finance.resolve() / "dbt_loom.config.yml") in message
    assert "entry 'platform_core'" in message and "known: finance, jaffle_core" in message


def test_a_local_package_that_is_a_domain_is_a_package_upstream(tmp_path: Path) -> None:
    write_project(tmp_path, "core", "jaffle_core")
    finance = write_project(tmp_path, "finance", "finance")
    (finance / "packages.yml").write_text(
        "packages:\n  - local: ../core\n  - local: ../../elsewhere\n"
        "  - package: dbt-labs/dbt_utils\n    version: 1.3.0\n"
    )
    domains = {d.name: d for d in discover_domains(tmp_path)}
    assert domains["finance"].package_upstreams == ("jaffle_core",)
    assert domains["finance"].upstreams == ()


def test_a_local_package_change_changes_its_consumer_fingerprint(tmp_path: Path) -> None:
    from datamesh.discover.content_hash import project_fingerprint

    core = write_project(tmp_path, "core", "jaffle_core")
    finance = write_project(tmp_path, "finance", "finance")
    alone = project_fingerprint(finance)
    (finance / "packages.yml").write_text("packages:\n  - local: ../core\n")
    before = project_fingerprint(finance)
    (core / "orders.sql").write_text("select 1 as order_id\n")
    assert len({alone, before, project_fingerprint(finance)}) == 3
