"""Asking genai-prices, through a cache kept per package version: which model a name means
(resolve), its rates on a day (prices), and a search of every model it knows.

The answers are kept in a small JSON file in the user's cache folder, one per release of
genai-prices (advisor.core.base.files.cache_dir); a cache that cannot be read or written is simply
not used. A price is asked at 12:00 UTC on the day."""

from __future__ import annotations

import difflib
import functools
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from advisor.costs.hosted.models import Aliases, Model, UnknownModel, built_in_aliases
from advisor.costs.hosted.rates import Prices, Rate

# A model named without an entry in models.yaml is placed in a tier by its output price (US dollars
# per million tokens): at least the first figure is frontier, at least the second mid.
TIER_BY_OUTPUT_PRICE = (8.0, 3.0)
# Providers that resell other vendors' models; a search lists them after the vendors and hosts.
RESELLERS = ("openrouter", "huggingface_")


@functools.cache
def _release() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("genai-prices")
    except PackageNotFoundError:
        return "not installed"


@dataclass
class _Store:
    """What has been asked of genai-prices, by question, for one release of it."""

    release: str
    path: Path | None
    data: dict[str, dict[str, Any]] = field(default_factory=dict)

    def get(self, table: str, key: str) -> Any:
        return self.data.setdefault(table, {}).get(key, _MISSING)

    def put(self, table: str, key: str, value: Any) -> None:
        self.data.setdefault(table, {})[key] = value
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_text(json.dumps(self.data), "utf-8")
            os.replace(temporary, self.path)
        except OSError:
            pass


_MISSING = object()
_STORES: dict[tuple[str, str], _Store] = {}


def _store() -> _Store:
    from advisor.core.base.files import cache_dir

    release = _release()
    path = cache_dir() / f"hosted-models-{release}.json"
    key = (release, str(path))
    found = _STORES.get(key)
    if found is None:
        data: dict[str, dict[str, Any]] = {}
        try:
            loaded = json.loads(path.read_text("utf-8"))
            if isinstance(loaded, dict):
                data = loaded
        except (OSError, ValueError):
            pass
        found = _STORES[key] = _Store(release, path, data)
    return found


def _snapshot() -> Any:
    from genai_prices.data_snapshot import get_snapshot

    return get_snapshot()


def _find(ref: str, provider: str | None) -> tuple[Any, Any] | None:
    try:
        found: tuple[Any, Any] = _snapshot().find_provider_model(ref, None, provider, None)
        return found
    except LookupError:
        return None


def _split(ref: str) -> tuple[str | None, str]:
    provider, sep, model = ref.partition(":")
    if sep and provider and model and "/" not in provider:
        return provider, model
    return None, ref


def resolve(ref: str, aliases: Aliases | None = None) -> Model:
    """What a model name means: a friendly id, ``provider:model``, or a model id genai-prices can
    place with its vendor. Raises UnknownModel naming the nearest friendly ids."""
    aliases = aliases or built_in_aliases()
    alias = aliases.models.get(ref)
    store = _store()
    key = f"{alias.provider}:{alias.model}" if alias else ref
    found = store.get("models", key)
    if found is _MISSING:
        found = _look_up(ref if alias is None else key)
        store.put("models", key, found)
    if found is None:
        raise UnknownModel(ref, _near(ref, aliases))
    if alias is not None:
        return Model(
            ref=ref,
            provider=found["provider"],
            provider_name=found["provider_name"],
            model=found["model"],
            label=alias.label,
            tier=alias.tier,
            alias=ref,
            open_weights=alias.open_weights,
            shutdown=alias.shutdown,
            announced=alias.announced,
            replacement=alias.replacement,
            deprecated=found["deprecated"],
            lookup=key,
        )
    same = _alias_of(found["provider"], found["model"], aliases)
    if same is not None:  # a friendly id's model under another name: take its label and status
        model = resolve(same, aliases)
        return replace(model, ref=ref, alias=None, lookup=ref)
    name = found["name"] or found["model"]
    label = name if name.lower().startswith(found["provider_name"].lower()) else None
    output = found["output"]
    tier = (
        "frontier"
        if output >= TIER_BY_OUTPUT_PRICE[0]
        else "mid"
        if output >= TIER_BY_OUTPUT_PRICE[1]
        else "small"
    )
    return Model(
        ref=ref,
        provider=found["provider"],
        provider_name=found["provider_name"],
        model=found["model"],
        label=label or f"{found['provider_name']} {name}",
        tier=tier,
        tier_guessed=True,
        deprecated=found["deprecated"],
        lookup=ref,
    )


def _alias_of(provider: str, model: str, aliases: Aliases) -> str | None:
    """The friendly id whose model this is, when one is listed (``gpt-4o-2024-08-06`` is gpt-4o)."""
    store = _store()
    for name, alias in aliases.models.items():
        key = f"{alias.provider}:{alias.model}"
        found = store.get("models", key)
        if found is _MISSING:
            found = _look_up(key)
            store.put("models", key, found)
        if isinstance(found, dict) and (found["provider"], found["model"]) == (provider, model):
            return name
    return None


def _look_up(ref: str) -> dict[str, Any] | None:
    provider, model = _split(ref)
    found = _find(model, provider)
    if found is None:
        return None
    vendor, info = found
    from advisor.core.base.dates import today

    try:
        output = _base(info.get_prices(_noon(today().isoformat())).output_mtok)
    except (AttributeError, TypeError, ValueError, LookupError):
        output = 0.0
    return {
        "provider": vendor.id,
        "provider_name": vendor.name,
        "model": info.id,
        "name": info.name,
        "deprecated": bool(info.deprecated),
        "output": output,
    }


