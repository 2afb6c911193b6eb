"""Breaking changes: a pure diff of two mesh manifests, with the consumers each change breaks.

A column change (removed, renamed, retyped, constraint dropped) breaks exactly the consumers
that read that column of that version (``manifest/edge_columns.py``: from their compiled SQL;
an unresolved read counts as every column). Readers are the baseline's edges judged by the
consumers' code in the tree being checked, plus new readers there; exposures read everything.
A change nobody reads is reported as info and does not fail; a type change that a reader reads
only in predicates the engine still evaluates by an implicit cast (``impact/cast_compare.py``)
is a warning for that reader, not a break. A new version shipped beside the old one changes
nothing in the old one; moving ``latest_version`` breaks the unversioned readers that read what
the new latest lacks. Compatible changes are the changelog (``additions``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

from datamesh.impact.cast_compare import compared_by_cast, normalize_type
from datamesh.impact.changes import Addition, BreakingChange, Consumer, version_number
from datamesh.manifest.edge_columns import read_line, read_usage, reads_column

Key = tuple[str, str, Any]
StillDefined = Callable[[str, dict[str, Any]], bool]
Locate = Callable[[str, str | None], str | None]


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


COLUMN_KINDS = {"column-removed", "column-renamed", "column-type-changed", "constraint-removed"}


def _owner_name(edge: dict[str, Any], owners: dict[str, str | None]) -> str | None:
    owner = edge.get("consumer_owner") or {}
    return owner.get("name") or owner.get("email") or owners.get(edge["consumer"]["domain"])


def _ref(domain: str, model: str, version: Any) -> str:
    return f"ref('{domain}', '{model}', v={version})"


class _Readers:
    """Who reads which column of which version.

    Readers are the baseline's edges, each judged by the consumer's code in the tree being
    checked when that consumer parsed there: a reader that moved off the version, or whose
    resolved SQL no longer reads the column, is not broken (a change that drops a column and
    moves its only reader off it in one commit breaks nobody). New readers in the tree count
    too. Exposures read every column of what they depend on.
    """

    def __init__(
        self,
        baseline: dict[str, Any],
        current: dict[str, Any] | None = None,
        unparsed: frozenset[str] = frozenset(),
        locate: Locate | None = None,
    ) -> None:
        self.locate = locate or (lambda domain, relative: relative)
        self.owners = {
            d["name"]: (d.get("owner") or {}).get("name")
            for m in (baseline, current or {})
            for d in m.get("domains", [])
        }
        self.current_domains = {d["name"] for d in (current or {}).get("domains", [])} - unparsed
        self.current_edges = {_ref_key(e): e for e in (current or {}).get("edges", [])}
        self.by_version: dict[Key, list[dict[str, Any]]] = defaultdict(list)
        for edge in baseline["edges"]:
            producer = edge["producer"]
            key = (producer["domain"], producer["model"], _version(producer.get("version")))
            self.by_version[key].append(edge)
        seen = {_ref_key(e) for e in baseline["edges"]}
        for ref, edge in self.current_edges.items():
            if ref not in seen:
                producer = edge["producer"]
                key = (producer["domain"], producer["model"], _version(producer.get("version")))
                self.by_version[key].append(edge)
        self.exposures: dict[str, list[Consumer]] = defaultdict(list)
        versions = {
            m["unique_id"]: m.get("version") for d in baseline["domains"] for m in d["models"]
        }
        for domain in baseline["domains"]:
            for exposure in domain.get("exposures") or []:
                for unique_id in exposure.get("depends_on") or []:
                    owner = exposure.get("owner") or {}
                    self.exposures[unique_id].append(
                        Consumer(
                            domain["name"], f"exposure:{exposure['name']}",
                            versions.get(unique_id), owner=owner.get("name") or owner.get("email"),
                        )
                    )  # fmt: skip

    def _now(self, edge: dict[str, Any]) -> dict[str, Any] | None:
        """The same ref in the tree being checked; None when the consumer dropped it."""
        return self.current_edges.get(_ref_key(edge))

    def usage(self, edge: dict[str, Any], column: str) -> str:
        """How the reader reads ``column``: by its code in the tree being checked if parsed."""
        now = self._now(edge) if edge["consumer"]["domain"] in self.current_domains else None
        return read_usage(now or edge, column)

    def still_reads(self, edge: dict[str, Any], column: str | None) -> bool:
        if not reads_column(edge, column):
            return False
        if edge["consumer"]["domain"] not in self.current_domains:
            return True  # not parsed now (or no current tree): judged by what it read
        now = self._now(edge)
        if now is None:
            return False  # moved off this version (or stopped reading the producer)
        return now.get("star") or reads_column(now, column)

    def consumer(self, edge: dict[str, Any], column: str | None, advice: str | None = None):
        consumer = edge["consumer"]
        return Consumer(
            consumer["domain"], consumer["model"], edge["producer"].get("version"),
            file=self.locate(consumer["domain"], consumer.get("file")),
            line=read_line(edge, column), owner=_owner_name(edge, self.owners),
            pinned=bool(edge.get("pinned")), advice=advice,
        )  # fmt: skip

    def of(
        self, domain: str, model: dict[str, Any], change: dict[str, Any], shape: Any = None
    ) -> tuple[tuple[Consumer, ...], tuple[Consumer, ...]]:
        """Who ``change`` to ``model`` breaks, and whom a type change leaves working by an
        implicit cast (a warning); ``shape`` is a version still holding the old shape (for
        readers of a model that became versioned)."""
        column = change.get("column") if change["kind"] in COLUMN_KINDS else None
        key = (domain, model["name"], _version(model.get("version")))
        readers, cautions = [], []
        for edge in self.by_version.get(key, []):
            if not self.still_reads(edge, column):
                continue
            if column is not None and change["kind"] == "column-type-changed":
                usage = self.usage(edge, column)
                if compared_by_cast(change["before"], change["after"], usage):
                    advice = _cast_advice(column, change, usage)
                    cautions.append(self.consumer(edge, column, advice))
                    continue
            readers.append(self.consumer(edge, column, _advice(domain, model, edge, shape)))
        readers += self.exposures.get(model["unique_id"], [])
        return _unique(readers), _unique(cautions)

    def unpinned(self, domain: str, name: str, version: Any) -> list[dict[str, Any]]:
        return [
            e
            for e in self.by_version.get((domain, name, _version(version)), [])
            if not e.get("pinned")
            and (e["consumer"]["domain"] not in self.current_domains or self._now(e) is not None)
        ]


def _ref_key(edge: dict[str, Any]) -> tuple[str, str, str, Any]:
    """A consumer's ref as written: an unversioned ref is the same ref whatever it resolves to."""
    producer = edge["producer"]
    version = _version(producer.get("version")) if edge.get("pinned") else "latest"
    return (edge["consumer"]["unique_id"], producer["domain"], producer["model"], version)


