"""Writing files safely: atomically, and never over a user's file without being told to."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from advisor.errors import AdvisorError


def cache_dir() -> Path:
    """The advisor's folder in the user's cache ($XDG_CACHE_HOME/advisor or ~/.cache/advisor):
    things worked out once and kept between runs (hosted prices, compiled templates)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "advisor"


class WouldOverwrite(AdvisorError):
    """Refused to replace an existing file without --force."""


def write_atomic(path: Path, text: str, *, force: bool = False) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename, so a crash leaves either the
    old file or the new one, never half of one."""
    if path.exists() and not force:
        raise WouldOverwrite(f"{path}: already exists; not overwritten (use --force to replace it)")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise AdvisorError(f"{path}: folder {folder} does not exist")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        # mkstemp makes the file private; give it the mode the file had, or a new file's usual one.
        if path.exists():
            mode = path.stat().st_mode & 0o7777
        else:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
