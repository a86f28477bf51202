"""The cost catalogue: dated, sourced figures (GPUs, serving, fine-tuning, people, trends), hosted
model prices from genai-prices, and the overrides a user gives in a config file or with --set."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from advisor.core import numbers, yamlio
from advisor.errors import InputError, Problem

KEY_PATTERN = r"^[a-z0-9_]+(\.[a-z0-9_]+)+$"
DATE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"
BUILT_IN_FILES = ("gpus", "serving", "fine_tuning", "people", "trend", "latency", "uncertainty")
SPREAD_KEY = "uncertainty.default_spread"
DEFAULT_SPREAD = 0.25  # used only when the catalogue lacks the figure above
PRICE_PREFIX = "price."  # price.<model>.input_usd_per_mtok / .output_usd_per_mtok


class Figure(BaseModel):
    """One number the cost model uses, with when it was true and who says so."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=KEY_PATTERN)
    value: float
    low: float | None = None  # the range the figure may really lie in; None: the default spread
    high: float | None = None
    unit: str = ""
    as_of: str = Field(pattern=DATE_PATTERN)
    source: str = Field(min_length=1)
    note: str = ""
    origin: str = ""  # the file, plugin, config file or --set that gave it
    replaces: bool = False  # a plugin's figure that deliberately replaces a built-in one

    @field_validator("value", "low", "high", mode="before")
    @classmethod
    def _number(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError("a figure is a number, not true or false")
        return value

    @model_validator(mode="after")
    def _range(self) -> Figure:
        _check_range(self.value, self.low, self.high)
        return self


def _check_range(value: float, low: float | None, high: float | None) -> None:
    if (low is None) != (high is None):
        raise ValueError("give both low and high, or neither")
    if low is not None and high is not None and not low <= value <= high:
        raise ValueError(f"low ({low:g}) <= value ({value:g}) <= high ({high:g}) must hold")


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: float
    low: float | None = None
    high: float | None = None
    unit: str = ""
    as_of: str = Field(pattern=DATE_PATTERN)
    source: str = Field(min_length=1)
    note: str = ""
    replaces: bool = False

    @model_validator(mode="after")
    def _range(self) -> _Body:
        _check_range(self.value, self.low, self.high)
        return self


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1)
    figures: dict[str, _Body]

    @field_validator("figures")
    @classmethod
    def _keys(cls, value: dict[str, _Body]) -> dict[str, _Body]:
        bad = [k for k in value if not re.match(KEY_PATTERN, k)]
        if bad:
            raise ValueError(
                f"figure keys are dotted lower-case words ([a-z0-9_]), not {', '.join(bad)}"
            )
        return value


class HostedModel(BaseModel):
    """Where genai-prices finds a friendly model id's prices."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    provider: str
    model: str
    open_size_b: float | None = None


class _Models(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str
    price_date: str = Field(pattern=DATE_PATTERN)
    models: dict[str, HostedModel]


class Currency(BaseModel):
    """The currency figures are shown in; catalogue figures are in US dollars."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    per_usd: float = Field(default=1.0, gt=0)


@dataclass(frozen=True)
class HostedPrice:
    """A hosted model's price per million tokens, in US dollars, and where it came from."""

    model: str
    input_usd_per_mtok: float
    output_usd_per_mtok: float
    as_of: str
    source: str


def _validate(model: type[BaseModel], text: str, name: str) -> Any:
    data = yamlio.load_fast(text, name)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        root = yamlio.load_round_trip(text, name)
        problems = []
        for err in exc.errors():
            loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
            field_name = ".".join(str(p) for p in loc) or "(file)"
            message = err["msg"].removeprefix("Value error, ")
            problems.append(Problem(field_name, message, yamlio.line_of(root, loc)))
        raise InputError(name, problems) from None


def load_figures(source: Path | Traversable, origin: str | None = None) -> list[Figure]:
    """The figures of one catalogue file; a malformed one fails with file, line and field."""
    name = origin or str(source)
    parsed: _File = _validate(_File, source.read_text(encoding="utf-8"), name)
    return [
        Figure(key=key, origin=name, **body.model_dump()) for key, body in parsed.figures.items()
    ]


