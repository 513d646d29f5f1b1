"""Passes over the typed IR, each one file exporting one function (listed in pipeline.py)."""
