"""Bundled reference data: loaded from `chemoden/data` on first use and cached.

Importing chemoden reads no data file. Each table is read once per process, on the
first call that needs it, with `importlib.resources`.
"""