@dataclass
class Catalogue:
    """Every figure by key, the hosted models, the currency, and where overrides came from."""

    figures: dict[str, Figure]
    models: dict[str, HostedModel]
    price_date: str
    currency: Currency = field(default_factory=Currency)
    _memo: dict[Any, Any] = field(default_factory=dict, repr=False)
    api_price_factor: float = 1.0  # hosted prices times this (flips on prices set it)
    gpu_price_factor: float = 1.0  # GPUs' hourly prices times this

    MEMO_LIMIT = 4096

    def memo(self, key: Any, compute: Callable[[], Any]) -> Any:
        """A value worked out from this catalogue's figures, kept while the catalogue lives (its
        figures never change: an override makes a new catalogue)."""
        try:
            return self._memo[key]
        except KeyError:
            pass
        if len(self._memo) >= self.MEMO_LIMIT:
            self._memo.clear()
        value = self._memo[key] = compute()
        return value

    def __getitem__(self, key: str) -> float:
        return self.figure(key).value * self._scale_of(key)

    def figure(self, key: str) -> Figure:
        try:
            return self.figures[key]
        except KeyError:
            near = _near(key, self.figures)
            raise KeyError(f"no figure {key!r} in the catalogue{near}") from None

    def under(self, prefix: str) -> dict[str, Figure]:
        """The figures whose keys start with ``prefix`` (a dotted prefix such as ``gpu.h100``)."""
        dotted = prefix if prefix.endswith(".") else prefix + "."
        return self.memo(
            ("under", dotted),
            lambda: {k: f for k, f in self.figures.items() if k.startswith(dotted)},
        )

    def overridden(
        self, values: Mapping[str, float], origin: str, *, allow_new: bool = False
    ) -> Catalogue:
        """A copy with ``values`` replacing figures; unknown keys are an error unless ``allow_new``."""
        figures = dict(self.figures)
        for key, value in values.items():
            old = figures.get(key)
            if old is None and not key.startswith(PRICE_PREFIX) and not allow_new:
                raise KeyError(f"no figure {key!r} in the catalogue{_near(key, figures)}")
            figures[key] = Figure(
                key=key,
                value=value,
                low=value,  # a figure the user gives is taken as exact
                high=value,
                unit=old.unit if old else "",
                as_of=old.as_of if old else self.price_date,
                source=f"overridden by {origin}",
                note=f"was {old.value:g} ({old.source})" if old else "",
                origin=origin,
            )
        return Catalogue(figures, self.models, self.price_date, self.currency)

    def warm(self) -> None:
        """Read what later lookups need (the hosted models' list prices), so that the first rule
        to price a model is not the one that pays for loading them."""
        _ = self._listed_prices

    def range_of(self, key: str) -> tuple[float, float]:
        """The range a figure may lie in: its own ``low`` and ``high``, else the default spread
        (``uncertainty.default_spread`` either side of its value)."""
        fig = self.figure(key)
        if fig.low is not None and fig.high is not None:
            return fig.low, fig.high
        spread = self.default_spread
        return fig.value * (1 - spread), fig.value * (1 + spread)

    @property
    def default_spread(self) -> float:
        spread = self.figures.get(SPREAD_KEY)
        return spread.value if spread is not None else DEFAULT_SPREAD

    def at(self, key: str, bound: str | None, *, dearer_when_higher: bool = True) -> float:
        """A figure at one end of its range: ``bound`` "cheap" gives the end that makes a bill
        smaller, "dear" the end that makes it larger, None the value itself."""
        if bound is None:
            return self[key]
        low, high = self.range_of(key)
        take_high = (bound == "dear") == dearer_when_higher
        return (high if take_high else low) * self._scale_of(key)

    def _scale_of(self, key: str) -> float:
        if self.gpu_price_factor != 1.0 and key.startswith("gpu.") and key.endswith(".hourly_usd"):
            return self.gpu_price_factor
        return 1.0

    def scaled(self, *, api: float = 1.0, gpu: float = 1.0) -> Catalogue:
        """A copy with every hosted price times ``api`` and every GPU's hourly price times
        ``gpu``: how the flips ask what a change of prices would do."""
        copy = Catalogue(self.figures, self.models, self.price_date, self.currency)
        copy.api_price_factor = self.api_price_factor * api
        copy.gpu_price_factor = self.gpu_price_factor * gpu
        copy.__dict__["_listed_prices"] = self._listed_prices  # the same list prices, read once
        return copy

    def hosted_price(self, model: str) -> HostedPrice:
        """The price of a hosted model per million tokens: an override, else genai-prices."""
        tokens_in = self.figures.get(f"{PRICE_PREFIX}{_key(model)}.input_usd_per_mtok")
        tokens_out = self.figures.get(f"{PRICE_PREFIX}{_key(model)}.output_usd_per_mtok")
        listed = self._listed_prices.get(model)
        if listed is None and (tokens_in is None or tokens_out is None):
            known = ", ".join(sorted(self.models))
            raise KeyError(f"no price for hosted model {model!r}; known: {known}")
        source = listed.source if listed else ""
        if tokens_in is not None or tokens_out is not None:
            source = "; ".join(f.source for f in (tokens_in, tokens_out) if f is not None)
        factor = self.api_price_factor
        return HostedPrice(
            model=model,
            input_usd_per_mtok=factor
            * (tokens_in.value if tokens_in else listed.input_usd_per_mtok),  # type: ignore[union-attr]
            output_usd_per_mtok=factor
            * (tokens_out.value if tokens_out else listed.output_usd_per_mtok),  # type: ignore[union-attr]
            as_of=listed.as_of if listed else self.price_date,
            source=source,
        )

    @cached_property
    def _listed_prices(self) -> dict[str, HostedPrice]:
        return _cached_prices(self.models, self.price_date)

    def in_currency(self, usd: float) -> float:
        return usd * self.currency.per_usd

    def money(self, usd: float | None) -> str:
        """An amount in US dollars shown in the user's currency (advisor.core.numbers.money)."""
        return numbers.money(usd, self.currency)

    def money_range(self, low: float | None, high: float | None) -> str:
        return numbers.money_range(low, high, self.currency)


