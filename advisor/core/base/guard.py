"""Running code the advisor did not write (plugins' hooks, rules and facts, users' templates) with
its hands tied: a time limit, standard output kept, and no way to end the process.

``guarded(fn, *args)`` calls ``fn`` and gives back what it returns. What a well-behaved function
never does is turned into :class:`Misbehaved`, an ordinary exception the caller reports as that
plugin's fault while the rest keep working:

* running past its time limit (``limit`` seconds, :func:`seconds` unless told): the call is
  interrupted where it is, a loop included;
* ``sys.exit()``, ``exit()``, ``os._exit()``, or a ``KeyboardInterrupt`` it raised itself (a
  Ctrl-C the user pressed still stops the command);
* text printed to standard output is kept off it (where it would corrupt ``--format json``) and
  handed to ``printed``, so the caller can name the plugin that printed.

The time limit uses ``SIGALRM`` ticks, so it holds on the main thread of a POSIX system; elsewhere
(another thread, Windows) calls run without one. ``ADVISOR_PLUGIN_SECONDS`` sets the limit.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from types import CodeType
from typing import Any, Literal, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_SECONDS = 5.0  # far beyond what any rule, fact or hook needs (they take milliseconds)
LIMIT_ENV = "ADVISOR_PLUGIN_SECONDS"
_SHIELDED: set[CodeType] = set()


def shielded(func: F) -> F:
    """Mark a function of the advisor's own that guarded code calls back into (or that runs
    between guarded calls, keeping books): a tick never interrupts it halfway, it waits for the
    plugin's own code to run again."""
    _SHIELDED.add(func.__code__)
    return func


_TICK = 0.05  # how often, while guarded code runs, the clock is looked at


@shielded
def seconds() -> float:
    """The time limit for one call: ``ADVISOR_PLUGIN_SECONDS`` when set to a positive number."""
    text = os.environ.get(LIMIT_ENV, "")
    try:
        value = float(text)
    except ValueError:
        return DEFAULT_SECONDS
    return value if 0 < value < 1e6 else DEFAULT_SECONDS


class Misbehaved(Exception):
    """What guarded code did that it must not: the message says what, for the plugin's fault;
    ``kind`` is "time", "exit", "interrupt" or "recursion"."""

    def __init__(self, kind: Literal["time", "exit", "interrupt", "recursion"], message: str):
        super().__init__(message)
        self.kind = kind


class _Overrun(BaseException):
    """Raised into guarded code that ran past its limit. A BaseException, so that code catching
    ``Exception`` around its own loop cannot swallow it (and it is raised again each tick)."""

    def __init__(self, depth: int):
        super().__init__("time limit")
        self.depth = depth  # which guarded call, counted from the outermost, is past its limit


class _Exited(BaseException):
    """Raised in place of ``os._exit`` while guarded code runs."""

    def __init__(self, code: Any):
        super().__init__(code)
        self.code = code


class _Sink:
    """Standard output while guarded code runs: what is written is kept, for the call that wrote
    it to be named (each call notes how much was kept when it began)."""

    __slots__ = ("parts",)

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        self.parts.append(str(text))
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


# The deadlines (time.monotonic()) of the guarded calls under way, the outermost first; while the
# list is not empty, the clock ticks, standard output is the sink and os._exit refuses.
_deadlines: list[float] = []
_saved: dict[str, Any] = {}
_sink = _Sink()
_limit = [DEFAULT_SECONDS]  # the limit for a call, read from the environment when armed
_user_interrupted = False


def _on_tick(signum: int, frame: Any) -> None:
    if not _deadlines or (frame is not None and frame.f_code in _SHIELDED):
        return
    now = time.monotonic()
    for depth, deadline in enumerate(_deadlines):  # the outermost first: the rule is named,
        if now > deadline:  # not the fact it was reading when its time ran out
            raise _Overrun(depth)


def _on_interrupt(signum: int, frame: Any) -> None:
    """Ctrl-C: as Python's own handler, noting that it was the user's."""
    global _user_interrupted
    _user_interrupted = True
    raise KeyboardInterrupt


@shielded
def _can_tick() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@shielded
def _arm() -> None:
    """Before the outermost guarded call: the clock, the sink, os._exit refused. The signal
    handlers are installed once and stay (each does nothing while no guarded call is under way,
    or does what the default would); only the timer is started and stopped."""
    global _user_interrupted
    _user_interrupted = False
    _limit[0] = seconds()
    _saved["armed"] = True
    _saved["stdout"] = sys.stdout
    _saved["exit"] = os._exit
    sys.stdout = _sink  # type: ignore[assignment,unused-ignore]
    os._exit = _refuse_exit  # type: ignore[assignment]
    if not _can_tick():
        return
    try:
        if signal.getsignal(signal.SIGALRM) is not _on_tick:
            signal.signal(signal.SIGALRM, _on_tick)
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            signal.signal(signal.SIGINT, _on_interrupt)
        signal.setitimer(signal.ITIMER_REAL, _TICK, _TICK)
        _saved["ticking"] = True
    except (ValueError, OSError):  # not the main interpreter, or no timer here
        pass


@shielded
def _disarm() -> None:
    """After the outermost guarded call: everything as it was."""
    _saved.pop("armed", None)
    if _saved.pop("ticking", False):
        signal.setitimer(signal.ITIMER_REAL, 0)
    sys.stdout = _saved.pop("stdout", sys.stdout)
    os._exit = _saved.pop("exit", os._exit)
    _sink.parts.clear()


