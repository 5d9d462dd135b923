"""`--output FILE` for commands that print a document: checked before the work starts, written whole at the end."""

from __future__ import annotations

import sys
from pathlib import Path

from advisor.errors import InputError
from advisor.files import path_kind, write_atomically


def check_output(raw: str | None, force: bool) -> Path | None:
    """The file to write, or None for standard output. Refuses, before any work is done, a folder, a missing
    folder, and an existing file unless `force` (a report must not silently replace something else)."""
    if raw is None:
        return None
    path = Path(raw).expanduser()
    kind = path_kind(path)
    if kind == "folder":
        raise InputError("--output: is a folder; give a file name", str(path))
    if path_kind(path.parent) != "folder":
        raise InputError(f"--output: no such folder {str(path.parent)!r}", str(path))
    if kind != "missing" and not force:
        raise InputError("--output: the file exists; use --force to replace it", str(path))
    return path


def emit(text: str, path: Path | None) -> None:
    """Print `text`, or write it to `path` whole or not at all (advisor.files.write_atomically)."""
    if path is None:
        sys.stdout.write(text)
        return
    try:
        write_atomically(path, text)
    except OSError as exc:
        raise InputError(f"--output: cannot write: {exc.strerror or exc}", str(path)) from None