def _cached_prices(models: Mapping[str, HostedModel], price_date: str) -> dict[str, HostedPrice]:
    """genai-prices' prices, kept in the user's cache folder between runs.

    The package's data only changes with its version, so the prices for one version, date and
    model list are computed once; every later run reads a small JSON file instead of paying the
    package's import. A cache that cannot be read or written is simply not used.
    """
    import hashlib
    import json
    from importlib.metadata import version

    try:
        release = version("genai-prices")
    except Exception:
        return _genai_prices(models, price_date)
    listing = json.dumps(
        [release, price_date, {k: v.model_dump() for k, v in sorted(models.items())}],
        sort_keys=True,
    )
    digest = hashlib.sha256(listing.encode()).hexdigest()[:16]
    from advisor.core.files import cache_dir

    path = cache_dir() / f"hosted-prices-{digest}.json"
    try:
        return {k: HostedPrice(**v) for k, v in json.loads(path.read_text("utf-8")).items()}
    except (OSError, ValueError, TypeError):
        pass
    prices = _genai_prices(models, price_date)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps({k: vars(v) for k, v in prices.items()}), "utf-8")
        os.replace(temporary, path)
    except OSError:
        pass
    return prices


def _genai_prices(models: Mapping[str, HostedModel], price_date: str) -> dict[str, HostedPrice]:
    """Prices from the genai-prices package's bundled data (no network), at the pinned date.

    Imported here, not at start-up: the package takes about 200 ms to load.
    """
    from datetime import UTC, datetime
    from importlib.metadata import version

    from genai_prices import Usage, calc_price

    when = datetime.fromisoformat(_full_date(price_date)).replace(tzinfo=UTC)
    release = version("genai-prices")
    out: dict[str, HostedPrice] = {}
    # Priced as one request of a thousand tokens each way, scaled to a million: some vendors price
    # long prompts (over 128k tokens) higher, and a one-million-token lump would fall in that tier.
    sample = 1_000
    for name, entry in models.items():
        try:
            tokens_in = calc_price(
                Usage(input_tokens=sample, output_tokens=0),
                entry.model,
                provider_id=entry.provider,
                genai_request_timestamp=when,
            )
            tokens_out = calc_price(
                Usage(input_tokens=0, output_tokens=sample),
                entry.model,
                provider_id=entry.provider,
                genai_request_timestamp=when,
            )
        except LookupError:
            continue  # reported by `advisor catalogue`; a price can still be given with --set
        out[name] = HostedPrice(
            model=name,
            input_usd_per_mtok=float(tokens_in.total_price) * 1_000_000 / sample,
            output_usd_per_mtok=float(tokens_out.total_price) * 1_000_000 / sample,
            as_of=price_date,
            source=f"genai-prices {release}: {entry.provider} {tokens_in.model.id}",
        )
    return out


def _full_date(text: str) -> str:
    parts = text.split("-")
    return "-".join(parts + ["01"] * (3 - len(parts)))


def _key(model: str) -> str:
    return model.replace("-", "_").replace(".", "_")


def _near(key: str, known: Iterable[str]) -> str:
    import difflib

    found = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    return f" (did you mean {found[0]!r}?)" if found else ""


def built_in_sources() -> list[Traversable]:
    folder = files("advisor.costs") / "data"
    return [folder / f"{name}.yaml" for name in BUILT_IN_FILES]


def load_models(source: Traversable | Path | None = None) -> _Models:
    source = source or files("advisor.costs") / "data" / "models.yaml"
    return _validate(_Models, source.read_text(encoding="utf-8"), str(source))


def build_catalogue(given: list[tuple[str, Any]], faults: list[Any]) -> Catalogue:
    """The catalogue from what plugins registered: figures, or paths of catalogue files.

    A key given twice is reported naming both plugins and the first kept, unless the later figure
    says ``replaces: true``.
    """
    from advisor.plugins import PluginFault

    figures: dict[str, Figure] = {}
    for plugin, item in given:
        try:
            if isinstance(item, Figure):
                found = [item.model_copy(update={"origin": item.origin or plugin})]
            elif isinstance(item, Path | Traversable):
                found = load_figures(item, origin=f"{plugin}:{getattr(item, 'name', item)}")
            else:
                raise TypeError(f"expected a Figure or a path, got {type(item).__name__}")
        except (InputError, TypeError, OSError) as exc:
            faults.append(PluginFault(plugin, "advisor_catalogue", str(exc)))
            continue
        for fig in found:
            old = figures.get(fig.key)
            if old is not None and not fig.replaces:
                faults.append(
                    PluginFault(
                        plugin,
                        "advisor_catalogue",
                        f"figure {fig.key!r} is already given by {old.origin}; "
                        "set replaces: true to replace it",
                    )
                )
                continue
            figures[fig.key] = fig
    listing = load_models()
    return Catalogue(figures, dict(listing.models), listing.price_date)
