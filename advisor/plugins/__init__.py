"""Plugins: finding and loading them (loading.py) and building the registry from what their hooks
give (building.py). What the rest of the advisor imports is here."""

from advisor.plugins.building import build_registry
from advisor.plugins.loading import (
    ENTRY_POINT_GROUP,
    HOOK_API,
    SELECT_ENV,
    SLOW_SECONDS,
    TRACE_ENV,
    get_plugin_manager,
)

__all__ = [
    "ENTRY_POINT_GROUP",
    "HOOK_API",
    "SELECT_ENV",
    "SLOW_SECONDS",
    "TRACE_ENV",
    "build_registry",
    "get_plugin_manager",
]