def _unique(readers: list[Consumer]) -> tuple[Consumer, ...]:
    found: dict[tuple[str, str, str], Consumer] = {}
    for reader in readers:
        found.setdefault((reader.domain, reader.model, str(reader.version)), reader)
    return tuple(sorted(found.values(), key=lambda c: (c.domain, c.model, str(c.version))))


def _advice(domain: str, model: dict[str, Any], edge: dict[str, Any], shape: Any = None) -> str:
    """What to do for this reader: never pin a reader to a shape it does not read."""
    version = model.get("version")
    name = model["name"]
    if version is None and shape is not None:
        return (
            f"reads the old shape, now v{shape}: pin it, {_ref(domain, name, shape)}, "
            "or keep latest_version on that version until readers move"
        )
    if version is None:
        return (
            f"version {domain}.{name}: ship the change as v2 beside v1 (the current shape) "
            "and keep latest_version on v1 until this reader moves"
        )
    if edge.get("pinned"):
        return (
            f"pinned to v{version}: keep v{version}'s shape and ship the change as a new "
            f"version beside it; this reader moves when it is ready"
        )
    return (
        f"pin it to the shape it reads, {_ref(domain, name, version)}, and ship the change as "
        f"a new version beside v{version} (keep latest_version on v{version} until readers move)"
    )


def _cast_advice(column: str, change: dict[str, Any], usage: str) -> str:
    how = "compared for equality" if usage == "predicate-equality" else "read"
    return (
        f"reads '{column}' only in a join, where or group by ({how}, not in its output): the "
        f"engine compares {change['before']} with {change['after']} by an implicit cast, so it "
        "still runs; check that the values still match (the same keys, no new formats)"
    )


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


def _same_shape(domain: str, before: dict[str, Any], versions: dict[Any, dict[str, Any]]):
    """The newest version in ``versions`` with ``before``'s shape (nothing breaking), if any."""
    fitting = [
        m for m in versions.values()
        if m.get("version") is not None and not _version_changes(domain, before, m)
    ]  # fmt: skip
    fitting.sort(key=lambda m: version_number(m["version"]) or 0)
    return fitting[-1]["version"] if fitting else None


