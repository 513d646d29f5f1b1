"""Tests of the compiler (portalis.lang)."""