def _refuse_exit(code: Any = 0) -> None:
    raise _Exited(code)


class ticking:
    """Keep the clock armed around many guarded calls (an evaluation runs hundreds of rules),
    so that each call only notes its deadline instead of arming and disarming the timer. It is
    armed by the first guarded call inside, so a stretch with none costs nothing."""

    __slots__ = ("depth",)

    @shielded
    def __enter__(self) -> None:
        self.depth = len(_deadlines)
        _deadlines.append(float("inf"))

    @shielded
    def __exit__(self, *exc: object) -> None:
        del _deadlines[self.depth :]
        if not _deadlines and "armed" in _saved:
            _disarm()


def _misbehaved(exc: BaseException, depth: int, allowed: float) -> BaseException:
    """What a guarded call's exception becomes: Misbehaved, or ``exc`` itself when it is not the
    call's own doing (another call's time ran out; the user pressed Ctrl-C)."""
    if isinstance(exc, _Overrun):
        if exc.depth != depth:
            return exc
        return Misbehaved(
            "time",
            f"stopped after {allowed:g} s, the limit for one call (does it loop forever?); "
            f"set {LIMIT_ENV} to allow longer",
        )
    if isinstance(exc, SystemExit):
        return Misbehaved("exit", f"called sys.exit({exc.code!r}), which a plugin must not do")
    if isinstance(exc, _Exited):
        return Misbehaved("exit", f"called os._exit({exc.code!r}), which a plugin must not do")
    if isinstance(exc, KeyboardInterrupt):
        if _user_interrupted:
            return exc
        return Misbehaved("interrupt", "raised KeyboardInterrupt, which a plugin must not do")
    return Misbehaved("recursion", f"RecursionError: {exc}")


_CAUGHT = (_Overrun, SystemExit, _Exited, KeyboardInterrupt, RecursionError)


@shielded
def guarded(
    fn: Callable[..., Any],
    *args: Any,
    limit: float | None = None,
    printed: Callable[[str], None] | None = None,
    **kwargs: Any,
) -> Any:
    """``fn(*args, **kwargs)`` with its hands tied (see the module's description)."""
    if "armed" not in _saved:
        _arm()
    depth = len(_deadlines)
    allowed = _limit[0] if limit is None else limit
    _deadlines.append(time.monotonic() + allowed)
    parts = _sink.parts
    mark = len(parts)
    try:
        return fn(*args, **kwargs)
    except _CAUGHT as exc:
        raise _misbehaved(exc, depth, allowed) from None
    finally:
        del _deadlines[depth:]
        text = ""
        if len(parts) > mark:
            text = "".join(parts[mark:])
            del parts[mark:]
        if not _deadlines:
            _disarm()
        if text and printed is not None:
            printed(text)


@shielded
def call(fn: Callable[[Any], Any], arg: Any, said: list[str]) -> Any:
    """``guarded(fn, arg)`` for the engine's hot loop (a rule or a fact, hundreds of times an
    evaluation): the same, with what it printed added to ``said``."""
    if "armed" not in _saved:
        _arm()
    depth = len(_deadlines)
    allowed = _limit[0]
    _deadlines.append(_monotonic() + allowed)
    parts = _sink.parts
    mark = len(parts)
    try:
        return fn(arg)
    except _CAUGHT as exc:
        raise _misbehaved(exc, depth, allowed) from None
    finally:
        del _deadlines[depth:]
        if len(parts) > mark:
            said.append("".join(parts[mark:]))
            del parts[mark:]
        if not _deadlines:
            _disarm()


_monotonic = time.monotonic


def printed_message(text: str) -> str:
    """How a plugin's fault reads when it printed ``text``."""
    shown = " ".join(text.split())
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return f"printed to standard output ({len(text):,} characters, kept out of it): {shown!r}"


class FrozenList(list[Any]):
    """A list that cannot be changed: what rules and facts see for an answer or fact that is a
    list, so that one rule cannot change what another reads. It compares, prints and writes to
    JSON as the list it holds."""

    __slots__ = ()

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("facts and answers are read-only: copy this list (list(...)) to change it")

    append = extend = insert = remove = pop = clear = sort = reverse = _refuse
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(self))


class FrozenDict(dict[Any, Any]):
    """A dict that cannot be changed (see FrozenList)."""

    __slots__ = ()

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("facts and answers are read-only: copy this dict (dict(...)) to change it")

    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse


def frozen(value: Any) -> Any:
    """``value`` with every list, dict and set in it made read-only (new containers; ``value`` is
    left as it is). Anything else is given as it is: numbers, text, tuples of those, and objects,
    which a fact should make immutable itself (frozen dataclasses)."""
    if isinstance(value, str | int | float | bool | FrozenList | FrozenDict | frozenset) or (
        value is None
    ):
        return value
    if isinstance(value, list):
        return FrozenList(frozen(v) for v in value)
    if isinstance(value, tuple) and type(value) is tuple:
        return tuple(frozen(v) for v in value)
    if isinstance(value, dict):
        return FrozenDict((k, frozen(v)) for k, v in value.items())
    if isinstance(value, set):
        return frozenset(value)
    return value
