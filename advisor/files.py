"""Writing a file whole or not at all: the one way the advisor writes what a user or a cache keeps."""

from __future__ import annotations

import os
import stat
from pathlib import Path


def write_atomically(path: Path, data: bytes | str) -> None:
    """Write `data` to a temporary file in the target's folder and rename it over the target, so a reader never
    sees half a file and a failure leaves neither a partial target nor a stray temporary. Raises OSError."""
    import tempfile  # here, not at the top: the CLI checks paths with this module on every start

    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            # mkstemp makes the file private (0600); give it the replaced file's mode, or a new file's usual one
            os.fchmod(f.fileno(), _mode_of(path))
            f.write(raw)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _mode_of(path: Path) -> int:
    """The permissions of the file being replaced, or those `open()` would give a new one (0666 less the umask)."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def path_kind(path: str | Path) -> str:
    """'file', 'folder', 'other' (a pipe, a device) or 'missing'. Unlike Path.is_file(), never raises: a name the
    system cannot look up at all (too long - a message given where a file name goes - or in an unreadable
    folder) counts as missing, so the caller says so plainly instead of failing."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):  # ValueError: a NUL byte in the name
        return "other" if _is_link(path) else "missing"
    return "file" if stat.S_ISREG(mode) else "folder" if stat.S_ISDIR(mode) else "other"


def _is_link(path: str | Path) -> bool:
    """A symbolic link whose target is missing (still something in the way of a new file)."""
    try:
        return stat.S_ISLNK(os.lstat(path).st_mode)
    except (OSError, ValueError):
        return False


def shown_name(raw: str, limit: int = 60) -> str:
    """A name as an error message shows it, cut short: for a whole message given where a file name goes."""
    return raw if len(raw) <= limit else raw[:limit - 1].rstrip() + "…"
