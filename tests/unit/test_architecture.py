"""The package's shape: stages import only downward, and nothing imports in a circle.

Order: primitives -> discover -> manifest -> impact -> resolve -> write -> audit -> publish ->
orchestrate -> check -> map -> docs -> scaffold -> cli. A module may import its own stage and
any stage before it (the map reads every stage's report through the reader of the stage that
writes it).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "platform" / "src" / "datamesh"

# Shared primitives every stage may use (one job each: errors, paths, the dbt contract, ...).
PRIMITIVES = {
    "__init__", "errors", "warehouse", "dbt_env", "jsonio", "yamlfile", "registry",
    "command_args", "console", "faults", "profiles", "engine",
    "project_paths",
}  # fmt: skip
LAYERS = [
    "discover", "manifest", "impact", "resolve", "sandbox", "write", "audit", "publish",
    "orchestrate", "check", "map", "docs", "scaffold", "cli",
]  # fmt: skip


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str) -> bool:
    return (PACKAGE / f"{name}.py").is_file() or (PACKAGE / name).is_dir()


def _imports(path: Path) -> set[str]:
    """Every datamesh module a file imports, at module level or inside functions."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "datamesh":  # a submodule, or a name of the package itself
                found |= {
                    f"datamesh.{a.name}" if _is_module(a.name) else "datamesh" for a in node.names
                }
            elif node.module.startswith("datamesh."):
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("datamesh.")}
    return found


def _graph() -> dict[str, set[str]]:
    return {_module_name(p): _imports(p) for p in sorted(PACKAGE.rglob("*.py"))}


def _stage(module: str) -> str:
    top = module.split(".")[1] if "." in module else "__init__"
    return "primitive" if top in PRIMITIVES else top


def _rank(stage: str) -> int:
    return -1 if stage == "primitive" else LAYERS.index(stage)


def test_every_module_belongs_to_a_known_stage() -> None:
    unknown = {m for m in _graph() if _stage(m) not in {"primitive", *LAYERS}}
    assert not unknown, f"add these to PRIMITIVES or LAYERS on purpose: {sorted(unknown)}"


def backward_imports(graph: dict[str, set[str]]) -> list[str]:
    """Imports of a later stage than the importer's own."""
    wrong = []
    for module, imports in graph.items():
        stage = _stage(module)
        for target in imports:
            target_stage = _stage(target)
            if target_stage != stage and _rank(target_stage) > _rank(stage):
                wrong.append(f"{module} ({stage}) imports {target} ({target_stage})")
    return wrong


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path (first module repeated at the end), or None."""
    known = set(graph)

    def resolve(name: str) -> str | None:
        while name and name not in known:  # ``from datamesh.x import y`` where y is a name
            name = name.rpartition(".")[0]
        return name or None

    edges = {
        module: {t for i in imports if (t := resolve(i)) and t != module}
        for module, imports in graph.items()
    }
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        state[node] = 2
        path.pop()
        return None

    for start in sorted(edges):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def test_stages_import_only_downward() -> None:
    wrong = backward_imports(_graph())
    assert not wrong, "\n".join(wrong)


def test_primitives_import_only_primitives() -> None:
    wrong = [
        f"{module} imports {target}"
        for module, imports in _graph().items()
        if _stage(module) == "primitive"
        for target in imports
        if _stage(target) != "primitive"
    ]
    assert not wrong, "\n".join(wrong)


def test_no_import_cycle() -> None:
    cycle = find_cycle(_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_checks_catch_a_backward_import_and_a_cycle() -> None:
    """The checker itself, on the real graph with one bad import added."""
    graph = _graph()
    backward = {**graph, "datamesh.audit.gate": {*graph["datamesh.audit.gate"],
                                                 "datamesh.orchestrate.lock"}}  # fmt: skip
    assert backward_imports(backward) == [
        "datamesh.audit.gate (audit) imports datamesh.orchestrate.lock (orchestrate)"
    ]
    looped = {**graph, "datamesh.jsonio": {*graph["datamesh.jsonio"], "datamesh.registry"}}
    assert find_cycle(looped) is not None
    assert "datamesh.jsonio" in _imports(PACKAGE / "registry.py")
