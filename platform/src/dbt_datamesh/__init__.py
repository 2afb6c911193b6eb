"""dbt-core plugin (found by its ``dbt_`` prefix): cross-domain refs from the mesh registry."""

from __future__ import annotations

from dbt.plugins.manager import dbt_hook, dbtPlugin
from dbt.plugins.manifest import PluginNodes

from datamesh.resolve.nodes import injected_nodes
from datamesh.resolve.private_refs import check_no_non_public_refs
from datamesh.resolve.target_guard import check_running_target
from datamesh.resolve.upstreams import (
    command_needs_upstreams,
    current_project_dir,
    load_upstreams,
)
from datamesh.sandbox.dev import wall_dbt_cli


class MeshRegistryPlugin(dbtPlugin):
    """Injects the public models of the domains a project declares in dependencies.yml."""

    def initialize(self) -> None:
        project_dir = current_project_dir()
        # the platform's publish target, run by hand: say whose it is (resolve/target_guard.py)
        check_running_target(project_dir)
        # dbt run by hand (dev target) gets the platform's write wall; see datamesh/sandbox/dev.py
        wall_dbt_cli()
        self._upstreams = []
        if (project_dir / "dbt_project.yml").is_file() and command_needs_upstreams():
            self._upstreams = load_upstreams(project_dir)
            check_no_non_public_refs(project_dir, self._upstreams)

    @dbt_hook
    def get_nodes(self) -> PluginNodes:
        nodes = PluginNodes()
        for args in injected_nodes(self._upstreams):
            nodes.add_model(args)
        return nodes


plugins = [MeshRegistryPlugin]