def breaking_changes(
    baseline: dict[str, Any],
    current: dict[str, Any],
    *,
    still_defined: StillDefined | None = None,
    locate: Locate | None = None,
    skip_domains: frozenset[str] = frozenset(),
) -> list[BreakingChange]:
    """Every breaking change from ``baseline`` to ``current``, each with the consumers it breaks.

    A column change breaks only the readers of that column of that version (see
    ``manifest/edge_columns.py``); a change nobody reads is reported and does not fail.
    ``still_defined(domain, baseline_record)`` tells a model that left the public interface
    but still exists (access narrowed) from one that was deleted; ``skip_domains`` are domains
    whose current state is unknown (they failed to parse): not compared, and their models are
    judged as readers by what the baseline says they read.
    """
    locate = locate or (lambda domain, relative: f"{domain}/{relative}" if relative else None)
    readers = _Readers(baseline, current, skip_domains, locate)
    old_models, new_models = _models(baseline), _models(current)
    changes: list[BreakingChange] = []

    def add(
        domain: str, model: dict[str, Any], change: dict[str, Any],
        consumers: tuple[Consumer, ...], cautions: tuple[Consumer, ...] = (),
    ) -> None:  # fmt: skip
        changes.append(
            BreakingChange(
                domain=domain, model=model["name"], version=model.get("version"),
                consumers=consumers, cautions=cautions,
                file=locate(domain, model.get("yaml_file") or model.get("sql_file")), **change,
            )
        )  # fmt: skip

    for (domain, name), versions in sorted(old_models.items()):
        if domain in skip_domains:
            continue
        now = new_models.get((domain, name), {})
        for version, before in versions.items():
            after = now.get(version)
            shape = None
            if after is None and version is None and now:
                after = _latest(now)  # became versioned: unpinned refs read the latest
                shape = _same_shape(domain, before, now)
            if after is not None:
                for change in _version_changes(domain, before, after):
                    add(domain, before, change, *readers.of(domain, before, change, shape))
                continue
            narrowed = still_defined is not None and still_defined(domain, before)
            if narrowed:
                kind, what = "access-narrowed", "is no longer public"
            elif now:
                kind, what = "version-removed", "was removed"
            else:
                kind, what = "model-removed", "was removed"
            change = {
                "kind": kind, "column": None, "before": before.get("access", "public"),
                "after": "not public" if narrowed else None,
                "message": f"{_label(domain, before)} {what}",
            }  # fmt: skip
            add(domain, before, change, *readers.of(domain, before, change))
        old_latest = _latest(versions)
        new_latest = _latest(now) if now else None
        if not (old_latest and new_latest):
            continue
        old_v = version_number(old_latest["version"])
        new_v = version_number(new_latest["version"])
        if old_v is None or new_v is None or old_v == new_v:
            continue
        direction = "back" if new_v < old_v else "forward"
        moved = _version_changes(domain, old_latest, new_latest)
        advice = _moved_advice(domain, name, old_latest["version"], new_latest["version"])
        broken = [
            readers.consumer(e, None, advice)
            for e in readers.unpinned(domain, name, old_latest["version"])
            if direction == "back"
            or any(c["kind"] not in COLUMN_KINDS or reads_column(e, c["column"]) for c in moved)
        ]
        if direction == "forward" and not broken:
            continue  # compatible for every unversioned reader: a changelog item
        add(domain, new_latest, {
            "kind": f"latest-version-moved-{direction}", "column": None,
            "before": old_latest["version"], "after": new_latest["version"],
            "message": f"{domain}.{name}: latest_version moved {direction} from "
            f"v{old_latest['version']} to v{new_latest['version']}; unversioned refs now read "
            f"v{new_latest['version']}",
        }, _unique(broken))  # fmt: skip
    return changes


def _moved_advice(domain: str, name: str, old: Any, new: Any) -> str:
    return (
        f"reads {domain}.{name} without a version and relies on v{old}'s shape: pin it, "
        f"{_ref(domain, name, old)}, or adapt it to v{new} and then pin that"
    )


def additions(baseline: dict[str, Any], current: dict[str, Any]) -> list[Addition]:
    """Compatible changes, the changelog: new models, versions and columns."""
    old_models, new_models = _models(baseline), _models(current)
    found: list[Addition] = []
    for (domain, name), versions in sorted(new_models.items()):
        before = old_models.get((domain, name))
        for version, model in sorted(versions.items(), key=lambda kv: str(kv[0])):
            label = _label(domain, model)
            if before is None:
                found.append(Addition("model-added", domain, name, model.get("version"),
                                      f"{label} added"))  # fmt: skip
                continue
            if version not in before:
                if not (version is not None and None in before):
                    text = f"{label} added beside the existing versions"
                    found.append(
                        Addition("version-added", domain, name, model.get("version"), text)
                    )
                continue
            old_names = {c["name"] for c in before[version].get("columns") or []}
            for column in model.get("columns") or []:
                if column["name"] not in old_names:
                    found.append(Addition(
                        "column-added", domain, name, model.get("version"),
                        f"{label}: column '{column['name']}' added "
                        f"({column.get('data_type') or 'no type'})", column["name"],
                    ))  # fmt: skip
        old_latest, new_latest = _latest(before or {}), _latest(versions)
        if old_latest and new_latest and old_latest["version"] != new_latest["version"]:
            found.append(Addition(
                "latest-version-moved", domain, name, new_latest["version"],
                f"{domain}.{name}: latest_version v{old_latest['version']} -> "
                f"v{new_latest['version']}",
            ))  # fmt: skip
    return found
