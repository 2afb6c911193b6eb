"""How much a failed expectation matters."""

from __future__ import annotations

from enum import StrEnum


class Severity(StrEnum):
    CRITICAL = "critical"  # blocks publishing
    WARNING = "warning"  # only reported
