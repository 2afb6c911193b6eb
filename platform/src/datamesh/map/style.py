"""What the map says and how it colours it, defined once for every drawing of it.

Mermaid, DOT and the HTML page draw the same mesh; when each spelled its own labels and colours
they drifted apart ("deprecated D" in one, "(deprecated D)" in another). The view model
(``map/model.py``) writes these words and colours into the view; the renderers only format them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from datamesh.console import plural


class Health(StrEnum):
    """How a domain stands, from its last build, expectations and governance findings."""

    FAILING = "failing"
    WARNING = "warning"
    UNKNOWN = "unknown"
    HEALTHY = "healthy"


# Worst first: a domain shows the worst level any of its signals reaches.
HEALTH_ORDER: tuple[Health, ...] = (Health.FAILING, Health.WARNING, Health.UNKNOWN, Health.HEALTHY)


class GxStatus(StrEnum):
    """What Great Expectations said about one model version."""

    PASSED = "passed"
    FAILED = "failed"
    NO_SUITE = "no suite"
    NOT_RUN = "not run yet"


@dataclass(frozen=True)
class Swatch:
    """A box's colours: ``fill`` behind it, ``stroke`` around it, ``text`` for words on ``fill``."""

    fill: str
    stroke: str
    text: str

    def as_dict(self) -> dict[str, str]:
        return {"fill": self.fill, "stroke": self.stroke, "text": self.text}


HEALTH_PALETTE: dict[Health, Swatch] = {
    Health.HEALTHY: Swatch(fill="#e8f5e9", stroke="#2e7d32", text="#2e7d32"),
    Health.WARNING: Swatch(fill="#fff8e1", stroke="#f9a825", text="#8d6e00"),
    Health.FAILING: Swatch(fill="#ffebee", stroke="#c62828", text="#c62828"),
    Health.UNKNOWN: Swatch(fill="#f5f5f5", stroke="#9e9e9e", text="#5f6f78"),
}
# A deprecated version: its node's border, the arrows that read it, the page's badge.
DEPRECATED_COLOR = "#c0392b"
# A domain-to-domain arrow names the refs flowing along it up to this many, else counts them.
MAX_REFS_IN_LABEL = 2
DEPRECATED_READ = "(deprecated read)"


def version_label(version: Any) -> str:
    """``v2`` for a versioned model, ``unversioned`` for a model with a single, unnamed one."""
    return "unversioned" if version in (None, "") else f"v{version}"


def edge_caption(version: Any, deprecated: bool, date: str | None) -> str:
    """What an arrow says: its version, or nothing for an unversioned model (the usual case,
    so that word on every arrow only adds noise)."""
    if version in (None, "") and not deprecated:
        return ""
    return version_caption(version, deprecated, date)


def ref_label(model: str, version: Any) -> str:
    """``things v2``; just ``things`` for an unversioned model."""
    return model if version in (None, "") else f"{model} {version_label(version)}"


def deprecation_note(date: str | None) -> str:
    """``deprecated 2030-01-01``; plain ``deprecated`` when no date is known."""
    return f"deprecated {date}" if date else "deprecated"


def version_caption(version: Any, deprecated: bool, date: str | None) -> str:
    """The one wording of a version everywhere: ``v1 (deprecated 2030-01-01)``, or ``v2``."""
    label = version_label(version)
    return f"{label} ({deprecation_note(date)})" if deprecated else label


def domain_edge_label(refs: list[str], deprecated: bool, cut_off: int | None) -> str:
    """What a producer -> consumer domain arrow says; past ``cut_off`` refs, only their count."""
    text = (
        ", ".join(refs) if cut_off is None or len(refs) <= cut_off else plural(len(refs), "model")
    )
    return f"{text} {DEPRECATED_READ}" if deprecated else text


def palette() -> dict[str, Any]:
    """The colours as JSON-ready data, for the view (and through it the page's CSS)."""
    return {
        "health": {str(level): HEALTH_PALETTE[level].as_dict() for level in HEALTH_ORDER},
        "deprecated": DEPRECATED_COLOR,
    }
