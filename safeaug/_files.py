"""Opening the files safeaug reads (configs, policy files, ``extends:``, ``pyproject.toml``) without trusting them.

Only regular files are read: a named pipe or a device named ``train.yaml`` (``/dev/zero``, ``/dev/stdin``)
would block the reader forever or feed it without end. The file is opened without blocking, checked to be
a regular file on the open descriptor (so it cannot be swapped between the check and the read), and read
up to a size cap.
"""

from __future__ import annotations

import os
import stat

__all__ = ["NotReadable", "kind_of", "read_bytes"]


class NotReadable(OSError):
    """The path is not a regular file, or is larger than the cap; the message says which, in words."""

    def __init__(self, message: str, *, too_large: bool = False) -> None:
        super().__init__(message)
        self.too_large = too_large


def kind_of(mode: int) -> str:
    """What a file that is not a regular one is, in words."""
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def read_bytes(path: str | os.PathLike[str], limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    Raises :class:`NotReadable` for anything else (a FIFO, a device, a socket, a folder, a larger file) and
    ``OSError`` (``FileNotFoundError``, ``PermissionError``, ...) when it cannot be opened.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotReadable(f"{kind_of(info.st_mode)}, not a regular file; only regular files are read")
        if info.st_size > limit:
            raise NotReadable(f"larger than {_size(limit)} ({_size(info.st_size)})", too_large=True)
        chunks = []
        size = 0
        while True:  # the file may grow while it is read: never read past the cap
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise NotReadable(f"larger than {_size(limit)}", too_large=True)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _size(n: int) -> str:
    if n >= 1 << 20:
        return f"{n / (1 << 20):.3g} MiB"
    if n >= 1 << 10:
        return f"{n / (1 << 10):.3g} KiB"
    return f"{n} bytes"
