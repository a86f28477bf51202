"""Never lose answers: every change is written, atomically, to the user's data folder.

Each session has its own file in ``<data folder>/sessions/`` (platformdirs: ``$XDG_DATA_HOME/advisor``
or ``~/.local/share/advisor`` on Linux): named after the answers file it came from, so that opening
that file again finds it, or after the moment a new decision began. A file holds the answers, the
title, where they came from and when they were saved. Saving the answers to a file of the user's
removes it; quitting with unsaved changes keeps it, and so does a crash or a kill: the next start
offers to resume, and opening the same answers file again asks whether to take up the changes.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advisor.core.base.files import write_atomic

if TYPE_CHECKING:
    from advisor.core.answers.document import AnswersFile
    from advisor.core.decision.registry import Registry
    from advisor.tui.session import Session

KEEP = 20  # sessions kept; the oldest beyond this are removed when a new one is written
STALE_SECONDS = 60  # a temporary file older than this was left by a write that never finished


def data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_path("advisor", appauthor=False))


def name_for(source: Path | None, started: str) -> str:
    """A session's file name: from the answers file's full path, else from when it began."""
    if source is not None:
        digest = hashlib.sha256(str(source.resolve()).encode()).hexdigest()[:16]
        return f"file-{digest}"
    return "new-" + "".join(c for c in started if c.isalnum())


@dataclass
class Saved:
    """An autosaved session, read back: the answers, where they came from, when, and its file."""

    answers: AnswersFile
    source: Path | None
    saved: str
    name: str

    @property
    def label(self) -> str:
        what = self.answers.title or (self.source.name if self.source else "untitled decision")
        return f"{what} (saved {self.saved.replace('T', ' ')[:19]})"


class Autosave:
    def __init__(self, folder: Path | None = None):
        self.folder = (folder or data_dir()) / "sessions"

    def path(self, name: str) -> Path:
        return self.folder / f"{name}.yaml"

    def write(self, session: Session) -> None:
        from advisor.core.answers.memofile import dump_yaml

        data: dict[str, Any] = {
            "saved": session.stamp(),
            "source": str(session.source.resolve()) if session.source else None,
            **session.data(),
        }
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            new = not self.path(session.autosave_name).exists()
            write_atomic(self.path(session.autosave_name), dump_yaml(data), force=True)
            if new:
                self._prune()
        except OSError:
            pass  # a data folder that cannot be written costs the safety net, not the session

    def _prune(self) -> None:
        """Keep the newest sessions; remove temporary files a kill left behind mid-write."""
        files = sorted(self.folder.glob("*.yaml"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in files[KEEP:]:
            old.unlink(missing_ok=True)
        now = time.time()
        for stale in self.folder.glob(".*.tmp"):
            with contextlib.suppress(OSError):
                if now - stale.stat().st_mtime > STALE_SECONDS:
                    stale.unlink()

    def read(self, registry: Registry, name: str | None = None) -> Saved | None:
        """One autosaved session (the newest without ``name``), or None when there is none."""
        if name is not None:
            return self._read(registry, self.path(name))
        found = self.sessions(registry)
        return found[0] if found else None

    def sessions(self, registry: Registry) -> list[Saved]:
        """Every autosaved session that can be read, newest first."""
        if not self.folder.is_dir():
            return []
        found = [self._read(registry, path) for path in self.folder.glob("*.yaml")]
        return sorted((s for s in found if s is not None), key=lambda s: s.saved, reverse=True)

    def _read(self, registry: Registry, path: Path) -> Saved | None:
        from advisor.core.answers.document import validate_document
        from advisor.core.base import yamlio
        from advisor.errors import InputError

        if not path.is_file():
            return None
        try:
            document = yamlio.load_round_trip(path.read_text(encoding="utf-8"), path)
            if not isinstance(document, dict):
                return None
            keep = {k: document[k] for k in ("title", "why", "expect", "answers") if k in document}
            answers = validate_document(keep, registry, path)
        except (InputError, OSError, UnicodeDecodeError):
            return None
        source = document.get("source")
        return Saved(
            answers, Path(source) if source else None, str(document.get("saved", "")), path.stem
        )

    def clear(self, name: str) -> None:
        self.path(name).unlink(missing_ok=True)
