"""Why dbt could not parse a domain, as data: one classifier for every command that reports it.

The resolver injects only the public models of the domains a project declares, so dbt's
``TargetNotFoundError`` for a cross-project ref means one of four user mistakes: the producer
is not declared, the target is not public, the target (version) does not exist, or the producer
is no domain at all. ``mesh manifest`` prints the sentence, ``mesh check`` turns it into a
finding and ``mesh build`` puts it in the run report, so all three say the same thing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from types import TracebackType
from typing import Any

from datamesh.discover.graph import DomainGraph
from datamesh.discover.projects import Domain
from datamesh.errors import ParseError
from datamesh.registry import read_interface


class FailureKind(Enum):
    """What went wrong; a ref mistake's value is the ``mesh check`` rule that reports it."""

    UNDECLARED_DOMAIN = "ref-undeclared-domain"
    NOT_PUBLIC = "ref-not-public"
    MISSING = "ref-missing"
    UNKNOWN_DOMAIN = "ref-unknown-domain"
    OTHER = "other"


# The kinds ``mesh check`` reports as findings (the rest stop it with exit 2).
REF_FINDINGS = frozenset(
    {FailureKind.UNDECLARED_DOMAIN, FailureKind.NOT_PUBLIC, FailureKind.MISSING}
)


@dataclass(frozen=True)
class ParseFailure:
    """One domain that failed to parse: who refs what (for a ref mistake) and dbt's own words."""

    kind: FailureKind
    domain: Domain  # the domain that failed to parse: the consumer of a ref
    dbt_message: str = ""
    model: str | None = None  # the consumer model
    file: str | None = None  # its file, relative to the domain (dbt's original_file_path)
    producer: str | None = None
    target: str | None = None  # the producer's model the ref names
    version: str | None = None  # the version the ref pins, if any
    node: str | None = None  # what a non-public target is: seed, protected model, private ...

    @property
    def path(self) -> Path | None:
        """The consumer model's file."""
        return self.domain.path / self.file if self.file else None

    def sentence(self, show: Callable[[Path], str] = str) -> str:
        """The one sentence every command shows for this failure; ``show`` renders paths."""
        if self.kind is FailureKind.OTHER:
            return self.dbt_message
        name, producer = self.domain.name, self.producer
        version = f" v{self.version}" if self.version else ""
        ref = f"{name}.{self.model} ({self.file}) refs {producer}.{self.target}{version}"
        if self.kind is FailureKind.UNDECLARED_DOMAIN:
            return (
                f"{ref}: domain '{name}' refs domain '{producer}', which is not declared in "
                f"{show(self.domain.dependencies_file)} (add '- name: {producer}' under projects:)"
            )
        if self.kind is FailureKind.NOT_PUBLIC:
            not_public = f"{ref}, which is not a public model of domain '{producer}'"
            if self.node in ("seed", "snapshot"):  # not models: they cannot be made public
                return (
                    f"{not_public} but a {self.node}: a {self.node} cannot be referenced across "
                    f"domains; select it in a model of '{producer}' made public (access: public, "
                    "contract: {enforced: true}) and ref that model"
                )
            if self.node:
                return (
                    f"{not_public} but a {self.node}: only public models can be referenced "
                    "across domains; make it public there (access: public, contract: "
                    f"{{enforced: true}}) or ref a public model of '{producer}'"
                )
            return (
                f"{ref}, which is not a public model of domain '{producer}' (only public models "
                "can be referenced across domains)"
            )
        if self.kind is FailureKind.MISSING:
            return f"{ref}, which domain '{producer}' does not define (removed or misspelt?)"
        return f"{ref}: '{producer}' is not a domain of this mesh"

    def message(self, show: Callable[[Path], str] = str) -> str:
        """The error text: which domain failed to parse, why, then dbt's own message."""
        lines = [f"domain '{self.domain.name}' ({show(self.domain.project_file)}) failed to parse:"]
        if self.kind is not FailureKind.OTHER:
            lines.append(self.sentence(show))
        if self.dbt_message:
            lines.append(self.dbt_message)
        return "\n".join(lines)


class DomainParseError(ParseError):
    """dbt could not parse a domain; ``failure`` says why, for callers that act on it."""

    def __init__(self, failure: ParseFailure) -> None:
        super().__init__(failure.message())
        self.failure = failure


def _one_line(text: str, limit: int = 300) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


