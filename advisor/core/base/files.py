"""Writing files safely: atomically, and never over a user's file without being told to."""

from __future__ import annotations

import contextlib
import glob
import os
import tempfile
import time
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
    old file or the new one, never half of one. What the system refuses (a read-only folder, a full
    disk, a folder where a file should be) is an error naming the path, and nothing is left behind."""
    if path.is_dir():
        raise AdvisorError(f"{path}: is a folder; give the name of a file to write")
    if (path.exists() or path.is_symlink()) and not force:
        what = "is a symbolic link" if path.is_symlink() else "already exists"
        raise WouldOverwrite(f"{path}: {what}; not overwritten (use --force to replace it)")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise AdvisorError(f"{path}: folder {folder} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise AdvisorError(f"{path}: cannot write in {folder}: {exc.strerror}") from None
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
        if force:
            os.replace(tmp, path)
        else:
            _claim(Path(tmp), path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise AdvisorError(f"{path}: not written: {exc.strerror or exc}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _prune_stale(folder, path.name)


STALE_SECONDS = 600  # a temporary file this old was left by a write that was killed


def _prune_stale(folder: Path, name: str) -> None:
    """Remove the temporary files that killed writes of ``name`` left in ``folder`` (a kill -9
    runs no clean-up; the next write of the same file does it)."""
    now = time.time()
    for stale in folder.glob(f".{glob.escape(name)}.*.tmp"):
        with contextlib.suppress(OSError):
            if now - stale.stat().st_mtime > STALE_SECONDS:
                stale.unlink()


def _claim(tmp: Path, path: Path) -> None:
    """Put the finished ``tmp`` at ``path`` only if nothing is there, atomically: a hard link
    fails when the name is taken, even by a writer that got there a moment earlier (where a
    check, then a rename, would replace its file)."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        tmp.unlink(missing_ok=True)
        raise WouldOverwrite(
            f"{path}: already exists; not overwritten (use --force to replace it)"
        ) from None
    except OSError:  # a file system without hard links: claim the name, then rename onto it
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except FileExistsError:
            tmp.unlink(missing_ok=True)
            raise WouldOverwrite(
                f"{path}: already exists; not overwritten (use --force to replace it)"
            ) from None
        os.replace(tmp, path)
        return
    tmp.unlink(missing_ok=True)
