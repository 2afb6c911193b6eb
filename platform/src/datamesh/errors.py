"""Errors a user can cause, each naming the file, domain or model at fault."""

from __future__ import annotations


class MeshError(Exception):
    """A problem with the user's input: the CLI prints it and exits with ``exit_code``."""

    exit_code = 2


class DiscoveryError(MeshError):
    """A project folder or a dependencies.yml that cannot be read as a domain."""


class GraphError(MeshError):
    """The declared dependencies between domains do not form a valid graph."""


class ParseError(MeshError):
    """dbt could not parse a domain."""
