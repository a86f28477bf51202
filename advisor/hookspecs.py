"""The plugin contract: the hooks a plugin implements to contribute to the advisor."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("advisor")
hookimpl = pluggy.HookimplMarker("advisor")


@hookspec
def advisor_sections(register: Callable[[Any], None]) -> None:
    """Contribute questionnaire sections.

    :param register: call it once per section, with a :class:`advisor.Section` or the path (a
        ``pathlib.Path`` or an ``importlib.resources`` file) of a section YAML file.

    A section whose id is new adds a section. A section with ``extends: true`` adds its questions to
    the section of the same id that another plugin gives. Every question is validated when it is
    registered; a malformed file is reported with its file, line and field, and the rest load.
    Called once per plugin when the registry is built; the return value is ignored.
    """


@hookspec
def advisor_options(register: Callable[[Any], None]) -> None:
    """Contribute options the advisor can recommend (``api``, ``self_host``, ``fine_tune`` are built in).

    :param register: call it once per :class:`advisor.Option`.

    Option ids are short snake_case words and are unique across plugins: a second plugin giving the
    same id is reported naming both plugins, and its option is ignored. ``effort`` orders options by
    the work they take: among options held back by as many gates and tied on points, the lighter
    ranks first.
    """


@hookspec
def advisor_facts(register: Callable[[Any], None]) -> None:
    """Contribute derived facts: values computed from answers that rules read, e.g. tokens a month.

    :param register: call it once per :class:`advisor.Fact`.

    A fact's ``compute`` receives the same read-only view rules receive and must be pure; it must
    declare in ``reads`` every question (``section.id``) and fact it reads, so the engine knows which
    unknown answers could change it. A fact name given twice is an error naming both plugins, unless
    the later one sets ``replaces=True`` (how the cost model replaces a first estimate).
    A fact that raises is reported by plugin and name and reads as unknown (None).
    """


@hookspec
def advisor_rules(register: Callable[[Any], None]) -> None:
    """Contribute rules.

    :param register: call it once per :class:`advisor.Rule` (usually made with ``@advisor.rule``),
        or with the path of a policy pack: rules (and questions) written as YAML, see
        docs/plugins.md.

    A rule's ``check`` receives the facts and returns or yields findings (``advisor.veto``,
    ``advisor.hold``, ``advisor.points``, ``advisor.note``) about options. It must be pure and must
    declare in ``reads`` every question and fact it reads. Its ``stage`` ("constraint", "gate",
    "economics" or "preference", the default) says when it runs: constraint rules first, and the
    options they veto are the fact ``ruled_out`` that rules of later stages may read. Rule codes
    are stable, never reused, and unique across plugins: a duplicate is reported naming both
    plugins and the later rule is ignored. A rule that raises, or returns something other than
    findings, is reported by code and plugin and counts as not fired; the rest of the evaluation
    goes on.
    """


@hookspec
def advisor_catalogue(register: Callable[[Any], None]) -> None:
    """Contribute figures to the cost catalogue: GPU prices, serving throughput, people's costs.

    :param register: call it with an :class:`advisor.Figure` or the path of a catalogue YAML file
        (``title:`` and ``figures:``, each figure with ``value``, ``unit``, ``as_of`` and
        ``source``).

    Every figure carries the date it was true and who says so. A key given twice is reported
    naming both plugins and the first kept, unless the later figure sets ``replaces: true``. Users
    override any figure in their config file or with ``--set KEY=VALUE``; those overrides come
    last and win. The catalogue is read the first time a command needs it.
    """


@hookspec
def advisor_bills(register: Callable[[Any], None]) -> None:
    """Say how an option's bill is worked out, so the option is costed, weighed, swept and
    charted like the built-in ones.

    :param register: call it once per :class:`advisor.Pricing`: the option it prices, the
        questions and facts its bill reads, and ``bill(answers, catalogue, bound=None)``, which
        returns an :class:`advisor.OptionCost` of :class:`advisor.Line` items (each naming the
        catalogue figures it used) or None when the option cannot be priced from these answers.

    ``answers`` holds exactly what ``reads`` names. The cost model calls ``bill`` with the
    catalogue's figures at their values and at each end of their ranges (``bound`` "cheap" or
    "dear": read figures with ``catalogue.at(key, bound)``), totals the horizon, and finds where the
    bill meets the API's. One pricing per option: a second one is reported naming both plugins
    and ignored, as is a pricing for an option no plugin gives or one that reads what no plugin
    gives. A bill that raises is reported by plugin and option and that option has no bill; the
    others are worked out. It must be pure: bills are worked out many times while the flips are
    searched. The built-in options are priced through this hook too (the built-in plugin
    ``costs``).
    """


@hookspec
def advisor_memo_sections(context: Any, register: Callable[[Any], None]) -> None:
    """Contribute sections to the decision memo (``advisor memo``), e.g. next steps for a new option.

    :param context: a read-only :class:`advisor.MemoContext`: the decision, ``context["pmf.stage"]``
        for an answer or fact, ``context.costs`` for the bills (None without the figures).
    :param register: call it once per :class:`advisor.MemoSection`.

    Called each time a memo is built, after the evaluation; it must be pure. Sections hold plain
    text, escaped by the memo in Markdown and HTML alike, and go where their ``place`` says. A plugin
    that raises or registers something else is named in the memo's appendix; the memo is still
    written.
    """
