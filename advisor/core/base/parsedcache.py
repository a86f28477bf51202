"""Parsed data files kept between runs: the YAML the advisor and its plugins ship, by a digest of
its text, in one file of the user's cache (advisor.core.base.files.cache_dir).

A command parses a couple of dozen shipped files (figures, questionnaires, rule examples); parsing
them is most of what building the registry costs. The first run parses them and writes the cache
once, at exit; later runs read it and unpickle each file's data on demand (a fresh copy each time,
so no caller can change another's). The digest is of the text, so a file that changes, with a new
release or an edit, is parsed again; the cache file's name carries the YAML reader's version. A
cache that cannot be read or written is not an error: the files are parsed as before.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

LIMIT = 512  # files kept; the oldest go first (a few releases' worth of shipped files)

_store: dict[str, bytes] | None = None
_changed: list[bool] = []


def _path() -> Path:
    from ruamel.yaml import __version__ as reader

    from advisor.core.base.files import cache_dir

    return cache_dir() / f"parsed-yaml-{reader}.pickle"


def _load() -> dict[str, bytes]:
    global _store
    if _store is None:
        _store = {}
        try:
            data = pickle.loads(_path().read_bytes())
        except Exception:  # missing, unreadable or damaged: start afresh
            data = None
        if isinstance(data, dict) and all(
            isinstance(k, str) and isinstance(v, bytes) for k, v in data.items()
        ):
            _store = data
    return _store


def kept(text: str, parse: Callable[[], Any]) -> Any:
    """The data ``parse()`` gives for ``text``: from the cache when this text was parsed before,
    else parsed now and kept."""
    store = _load()
    key = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    found = store.get(key)
    if found is not None:
        try:
            return pickle.loads(found)
        except Exception:  # a damaged entry: parse the file instead
            del store[key]
    data = parse()
    store[key] = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
    if not _changed:
        _changed.append(True)
        atexit.register(save)
    return data


def save() -> None:
    """Write the cache if this process parsed anything new (through a temporary file and a
    rename, so a reader never sees half of it)."""
    if _store is None or not _changed:
        return
    _changed.clear()
    while len(_store) > LIMIT:
        del _store[next(iter(_store))]
    path = _path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(pickle.dumps(_store, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(temporary, path)
    except OSError:
        pass
