"""Hosted models: any model the genai-prices package knows, named by a friendly id, ``provider:model``
or a bare model id, and its prices on a given day.

genai-prices holds every major vendor's list prices with their history (a price that changed on a
date, prices that rise for long prompts, cached-input and batch rates). Reading it costs about a
quarter of a second, so what the advisor asks of it (which model a name means, that model's rates on
a day) is kept in a small JSON file in the user's cache folder, one per package version: the answers
only change when the package does. A cache that cannot be read or written is simply not used.

A price is asked at 12:00 UTC on the day: a vendor that prices by the hour (DeepSeek's peak and
off-peak) gives its noon price.
"""

from __future__ import annotations

import difflib
import functools
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from advisor.core.base import yamlio

TIERS = ("frontier", "mid", "small")
Tier = Literal["frontier", "mid", "small"]
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
# A model named without an entry in models.yaml is placed in a tier by its output price (US dollars
# per million tokens): at least the first figure is frontier, at least the second mid.
TIER_BY_OUTPUT_PRICE = (8.0, 3.0)
# Providers that resell other vendors' models; a search lists them after the vendors and hosts.
RESELLERS = ("openrouter", "huggingface_")


class Alias(BaseModel):
    """A friendly model id: where genai-prices finds it, its label, tier and status."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    provider: str
    model: str
    label: str = Field(min_length=1)
    tier: Tier
    offered: bool = False  # in the shortlist the TUI and `advisor init` offer
    open_weights: str | None = None  # the architecture an open-weight endpoint serves
    shutdown: str | None = Field(default=None, pattern=DATE_PATTERN)
    announced: str | None = Field(default=None, pattern=DATE_PATTERN)
    replacement: str | None = None


class Aliases(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str
    models: dict[str, Alias]


def load_aliases(source: Traversable | Path | None = None) -> Aliases:
    """The friendly ids (models.yaml); a malformed file fails with file, line and field."""
    source = source or files("advisor.costs") / "data" / "models.yaml"
    aliases: Aliases = yamlio.validated(Aliases, source.read_text(encoding="utf-8"), str(source))
    for name, alias in aliases.models.items():
        if alias.replacement is not None and alias.replacement not in aliases.models:
            raise ValueError(f"{source}: {name}'s replacement {alias.replacement!r} is not listed")
    return aliases


@cache
def built_in_aliases() -> Aliases:
    return load_aliases()


class UnknownModel(LookupError):
    """A model name that neither the friendly ids nor genai-prices know."""

    def __init__(self, ref: str, near: list[str]):
        self.ref, self.near = ref, near
        hint = f"; did you mean {', '.join(near)}?" if near else ""
        super().__init__(
            f"{ref!r} is not a model genai-prices knows: name a friendly id (advisor models "
            f"lists them), provider:model such as openai:gpt-5-mini, or a vendor's model id{hint}"
        )


@dataclass(frozen=True)
class Model:
    """What a model name means: the vendor's model, its label and tier, and whether it is retired."""

    ref: str  # what the team wrote
    provider: str  # genai-prices' provider id
    provider_name: str
    model: str  # genai-prices' model id
    label: str
    tier: str
    tier_guessed: bool = False  # placed by its output price (no entry in models.yaml)
    alias: str | None = None
    open_weights: str | None = None
    shutdown: str | None = None
    announced: str | None = None
    replacement: str | None = None
    deprecated: bool = False  # genai-prices marks it deprecated
    lookup: str = ""  # the name genai-prices is asked for (provider:model or a bare id)

    def status(self, on: str) -> str:
        """A sentence on the model's retirement as of the date ``on``, or "" when it is current."""
        if self.shutdown is not None and self.shutdown <= on:
            text = f"{self.label} was retired on {self.shutdown}: priced at its last list price"
        elif self.shutdown is not None:
            said = f" (announced {self.announced})" if self.announced else ""
            text = f"{self.label} is shut down on {self.shutdown}{said}"
        elif self.deprecated:
            text = f"genai-prices marks {self.label} as deprecated"
        elif self.replacement is not None:
            text = f"{self.label} is a 2024 model that its host may no longer serve"
        else:
            return ""
        if self.replacement is not None:
            text += f"; consider {self.replacement}"
        return text


@dataclass(frozen=True)
class Rate:
    """A price in US dollars per million tokens, with the higher prices of long prompts: once a
    request's input passes a tier's start, every token of it is billed at the tier's price."""

    base: float
    tiers: tuple[tuple[int, float], ...] = ()

    def at(self, prompt_tokens: float) -> float:
        price = self.base
        for start, tier_price in self.tiers:
            if prompt_tokens > start:
                price = tier_price
        return price


