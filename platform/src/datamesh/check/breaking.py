"""Breaking changes: a pure diff of two mesh manifests, with the consumers each change breaks.

Consumers come from the *baseline's* edges (and exposures): who reads the model version today
is who a change would break. A change to a version nobody reads is still reported, with no
consumers, and does not fail the check. A new version shipped beside the old one changes
nothing in the old one, so it is not breaking.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

from datamesh.check.findings import BreakingChange, Consumer, version_number

TYPE_ALIASES = {
    "int": "integer", "int4": "integer", "signed": "integer",
    "int8": "bigint", "long": "bigint",
    "float8": "double", "double precision": "double",
    "float4": "float", "real": "float",
    "string": "varchar", "text": "varchar", "char": "varchar", "bpchar": "varchar",
    "bool": "boolean", "logical": "boolean",
    "datetime": "timestamp",
}  # fmt: skip

Key = tuple[str, str, Any]
StillDefined = Callable[[str, dict[str, Any]], bool]
Locate = Callable[[str, str | None], str | None]


def normalize_type(data_type: str | None) -> str:
    text = " ".join((data_type or "").lower().split())
    return TYPE_ALIASES.get(text, text)


def _version(value: Any) -> Any:
    return str(value) if value is not None else None


def _models(manifest: dict[str, Any]) -> dict[tuple[str, str], dict[Any, dict[str, Any]]]:
    """Public model records by (domain, model), then by version (str, or None)."""
    found: dict[tuple[str, str], dict[Any, dict[str, Any]]] = defaultdict(dict)
    for domain in manifest["domains"]:
        for model in domain["models"]:
            if model.get("access", "public") == "public":
                found[(domain["name"], model["name"])][_version(model.get("version"))] = model
    return found


class _Readers:
    """Who reads what in the baseline: edges by producer version, exposures by unique id."""

    def __init__(self, baseline: dict[str, Any]) -> None:
        self.by_version: dict[Key, list[Consumer]] = defaultdict(list)
        self.unpinned: dict[tuple[str, str], list[Consumer]] = defaultdict(list)
        for edge in baseline["edges"]:
            producer, consumer = edge["producer"], edge["consumer"]
            reader = Consumer(consumer["domain"], consumer["model"], producer.get("version"))
            key = (producer["domain"], producer["model"], _version(producer.get("version")))
            self.by_version[key].append(reader)
            if not edge.get("pinned"):
                self.unpinned[(producer["domain"], producer["model"])].append(reader)
        self.exposures: dict[str, list[Consumer]] = defaultdict(list)
        versions = {
            m["unique_id"]: m.get("version") for d in baseline["domains"] for m in d["models"]
        }
        for domain in baseline["domains"]:
            for exposure in domain.get("exposures") or []:
                for unique_id in exposure.get("depends_on") or []:
                    self.exposures[unique_id].append(
                        Consumer(
                            domain["name"], f"exposure:{exposure['name']}", versions.get(unique_id)
                        )
                    )

    def of(self, domain: str, model: dict[str, Any]) -> tuple[Consumer, ...]:
        key = (domain, model["name"], _version(model.get("version")))
        readers = [*self.by_version.get(key, []), *self.exposures.get(model["unique_id"], [])]
        return tuple(sorted(set(readers), key=lambda c: (c.domain, c.model, str(c.version))))


def _label(domain: str, model: dict[str, Any]) -> str:
    version = model.get("version")
    return f"{domain}.{model['name']}" + (f" v{version}" if version is not None else "")


def _latest(versions: dict[Any, dict[str, Any]]) -> dict[str, Any] | None:
    for model in versions.values():
        latest = _version(model.get("latest_version"))
        if latest in versions:
            return versions[latest]
    return None


def _column_changes(
    domain: str, before: dict[str, Any], after: dict[str, Any]
) -> Iterator[dict[str, Any]]:
    """Column, type and constraint changes of one contracted model version."""
    label = _label(domain, before)
    old = {c["name"]: c for c in before.get("columns") or []}
    new = {c["name"]: c for c in after.get("columns") or []}
    removed = [name for name in old if name not in new]
    added = [name for name in new if name not in old]
    # As many columns added as removed: a removed column with a same-typed added one is a
    # rename. Decided once, as pairing renames below shrinks ``added``.
    may_rename = len(removed) == len(added)
    for name in removed:
        old_type = normalize_type(old[name].get("data_type"))
        twin = next((a for a in added if normalize_type(new[a].get("data_type")) == old_type), None)
        if twin is not None and may_rename:
            added.remove(twin)
            yield {
                "kind": "column-renamed", "column": name, "before": name, "after": twin,
                "message": f"{label}: column '{name}' renamed to '{twin}'",
            }  # fmt: skip
        else:
            yield {
                "kind": "column-removed", "column": name, "before": name, "after": None,
                "message": f"{label}: column '{name}' removed",
            }  # fmt: skip
    for name in (n for n in old if n in new):
        old_type = normalize_type(old[name].get("data_type"))
        new_type = normalize_type(new[name].get("data_type"))
        if old_type != new_type:
            yield {
                "kind": "column-type-changed", "column": name,
                "before": old[name].get("data_type"), "after": new[name].get("data_type"),
                "message": f"{label}: column '{name}' type changed from "
                f"{old[name].get('data_type')} to {new[name].get('data_type')}",
            }  # fmt: skip
        for constraint in sorted(set(old[name].get("constraints") or [])):
            if constraint not in (new[name].get("constraints") or []):
                yield {
                    "kind": "constraint-removed", "column": name, "before": constraint,
                    "after": None,
                    "message": f"{label}: constraint {constraint} removed from column '{name}'",
                }  # fmt: skip
    old_model = sorted(c["type"] for c in before.get("constraints") or [] if not c.get("columns"))
    new_model = [c["type"] for c in after.get("constraints") or [] if not c.get("columns")]
    for constraint in old_model:
        if constraint in new_model:
            new_model.remove(constraint)
        else:
            yield {
                "kind": "constraint-removed", "column": None, "before": constraint,
                "after": None, "message": f"{label}: model constraint {constraint} removed",
            }  # fmt: skip


def _version_changes(domain: str, before: dict[str, Any], after: dict[str, Any]) -> list[dict]:
    if not before.get("contract_enforced"):
        return []
    if not after.get("contract_enforced"):
        return [
            {
                "kind": "contract-unenforced", "column": None, "before": True, "after": False,
                "message": f"{_label(domain, before)}: contract no longer enforced",
            }
        ]  # fmt: skip
    return list(_column_changes(domain, before, after))


def breaking_changes(
    baseline: dict[str, Any],
    current: dict[str, Any],
    *,
    still_defined: StillDefined | None = None,
    locate: Locate | None = None,
    skip_domains: frozenset[str] = frozenset(),
) -> list[BreakingChange]:
    """Every breaking change from ``baseline`` to ``current``, each with its consumers.

    ``still_defined(domain, baseline_record)`` tells a model that left the public interface
    but still exists (access narrowed) from one that was deleted; ``skip_domains`` are domains
    whose current state is unknown (they failed to parse) and are not compared.
    """
    readers = _Readers(baseline)
    locate = locate or (lambda domain, relative: f"{domain}/{relative}" if relative else None)
    old_models, new_models = _models(baseline), _models(current)
    changes: list[BreakingChange] = []

    def add(domain: str, model: dict[str, Any], change: dict[str, Any], readers_of=None) -> None:
        changes.append(
            BreakingChange(
                domain=domain, model=model["name"], version=model.get("version"),
                consumers=readers_of if readers_of is not None else readers.of(domain, model),
                file=locate(domain, model.get("yaml_file") or model.get("sql_file")), **change,
            )
        )  # fmt: skip

    for (domain, name), versions in sorted(old_models.items()):
        if domain in skip_domains:
            continue
        now = new_models.get((domain, name), {})
        for version, before in versions.items():
            after = now.get(version)
            if after is None and version is None and now:
                after = _latest(now)  # became versioned: unpinned refs read the latest
            if after is not None:
                for change in _version_changes(domain, before, after):
                    add(domain, before, change)
                continue
            narrowed = still_defined is not None and still_defined(domain, before)
            if narrowed:
                kind, what = "access-narrowed", "is no longer public"
            elif now:
                kind, what = "version-removed", "was removed"
            else:
                kind, what = "model-removed", "was removed"
            add(domain, before, {
                "kind": kind, "column": None, "before": before.get("access", "public"),
                "after": "not public" if narrowed else None,
                "message": f"{_label(domain, before)} {what}",
            })  # fmt: skip
        old_latest = _latest(versions)
        new_latest = _latest(now) if now else None
        if old_latest and new_latest:
            old_v = version_number(old_latest["version"])
            new_v = version_number(new_latest["version"])
            if old_v is not None and new_v is not None and new_v < old_v:
                add(domain, new_latest, {
                    "kind": "latest-version-moved-back", "column": None,
                    "before": old_latest["version"], "after": new_latest["version"],
                    "message": f"{domain}.{name}: latest_version moved back from "
                    f"v{old_latest['version']} to v{new_latest['version']}",
                }, tuple(sorted(set(readers.unpinned.get((domain, name), [])),
                               key=lambda c: (c.domain, c.model, str(c.version)))))  # fmt: skip
    return changes
