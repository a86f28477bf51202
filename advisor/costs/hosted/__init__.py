"""Hosted models: any model the genai-prices package knows, named by a friendly id, ``provider:model``
or a bare model id, and its prices on a given day.

genai-prices holds every major vendor's list prices with their history (a price that changed on a
date, prices that rise for long prompts, cached-input and batch rates). Reading it costs about a
quarter of a second, so what the advisor asks of it (which model a name means, that model's rates on
a day) is kept in a small JSON file in the user's cache folder, one per package version: the answers
only change when the package does. A cache that cannot be read or written is simply not used.

A price is asked at 12:00 UTC on the day: a vendor that prices by the hour (DeepSeek's peak and
off-peak) gives its noon price.

The modules: ``models`` (the friendly ids and what a name means), ``rates`` (a day's rates and the
price of a request) and ``genai`` (asking genai-prices, through the cache). The names most callers
use are re-exported here, so that ``from advisor.costs import hosted`` then ``hosted.resolve``
keeps working: ``resolve`` and ``search`` (genai), ``shortlist`` and ``UnknownModel`` (models).
Import every other name from its module.
"""

from __future__ import annotations

from advisor.costs.hosted.genai import resolve, search
from advisor.costs.hosted.models import UnknownModel, shortlist

__all__ = ["UnknownModel", "resolve", "search", "shortlist"]
