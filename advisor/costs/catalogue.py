"""The cost catalogue: dated, sourced figures (GPUs, serving, fine-tuning, people, trends), hosted
model prices from genai-prices, and the overrides a user gives in a config file or with --set.
A figure, and the files figures are read from, are in advisor/costs/figures.py."""

from __future__ import annotations

import contextlib
import itertools
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from advisor.core.base import numbers
from advisor.costs.figures import Figure, load_figures
from advisor.costs.hosted import genai
from advisor.costs.hosted.models import Aliases, Model, UnknownModel, built_in_aliases
from advisor.costs.hosted.rates import Prices, given_prices
from advisor.errors import InputError

SPREAD_KEY = "uncertainty.default_spread"
DEFAULT_SPREAD = 0.25  # used only when the catalogue lacks the figure above
PRICE_PREFIX = "price."  # price.<model>.input_usd_per_mtok / .output_usd_per_mtok


class Currency(BaseModel):
    """The currency figures are shown in; catalogue figures are in US dollars."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    per_usd: float = Field(default=1.0, gt=0)


@dataclass
class Catalogue:
    """Every figure by key, the hosted models, the currency, and where overrides came from."""

    figures: dict[str, Figure]
    aliases: Aliases  # friendly hosted-model ids (models.yaml)
    price_date: str  # the day hosted prices are asked at (YYYY-MM-DD)
    currency: Currency = field(default_factory=Currency)
    _memo: dict[Any, Any] = field(default_factory=dict, repr=False)
    # What depends on the figures alone, not on prices or their date (a GPU's operating point):
    # shared by the copies on() and scaled() make.
    _shared: dict[Any, Any] = field(default_factory=dict, repr=False)
    api_price_factor: float = 1.0  # hosted prices times this (flips on prices set it)
    gpu_price_factor: float = 1.0  # GPUs' hourly prices times this

    MEMO_LIMIT = 4096
    # One explored decision sizes deployments for a hundred or more shapes of call, each with
    # dozens of candidate replicas and operating points: room for all of them.
    SHARED_LIMIT = 32768

    def memo(self, key: Any, compute: Callable[[], Any]) -> Any:
        """A value worked out from this catalogue's figures, kept while the catalogue lives (its
        figures never change: an override makes a new catalogue)."""
        return _kept(self._memo, key, compute, self.MEMO_LIMIT)

    def shared(self, key: Any, compute: Callable[[], Any]) -> Any:
        """Like memo(), for a value that depends on the figures but not on hosted or GPU prices
        or the day they are asked at: kept for this catalogue and the copies made from it."""
        return _kept(self._shared, key, compute, self.SHARED_LIMIT)

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
            problem = _not_sensible(value, old)
            if problem:
                raise FigureError(key, problem)
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
        return Catalogue(figures, self.aliases, self.price_date, self.currency)

    def on(self, price_date: str) -> Catalogue:
        """A copy that asks hosted prices at another day (a memo's recorded date, say)."""
        return Catalogue(
            self.figures, self.aliases, price_date, self.currency, _shared=self._shared
        )

    def set_currency(self, data: Any) -> None:
        """Show prices in another currency (``{code, per_usd, ...}`` as the config file gives it)."""
        self.currency = Currency.model_validate(data)

    def warm(self, models: Iterable[str] = (), open_model: str | None = None) -> None:
        """Read what later lookups need (the hosted models' prices, those of the endpoints that
        serve ``open_model``'s weights, the architectures and the capacity factors), so that the
        first rule or fact to price a bill is not the one that pays for loading them: with no
        price cache yet, that is genai-prices' whole data set."""
        from advisor.costs.capacity.fitted import factors
        from advisor.costs.capacity.hardware import known_gpus
        from advisor.costs.capacity.shapes import architectures

        architectures()
        known_gpus(self)
        for bound in (None, "cheap", "dear"):
            factors(self, bound)
        endpoints = self.endpoints(open_model) if open_model else []
        for model in dict.fromkeys([*models, *endpoints]):
            with contextlib.suppress(KeyError):  # an unknown model is reported where it is read
                self.hosted_price(model)

    def endpoints(self, architecture: str) -> list[str]:
        """The friendly ids of the hosted endpoints that serve an open model's weights (Groq,
        Together AI, Fireworks), as models.yaml lists them."""
        return [
            name
            for name, alias in self.aliases.models.items()
            if alias.open_weights == architecture
        ]

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
        copy = Catalogue(
            self.figures, self.aliases, self.price_date, self.currency, _shared=self._shared
        )
        copy.api_price_factor = self.api_price_factor * api
        copy.gpu_price_factor = self.gpu_price_factor * gpu
        return copy

    def hosted_model(self, model: str) -> Model:
        """What a hosted model's name means (its vendor, label, tier and status); KeyError when
        genai-prices does not know it."""
        try:
            return self.shared(("model", model), lambda: genai.resolve(model, self.aliases))
        except UnknownModel as exc:
            raise KeyError(str(exc)) from None

    def hosted_price(self, model: str) -> Prices:
        """A hosted model's prices at the catalogue's date: genai-prices', with any price given
        by --set or a config file (``price.<model>.input_usd_per_mtok`` and
        ``.output_usd_per_mtok``, ``.cached_usd_per_mtok``) in their place."""
        listed = self.shared(("listed", model, self.price_date), lambda: self._listed(model))
        if self.api_price_factor == 1.0:
            return listed
        return self.memo(
            ("scaled", model, self.api_price_factor),
            lambda: listed.scaled(self.api_price_factor),
        )

    def _listed(self, model: str) -> Prices:
        stem = f"{PRICE_PREFIX}{_key(model)}"
        given = {
            part: self.figures.get(f"{stem}.{part}_usd_per_mtok")
            for part in ("input", "output", "cached")
        }
        try:
            listed = genai.prices(model, self.price_date, self.aliases)
        except UnknownModel as exc:
            if given["input"] is None or given["output"] is None:
                raise KeyError(str(exc)) from None
            return given_prices(
                model,
                given["input"].value,
                given["output"].value,
                None if given["cached"] is None else given["cached"].value,
                as_of=self.price_date,
                source="; ".join(f.source for f in given.values() if f is not None),
            )
        if all(f is None for f in given.values()):
            return listed
        return listed.replaced(
            {part: f.value for part, f in given.items() if f is not None},
            source="; ".join(f.source for f in given.values() if f is not None),
        )

    def in_currency(self, usd: float) -> float:
        return usd * self.currency.per_usd

    def money(self, usd: float | None) -> str:
        """An amount in US dollars shown in the user's currency (advisor.core.base.numbers.money)."""
        return numbers.money(usd, self.currency)

    def money_range(self, low: float | None, high: float | None) -> str:
        return numbers.money_range(low, high, self.currency)


def _kept(store: dict[Any, Any], key: Any, compute: Callable[[], Any], limit: int) -> Any:
    try:
        return store[key]
    except KeyError:
        pass
    if len(store) >= limit:
        # Forget the older half (a dict keeps the order values were put in): what a long session
        # or a search worked out last is what it asks for again.
        for old in list(itertools.islice(store, len(store) // 2)):
            del store[old]
    value = store[key] = compute()
    return value


def _key(model: str) -> str:
    return model.replace("-", "_").replace(".", "_")


SENSIBLE_FACTOR = 1000.0  # an override may be this many times the shipped figure, either way


class FigureError(KeyError):
    """A figure given a value it cannot take: which figure, and what it allows."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key
        self.message = message


def _not_sensible(value: float, old: Figure | None) -> str:
    """Why ``value`` cannot stand for the figure ``key`` ("" when it can): every figure is a
    positive finite number (a price, a rate, a size, a time); one the catalogue ships may move a
    thousandfold either way, no further, and a share stays at most 1."""
    if not math.isfinite(value) or value <= 0:
        return f"{value:g} is not allowed; expected a positive finite number"
    if old is None or old.value is None or old.value <= 0:
        return ""
    low, high = old.value / SENSIBLE_FACTOR, old.value * SENSIBLE_FACTOR
    if (old.unit or "").startswith("share"):
        high = min(high, 1.0)
    if not low <= value <= high:
        return (
            f"{value:g} is out of range; expected {low:.3g} to {high:.3g} "
            f"(the shipped {old.value:g} {old.unit}, at most {SENSIBLE_FACTOR:,.0f} times "
            "higher or lower)"
        )
    return ""


def _near(key: str, known: Iterable[str]) -> str:
    import difflib

    found = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    return f" (did you mean {found[0]!r}?)" if found else ""


def build_catalogue(given: list[tuple[str, Any]], faults: list[Any]) -> Catalogue:
    """The catalogue from what plugins registered: figures, or paths of catalogue files.

    A key given twice is reported naming both plugins and the first kept, unless the later figure
    says ``replaces: true``.
    """
    from advisor.core.decision.registry import PluginFault

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
    from advisor.core.base.dates import today

    return Catalogue(figures, built_in_aliases(), today().isoformat())
