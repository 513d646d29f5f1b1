"""The package version, in a module that imports nothing (the compiler stamps it into every
module it builds; the CLI prints it)."""

__version__ = "0.1.0"
