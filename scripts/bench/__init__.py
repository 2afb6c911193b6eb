"""Helpers of ``scripts/benchmark.py``: measurement, the monolith, synthetic projects, reports."""
