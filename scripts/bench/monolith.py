"""The five domains as one monolithic dbt project: same SQL, same sources, one ``dbt build``.

Each domain's folders go into a subfolder named after it (``models/<domain>/``...), its
``dbt_project.yml`` configs (materialization per layer, ``+group``) are carried over under that
subfolder, and cross-project refs ``ref('customers', 'dim_customers', v=2)`` become local refs
``ref('dim_customers', v=2)``. Two domains defining the same name is an error: in one project
that would silently change what a ref points at.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

MONOLITH = "monolith"
PATH_KEYS = {
    "model-paths": "models",
    "macro-paths": "macros",
    "seed-paths": "seeds",
    "test-paths": "tests",
    "snapshot-paths": "snapshots",
}
CONFIG_KEYS = ("models", "seeds", "data_tests", "snapshots")
CROSS_REF = re.compile(r"""\bref\(\s*(['"])(\w+)\1\s*,\s*(['"])(\w+)\3""")
MACRO = re.compile(r"{%-?\s*macro\s+(\w+)\s*\(")
PROFILE = """{name}:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: "{{{{ env_var('MONOLITH_PATH') }}}}"
      threads: {threads}
"""


class MonolithError(RuntimeError):
    """The domains cannot be merged into one project as they are."""


def rewrite_cross_refs(text: str, domains: Iterable[str]) -> str:
    """``ref('<domain>', 'model'`` -> ``ref('model'`` when the first argument is a domain."""
    names = set(domains)

    def local(match: re.Match[str]) -> str:
        if match[2] not in names:
            return match[0]
        return f"ref({match[3]}{match[4]}{match[3]}"

    return CROSS_REF.sub(local, text)


def find_collisions(names_by_domain: dict[str, dict[str, set[str]]]) -> list[str]:
    """``kind 'name' defined by a, b`` for every name more than one domain defines."""
    owners: dict[tuple[str, str], list[str]] = {}
    for domain, kinds in sorted(names_by_domain.items()):
        for kind, names in kinds.items():
            for name in names:
                owners.setdefault((kind, name), []).append(domain)
    return [
        f"{kind} '{name}' defined by {', '.join(domains)}"
        for (kind, name), domains in sorted(owners.items())
        if len(domains) > 1
    ]


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None
    return data if isinstance(data, dict) else {}


def _yaml_names(folder: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {"group": set(), "source": set()}
    for path in folder.rglob("*.yml"):
        data = _load(path)
        for kind, key in (("group", "groups"), ("source", "sources")):
            for entry in data.get(key) or []:
                if isinstance(entry, dict) and entry.get("name"):
                    found[kind].add(str(entry["name"]))
    return found


def defined_names(project: Path, paths: dict[str, str]) -> dict[str, set[str]]:
    """Names a domain adds to a project's namespace: models, seeds, macros, groups, sources."""
    names: dict[str, set[str]] = {"model": set(), "seed": set(), "macro": set(), "test": set()}
    for key, kind, pattern in (
        ("model-paths", "model", "*.sql"), ("seed-paths", "seed", "*.csv"),
        ("test-paths", "test", "*.sql"), ("snapshot-paths", "model", "*.sql"),
    ):  # fmt: skip
        folder = project / paths[key]
        if folder.is_dir():
            names[kind] |= {p.stem for p in folder.rglob(pattern)}
    macros = project / paths["macro-paths"]
    if macros.is_dir():
        for path in macros.rglob("*.sql"):
            names["macro"] |= set(MACRO.findall(path.read_text(encoding="utf-8")))
    model_folder = project / paths["model-paths"]
    if model_folder.is_dir():
        names |= _yaml_names(model_folder)
    return names


def _paths(project_file: Path, config: dict[str, Any]) -> dict[str, str]:
    paths = {}
    for key, default in PATH_KEYS.items():
        value = config.get(key, [default])
        if not isinstance(value, list) or len(value) != 1:
            raise MonolithError(f"{project_file}: {key} must name one folder, got {value!r}")
        paths[key] = str(value[0])
    return paths


def profile_threads(project: Path) -> int:
    """The largest ``threads`` of the domain's profile targets (what its builds use)."""
    profiles = _load(project / "profiles.yml")
    threads = [
        int(output.get("threads", 1))
        for profile in profiles.values()
        if isinstance(profile, dict)
        for output in (profile.get("outputs") or {}).values()
        if isinstance(output, dict)
    ]
    return max(threads, default=1)


def domain_projects(domains_root: Path) -> list[Path]:
    """The dbt projects directly under ``domains_root``, by name."""
    return sorted(p.parent for p in domains_root.glob("*/dbt_project.yml"))


def write_monolith(domains_root: Path, dest: Path, threads: int | None = None) -> dict[str, Any]:
    """Write the monolithic project to ``dest`` (replaced); returns what went into it."""
    projects = domain_projects(domains_root)
    if not projects:
        raise MonolithError(f"{domains_root}: no dbt projects found")
    names = [p.name for p in projects]
    configs = {p.name: _load(p / "dbt_project.yml") for p in projects}
    paths = {p.name: _paths(p / "dbt_project.yml", configs[p.name]) for p in projects}
    for project in projects:
        declared = configs[project.name].get("name")
        if declared != project.name:
            raise MonolithError(
                f"{project / 'dbt_project.yml'}: project name {declared!r} differs from its "
                f"folder '{project.name}'; cross-project refs could not be rewritten"
            )
    collisions = find_collisions({p.name: defined_names(p, paths[p.name]) for p in projects})
    if collisions:
        raise MonolithError("domains cannot share one project:\n  " + "\n  ".join(collisions))
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    project_config: dict[str, Any] = {
        "name": MONOLITH, "version": "1.0.0", "config-version": 2, "profile": MONOLITH,
        **{key: [folder] for key, folder in PATH_KEYS.items()},
    }  # fmt: skip
    for project in projects:
        for key, folder in PATH_KEYS.items():
            source = project / paths[project.name][key]
            if source.is_dir():
                shutil.copytree(source, dest / folder / project.name)
        for key in CONFIG_KEYS:
            block = (configs[project.name].get(key) or {}).get(project.name)
            if block:
                project_config.setdefault(key, {}).setdefault(MONOLITH, {})[project.name] = block
    rewritten = 0
    for path in sorted(dest.rglob("*")):
        if path.suffix in {".sql", ".yml", ".yaml"} and path.is_file():
            text = path.read_text(encoding="utf-8")
            new = rewrite_cross_refs(text, names)
            if new != text:
                path.write_text(new, encoding="utf-8")
                rewritten += 1
    threads = threads or max(profile_threads(p) for p in projects)
    (dest / "dbt_project.yml").write_text(yaml.safe_dump(project_config, sort_keys=False))
    (dest / "profiles.yml").write_text(PROFILE.format(name=MONOLITH, threads=threads))
    return {"domains": names, "files_rewritten": rewritten, "threads": threads, "path": str(dest)}


def monolith_command(dbt: Path, project: Path, target: Path, logs: Path) -> list[str]:
    """The one ``dbt build`` of the monolith, its artifacts and logs where the caller says."""
    return [
        str(dbt), "build", "--project-dir", str(project), "--profiles-dir", str(project),
        "--target-path", str(target), "--log-path", str(logs), "--no-use-colors",
    ]  # fmt: skip