@dataclass(frozen=True)
class Prices:
    """A hosted model's rates on one day, standard and (where the vendor has them) batch."""

    model: Model
    input: Rate
    output: Rate
    cached_input: Rate | None  # None: cached tokens are billed as input
    batch: tuple[Rate, Rate, Rate | None] | None  # input, output, cached input; None: no batch rate
    as_of: str
    source: str
    changes: tuple[tuple[str, float, float], ...] = ()  # later changes: (date, input, output)

    @property
    def input_usd_per_mtok(self) -> float:
        return self.input.base

    @property
    def output_usd_per_mtok(self) -> float:
        return self.output.base

    @property
    def cached_usd_per_mtok(self) -> float:
        return (self.cached_input or self.input).base

    def scaled(self, factor: float) -> Prices:
        """Every rate times ``factor`` (how the flips ask what dearer or cheaper prices do)."""

        def times(rate: Rate) -> Rate:
            return Rate(rate.base * factor, tuple((s, p * factor) for s, p in rate.tiers))

        batch = None
        if self.batch is not None:
            cached = self.batch[2]
            batch = (
                times(self.batch[0]),
                times(self.batch[1]),
                None if cached is None else times(cached),
            )
        return replace(
            self,
            input=times(self.input),
            output=times(self.output),
            cached_input=None if self.cached_input is None else times(self.cached_input),
            batch=batch,
        )

    def replaced(self, given: Mapping[str, float], source: str) -> Prices:
        """These prices with some given in their place (``input``, ``output``, ``cached``, in US
        dollars per million tokens); a given price has no long-prompt tiers and no batch rate."""
        parts = {
            "input": Rate(given["input"]) if "input" in given else self.input,
            "output": Rate(given["output"]) if "output" in given else self.output,
            "cached_input": Rate(given["cached"]) if "cached" in given else self.cached_input,
        }
        return replace(self, **parts, batch=None, source=source)  # type: ignore[arg-type]

    def per_request(
        self,
        tokens_in: float,
        tokens_out: float,
        cached_share: float = 0.0,
        *,
        batch: bool = False,
        factor: float = 1.0,
    ) -> float:
        """One request's price in US dollars, as genai-prices works it out: the input not read
        from the cache at the input price, the cached share at the cached price, the output at the
        output price, each at its long-prompt tier."""
        rates = (self.input, self.output, self.cached_input)
        if batch and self.batch is not None:
            rates = self.batch
        tin, tout, cached = rates
        cached = cached or tin
        hit = tokens_in * cached_share
        return (
            factor
            * (
                (tokens_in - hit) * tin.at(tokens_in)
                + hit * cached.at(tokens_in)
                + tokens_out * tout.at(tokens_in)
            )
            / 1e6
        )


# ---------------------------------------------------------------------------------------------
# Asking genai-prices, through a cache kept per package version


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


def given_prices(
    ref: str, tokens_in: float, tokens_out: float, cached: float | None, *, as_of: str, source: str
) -> Prices:
    """Prices for a model genai-prices does not know, given by the team (--set or a config file)."""
    model = Model(ref, "", "", ref, ref, "mid", tier_guessed=True)
    return Prices(
        model=model,
        input=Rate(tokens_in),
        output=Rate(tokens_out),
        cached_input=None if cached is None else Rate(cached),
        batch=None,
        as_of=as_of,
        source=source,
    )


def _near(ref: str, aliases: Aliases) -> list[str]:
    """The nearest friendly ids, those offered today before the old ones kept for old files."""
    offered = [n for n, a in aliases.models.items() if a.offered]
    found = difflib.get_close_matches(ref, offered, n=3, cutoff=0.5)
    if len(found) < 3:
        rest = [n for n in aliases.models if n not in offered]
        found += difflib.get_close_matches(ref, rest, n=3 - len(found), cutoff=0.5)
    return found


def shortlist(aliases: Aliases | None = None) -> list[tuple[str, Alias]]:
    """The friendly ids offered by the TUI and ``advisor init``, in the file's order."""
    aliases = aliases or built_in_aliases()
    return [(name, alias) for name, alias in aliases.models.items() if alias.offered]


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


def labels(aliases: Mapping[str, Alias]) -> dict[str, str]:
    return {name: alias.label for name, alias in aliases.items()}
