"""File plumbing for save/load: atomic writes, stale temp-file cleanup, paths or file objects."""
from __future__ import annotations

import os
import re
import tempfile


def is_path(f) -> bool:
    """True for a str/bytes/PathLike destination, False for a file object."""
    return isinstance(f, (str, bytes, os.PathLike))


def describe(f) -> str:
    """How error messages name ``f``: its path, or the file object's ``name`` or type."""
    if is_path(f):
        return os.fsdecode(os.fspath(f))
    name = getattr(f, "name", None)
    return name if isinstance(name, str) else f"<{type(f).__name__}>"


def _temp_pattern(base: str) -> re.Pattern:
    # ".<base>.<pid>.<mkstemp letters>.tmp" (this version) and ".<base>.<letters>.tmp" (older
    # versions wrote no pid); mkstemp draws its 8 letters from [a-z0-9_].
    return re.compile(rf"\.{re.escape(base)}\.(?:(\d+)\.)?[a-z0-9_]{{8}}\.tmp")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists but belongs to someone else: not ours to judge
    return True


def remove_stale_temps(path: str) -> list[str]:
    """Delete temp files that killed saves to ``path`` left behind; returns what was removed.

    A temp file is stale when the process that wrote it (its pid is in the name) is gone; a
    temp file of an older deepgrad, without a pid, is stale too. Another live process still
    writing to the same target keeps its file.
    """
    directory = os.path.dirname(os.path.abspath(path))
    pattern = _temp_pattern(os.path.basename(path))
    removed = []
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    for name in names:
        m = pattern.fullmatch(name)
        if m is None or (m.group(1) is not None and _alive(int(m.group(1)))):
            continue
        try:
            os.unlink(os.path.join(directory, name))
            removed.append(name)
        except OSError:
            pass  # gone already, or not ours to delete
    return removed


def atomic_write(path, data) -> None:
    """Write ``data`` to a temp file beside ``path``, fsync it, then rename it over ``path``.

    A crash before the rename leaves the previous file intact; the next successful save to the
    same path removes the temp files that crashed saves left behind.
    """
    path = os.fsdecode(os.fspath(path))
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.{os.getpid()}.",
                               suffix=".tmp", dir=directory)
    try:
        # mkstemp makes the file 0600; keep the mode of the file being replaced, else rw-r--r--
        mode = os.stat(path).st_mode & 0o777 if os.path.exists(path) else 0o644
        os.chmod(tmp, mode)
        with os.fdopen(fd, "wb") as f:
            for chunk in data:
                f.write(chunk)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    # The rename itself is durable only once the directory entry is flushed (POSIX only).
    if hasattr(os, "O_DIRECTORY"):
        dir_fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    remove_stale_temps(path)


def write_to(f, chunks) -> None:
    """Write ``chunks`` (bytes-like pieces) to a path (atomically) or a writable file object."""
    if is_path(f):
        atomic_write(f, chunks)
        return
    if not hasattr(f, "write"):
        raise TypeError(f"save: f must be a path or a writable binary file object, got "
                        f"{type(f).__name__}")
    for chunk in chunks:
        f.write(chunk)
    if hasattr(f, "flush"):
        f.flush()
