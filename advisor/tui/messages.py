"""Messages the TUI's widgets send up to their screen (attributes go down, messages come up)."""

from __future__ import annotations

from typing import Any

from textual.message import Message


class AnswerGiven(Message):
    """A question's widget has a new value from the user (None or "" clears the answer)."""

    def __init__(self, qid: str, raw: Any) -> None:
        super().__init__()
        self.qid = qid
        self.raw = raw


class AboutChanged(Message):
    """The decision's title or its description changed."""

    def __init__(self, title: str | None = None, why: str | None = None) -> None:
        super().__init__()
        self.title = title
        self.why = why


class QuestionFocused(Message):
    """A question's widget took the focus: show why the question matters."""

    def __init__(self, qid: str) -> None:
        super().__init__()
        self.qid = qid