class MeshParseErrors(DomainParseError):
    """Every domain of one run that dbt could not parse, and the domains left unparsed.

    ``failure`` is the first in build order (for callers that handle one); ``failures`` has
    them all, and ``not_parsed`` maps each domain that was not tried to the upstream that failed.
    """

    def __init__(self, failures: list[ParseFailure], not_parsed: dict[str, str]) -> None:
        super().__init__(failures[0])
        self.failures = tuple(failures)
        self.not_parsed = dict(not_parsed)
        self.args = (self.render(),)

    def render(self, show: Callable[[Path], str] = str) -> str:
        """One failure: its full message; several: one line each naming domain and culprit."""
        if len(self.failures) == 1:
            lines = [self.failures[0].message(show)]
        else:
            lines = [f"{len(self.failures)} domains failed to parse:"]
            lines += [
                f"  domain '{f.domain.name}' ({show(f.domain.project_file)}): "
                f"{_one_line(f.sentence(show))}"
                for f in self.failures
            ]
        if self.not_parsed:
            waiting = ", ".join(f"{d} (upstream '{u}')" for d, u in self.not_parsed.items())
            lines.append(f"not parsed, an upstream failed: {waiting}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()


def _version(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _defines(project: Path, model: str, version: str | None) -> bool:
    """Whether a domain has a SQL file for the model (version) under models/."""
    models = project / "models"
    if version:
        return any(models.rglob(f"{model}_v{version}.sql"))
    return any(models.rglob(f"{model}.sql")) or any(models.rglob(f"{model}_v*.sql"))


def _referring_node(exc: BaseException) -> Any:
    """The node whose ref failed.

    dbt-core 1.11's ``TargetNotFoundError`` stores ``node`` and then loses it (its base class's
    ``__init__`` sets ``node = None``); the node is still the ``node`` argument of the dbt
    function that raised it, the innermost frame of the traceback.
    """
    node = getattr(exc, "node", None)
    tb: TracebackType | None = exc.__traceback__
    while node is None and tb is not None:
        if tb.tb_next is None:
            node = tb.tb_frame.f_locals.get("node")
        tb = tb.tb_next
    if hasattr(node, "unique_id") and hasattr(node, "original_file_path"):
        return node
    return None


def describe_non_public(interface: dict[str, Any] | None, target: str) -> str | None:
    """What ``target`` is in a producer's interface when it is not public, else None.

    "seed", "snapshot", "protected model" or "private model of group 'g'".
    """
    for node in (interface or {}).get("non_public") or []:
        if node.get("name") != target:
            continue
        if node.get("resource_type") != "model":
            return str(node.get("resource_type"))
        if node.get("access") == "private":
            group = node.get("group")
            return f"private model of group '{group}'" if group else "private model"
        return f"{node.get('access') or 'protected'} model"
    return None


def ref_kind(consumer: Domain, producer: str, target: str, version: str | None,
             graph: DomainGraph, interface: dict[str, Any] | None = None,
             ) -> tuple[FailureKind, str | None]:  # fmt: skip
    """Why a ref from ``consumer`` to ``producer.target`` cannot resolve in this mesh.

    With the producer's registry ``interface``, a target that exists but is not public is
    also described (see ``describe_non_public``).
    """
    domain = graph.find(producer)
    if domain is None:
        return FailureKind.UNKNOWN_DOMAIN, None
    if producer not in consumer.upstreams:
        return FailureKind.UNDECLARED_DOMAIN, None
    node = describe_non_public(interface, target)
    if node is not None:
        return FailureKind.NOT_PUBLIC, node
    if not _defines(domain.path, target, version):
        return FailureKind.MISSING, None
    return FailureKind.NOT_PUBLIC, None


def classify_parse_failure(
    exc: BaseException | None,
    domain: Domain,
    graph: DomainGraph,
    registry_dir: Path | None = None,
) -> ParseFailure:
    """The typed failure for dbt's exception from parsing ``domain`` (from its fields, not text).

    ``registry_dir`` holds the interfaces the parse read: they say what a non-public target is.
    """
    from dbt.exceptions import TargetNotFoundError

    cause = exc
    while cause is not None:  # the mesh's plugin already said it (resolve/private_refs.py)
        if isinstance(cause, DomainParseError) and cause.failure.domain.name == domain.name:
            return cause.failure
        cause = cause.__cause__ or cause.__context__
    message = str(exc) if exc is not None else "dbt parse failed"
    other = ParseFailure(FailureKind.OTHER, domain, message)
    if not isinstance(exc, TargetNotFoundError) or exc.target_kind != "node":
        return other
    producer, node = exc.target_package, _referring_node(exc)
    if not producer or producer == domain.name or node is None:
        return other  # a ref inside the domain: dbt's message says it all
    version = _version(exc.target_version)
    interface = read_interface(registry_dir, producer) if registry_dir is not None else None
    kind, what = ref_kind(domain, producer, exc.target_name, version, graph, interface)
    return ParseFailure(
        kind, domain, message, model=node.name, file=node.original_file_path,
        producer=producer, target=exc.target_name, version=version, node=what,
    )  # fmt: skip
