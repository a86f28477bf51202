"""The sources of values a question may take beyond its shortlist (``values_from`` in a
questionnaire): any hosted model genai-prices prices, any open-model architecture in the catalogue.
The loader gives them to the questionnaire when it builds a registry."""

from __future__ import annotations

from collections.abc import Callable


def hosted_model(value: str) -> str:
    from advisor.costs import hosted

    try:
        hosted.resolve(value)
    except hosted.UnknownModel as exc:
        raise ValueError(str(exc)) from None
    return value


def open_model(value: str) -> str:
    from advisor.costs import capacity

    try:
        capacity.architecture(value)
    except KeyError as exc:
        raise ValueError(str(exc.args[0])) from None
    return value


VALUE_SOURCES: dict[str, Callable[[str], str]] = {
    "hosted_models": hosted_model,
    "open_models": open_model,
}
