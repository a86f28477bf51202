"""Never lose answers: every change is written, atomically, to the user's data folder.

The file is ``<data folder>/advisor/autosave.yaml`` (platformdirs: ``$XDG_DATA_HOME/advisor`` or
``~/.local/share/advisor`` on Linux). It holds the answers, the title, where they came from and when.
Saving the answers to a file of the user's removes it; quitting with unsaved changes keeps it, and
so does a crash or a kill: the next start offers to resume.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advisor.core.files import write_atomic

if TYPE_CHECKING:
    from advisor.core.answers import AnswersFile
    from advisor.plugins import Registry
    from advisor.tui.session import Session


def data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_path("advisor", appauthor=False))


@dataclass
class Saved:
    """What an autosave holds, read back: the answers, where they came from, and when."""

    answers: AnswersFile
    source: Path | None
    saved: str


class Autosave:
    def __init__(self, folder: Path | None = None):
        self.path = (folder or data_dir()) / "autosave.yaml"

    def write(self, session: Session) -> None:
        from advisor.core.memofile import dump_yaml

        data: dict[str, Any] = {
            "saved": session.stamp(),
            "source": str(session.source) if session.source else None,
            **session.data(),
        }
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, dump_yaml(data), force=True)
        except OSError:
            pass  # a data folder that cannot be written costs the safety net, not the session

    def read(self, registry: Registry) -> Saved | None:
        """The autosaved session, or None when there is none or it cannot be read."""
        from advisor.core import yamlio
        from advisor.core.answers import validate_document
        from advisor.errors import InputError

        if not self.path.is_file():
            return None
        try:
            document = yamlio.load_round_trip(self.path.read_text(encoding="utf-8"), self.path)
            if not isinstance(document, dict):
                return None
            keep = {k: document[k] for k in ("title", "why", "expect", "answers") if k in document}
            answers = validate_document(keep, registry, self.path)
        except (InputError, OSError, UnicodeDecodeError):
            return None
        source = document.get("source")
        return Saved(answers, Path(source) if source else None, str(document.get("saved", "")))

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)
