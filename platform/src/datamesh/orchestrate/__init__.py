"""Orchestrate: schedule domains and run write -> audit -> publish for each, with a run report."""
