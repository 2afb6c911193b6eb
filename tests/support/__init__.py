"""Helpers shared by the test modules: mesh copies, the CLI runner, fake mesh manifests."""
