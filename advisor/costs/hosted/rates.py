"""Hosted prices: a rate in US dollars per million tokens with its long-prompt tiers (Rate), a
model's rates on one day, standard and batch (Prices), and what one request costs at them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from advisor.costs.hosted.models import Model


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
