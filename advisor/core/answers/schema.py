"""The schema of an answers file: its pydantic model, built from the questionnaires (one sub-model
a section), and the JSON Schema that editors check files against."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, create_model

from advisor.core.answers.questionnaire import _FALSE, _TRUE, NUMBER_PATTERN, Question

if TYPE_CHECKING:
    from advisor.core.decision.registry import Registry


class Expect(BaseModel):
    """What a sound advisor must conclude for these answers (used by `advisor check`)."""

    model_config = ConfigDict(extra="forbid")

    accept: list[str] = Field(
        default_factory=list, description="The recommendation must be one of these."
    )
    reject: list[str] = Field(
        default_factory=list, description="The recommendation must never be one of these."
    )


def _python_type(q: Question) -> Any:
    if q.values_from is not None:
        return str  # a shortlist of choices, and any name its source knows
    allowed: Any = Literal.__getitem__(q.choice_values) if q.choices else None
    if q.type == "choice":
        return allowed
    if q.type == "multi_choice":
        return list[allowed]
    return {"bool": bool, "int": int, "number": float, "text": str}[q.type]


def _field_for(q: Question) -> tuple[Any, Any]:
    def read(value: Any, _q: Question = q) -> Any:
        return None if value is None else _q.coerce(value)

    constraints: dict[str, Any] = {}
    if q.type in ("int", "number"):
        if q.minimum is not None:
            constraints["gt" if q.exclusive_minimum else "ge"] = q.minimum
        if q.maximum is not None:
            constraints["le"] = q.maximum
    extra: dict[str, Any] = {"x-why": q.why}
    if q.unit:
        extra["x-unit"] = q.unit
    if q.choices:
        extra["x-labels"] = {c.value: c.label for c in q.choices}
    # The bounds go on the value's own type, not on the optional: a question left empty (None)
    # has nothing to compare with them.
    inner: Any = _python_type(q)
    if constraints:
        inner = Annotated[inner, Field(**constraints)]
    annotated: Any = Annotated[
        inner | None,
        BeforeValidator(read),
        Field(
            default=None,
            title=q.prompt,
            description=(q.help or q.prompt)
            + (f" Default: {q.default}." if q.default is not None else ""),
            json_schema_extra=extra,
        ),
    ]
    return (annotated, None)


def answers_model(registry: Registry) -> type[BaseModel]:
    """The pydantic model of a whole answers file, with one sub-model per questionnaire section."""
    cached = registry._cache.get("answers_model")
    if cached is not None:
        return cached
    forbid = ConfigDict(extra="forbid")
    section_fields: dict[str, Any] = {}
    for section in registry.sections:
        model = create_model(  # type: ignore[call-overload]
            f"{_camel(section.id)}Answers",
            __config__=ConfigDict(extra="forbid", title=section.title),
            __doc__=section.description or section.title,
            **{q.id: _field_for(q) for q in section.questions},
        )
        section_fields[section.id] = (model | None, Field(default=None, description=section.title))
    answers = create_model(
        "Answers", __config__=forbid, __doc__="Answers by section.", **section_fields
    )
    file_model = create_model(
        "AnswersFile",
        __config__=ConfigDict(extra="forbid", title="advisor answers file"),
        __doc__="A team's answers to the advisor's questionnaires.",
        schema_ref=(
            str | None,
            Field(default=None, alias="$schema", description="A JSON Schema for editors; ignored."),
        ),
        title=(str | None, Field(default=None, description="What is being decided.")),
        why=(str | None, Field(default=None, description="Free text: the reasoning or context.")),
        expect=(Expect | None, Field(default=None, description="What the recommendation must be.")),
        answers=(answers | None, Field(default=None)),
    )
    registry._cache["answers_model"] = file_model
    return file_model


_SPELLED_BOOLEANS = sorted(
    {form for word in _TRUE | _FALSE for form in (word, word.capitalize(), word.upper())}
)


def json_schema(registry: Registry) -> dict[str, Any]:
    """The JSON Schema of an answers file, as lenient as the loader.

    Editors check files against it, so it admits what the advisor reads: numbers written as text
    (``"2,000,000"``, ``20_000``, ``"1e7"``), the YAML 1.1 spellings of booleans, and booleans for
    yes/no choices. ``expect`` lists only known option ids.
    """
    schema = answers_model(registry).model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    defs = schema.get("$defs", {})
    for section in registry.sections:
        props = defs.get(f"{_camel(section.id)}Answers", {}).get("properties", {})
        for q in section.questions:
            prop = props.get(q.id)
            if prop is None or "anyOf" not in prop:
                continue
            if q.type in ("int", "number"):
                prop["anyOf"].insert(-1, {"type": "string", "pattern": NUMBER_PATTERN})
            elif q.type == "bool":
                prop["anyOf"].insert(-1, {"type": "string", "enum": _SPELLED_BOOLEANS})
            elif q.type == "choice" and {"yes", "no"} <= set(q.choice_values):
                prop["anyOf"].insert(-1, {"type": "boolean"})
    expect = defs.get("Expect", {}).get("properties", {})
    for key in ("accept", "reject"):
        if key in expect:
            expect[key]["items"] = {"type": "string", "enum": list(registry.options)}
    return schema


def _camel(text: str) -> str:
    return "".join(part.capitalize() for part in text.split("_"))
