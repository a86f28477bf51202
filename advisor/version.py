"""The advisor's version, in one place (the package metadata says the same; a test checks)."""

__version__ = "0.1.0"