def _noon(on: str) -> Any:
    from datetime import UTC, date, datetime, time

    return datetime.combine(date.fromisoformat(on), time(12), tzinfo=UTC)


def _base(value: Any) -> float:
    if value is None:
        return 0.0
    return float(getattr(value, "base", value))


def _rate(value: Any) -> Rate | None:
    if value is None:
        return None
    tiers = getattr(value, "tiers", None)
    if tiers is None:
        return Rate(float(value))
    return Rate(float(value.base), tuple((int(t.start), float(t.price)) for t in tiers))


def _rates_json(rate: Rate | None) -> Any:
    return None if rate is None else [rate.base, [list(t) for t in rate.tiers]]


def _rate_from(data: Any) -> Rate | None:
    if data is None:
        return None
    base, tiers = data
    return Rate(float(base), tuple((int(s), float(p)) for s, p in tiers))


def prices(ref: str, on: str, aliases: Aliases | None = None) -> Prices:
    """A model's rates on the day ``on`` (YYYY-MM-DD), as genai-prices has them."""
    model = resolve(ref, aliases)
    store = _store()
    key = f"{model.provider}:{model.model}@{on}"
    found = store.get("prices", key)
    if found is _MISSING:
        provider, name = _split(model.lookup or ref)
        found = _ask_prices(provider or model.provider, name, on)
        store.put("prices", key, found)
    if found is None:
        raise UnknownModel(ref, [])
    batch = found["batch"]
    return Prices(
        model=model,
        input=_rate_from(found["input"]) or Rate(0.0),
        output=_rate_from(found["output"]) or Rate(0.0),
        cached_input=_rate_from(found["cached"]),
        batch=None
        if batch is None
        else (
            _rate_from(batch[0]) or Rate(0.0),
            _rate_from(batch[1]) or Rate(0.0),
            _rate_from(batch[2]),
        ),
        as_of=on,
        source=f"genai-prices {store.release}: {model.provider} {model.model}",
        changes=tuple((d, float(i), float(o)) for d, i, o in found["changes"]),
    )


def _ask_prices(provider: str, model: str, on: str) -> dict[str, Any] | None:
    found = _find(model, provider)
    if found is None:
        return None
    _, info = found
    when = _noon(on)
    standard = info.get_prices(when)
    batch = info.get_prices(when, {"processing": "batch"})
    rates = [_rate(getattr(standard, k, None)) for k in ("input_mtok", "output_mtok")]
    cached = _rate(getattr(standard, "cache_read_mtok", None))
    batch_rates = [
        _rate(getattr(batch, k, None)) for k in ("input_mtok", "output_mtok", "cache_read_mtok")
    ]
    same = batch_rates == [*rates, cached]
    changes = []
    for conditional in info.prices if isinstance(info.prices, list) else []:
        start = getattr(conditional.constraint, "start_date", None)
        if start is not None and start.isoformat() > on:
            changes.append(
                (
                    start.isoformat(),
                    _base(conditional.prices.input_mtok),
                    _base(conditional.prices.output_mtok),
                )
            )
    return {
        "input": _rates_json(rates[0]),
        "output": _rates_json(rates[1]),
        "cached": _rates_json(cached),
        "batch": None if same else [_rates_json(r) for r in batch_rates],
        "changes": sorted(changes),
    }


def _near(ref: str, aliases: Aliases) -> list[str]:
    """The nearest friendly ids, those offered today before the old ones kept for old files."""
    offered = [n for n, a in aliases.models.items() if a.offered]
    found = difflib.get_close_matches(ref, offered, n=3, cutoff=0.5)
    if len(found) < 3:
        rest = [n for n in aliases.models if n not in offered]
        found += difflib.get_close_matches(ref, rest, n=3 - len(found), cutoff=0.5)
    return found


def search(text: str, aliases: Aliases | None = None, limit: int = 20) -> list[Model]:
    """Models whose id, name or vendor contain every word of ``text``: the friendly ids first,
    then the rest of what genai-prices knows."""
    aliases = aliases or built_in_aliases()
    words = text.lower().split()
    if not words:
        return []
    out: list[Model] = []
    seen: set[tuple[str, str]] = set()
    for name, alias in aliases.models.items():
        hay = f"{name} {alias.label} {alias.provider} {alias.model}".lower()
        if all(w in hay for w in words):
            try:
                model = resolve(name, aliases)
            except UnknownModel:
                continue
            out.append(model)
            seen.add((model.provider, model.model))
    found = []
    for provider, provider_name, model_id, title in _index():
        hay = f"{provider}:{model_id} {provider_name} {title or ''}".lower()
        if (provider, model_id) not in seen and all(w in hay for w in words):
            found.append((provider.startswith(RESELLERS), provider, model_id))
    for _, provider, model_id in sorted(found):
        if len(out) >= limit:
            break
        try:
            out.append(resolve(f"{provider}:{model_id}", aliases))
        except UnknownModel:
            continue  # an entry genai-prices matches only by pattern (fine-tuned ids)
    return out[:limit]


def _index() -> Iterable[tuple[str, str, str, str | None]]:
    store = _store()
    found = store.get("index", "all")
    if found is _MISSING:
        found = [
            [p.id, p.name, m.id, m.name]
            for p in _snapshot().providers
            for m in p.models
            if _has_token_prices(m)
        ]
        store.put("index", "all", found)
    return [tuple(row) for row in found]


def _has_token_prices(info: Any) -> bool:
    first = info.prices[0].prices if isinstance(info.prices, list) else info.prices
    return getattr(first, "output_mtok", None) is not None
