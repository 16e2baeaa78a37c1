"""Which files a lint run reads: each once, in a stable order, folders walked without looping on symlinks."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from safeaug.lint.results import Problem

SUFFIXES = (".json", ".yaml", ".yml", ".py")
SKIPPED_DIRS = frozenset({".venv", "node_modules", "__pycache__", "build", "dist"})


def discover(paths: Sequence[str], problems: list[Problem]) -> Iterator[Path]:
    """Each file to lint once, in a stable order. Directories are walked without looping on symlinks."""
    for file, _ in discover_with_origin(paths, problems):
        yield file


def discover_with_origin(paths: Sequence[str], problems: list[Problem]) -> Iterator[tuple[Path, str | None]]:
    """Like :func:`discover`, with the folder given that each file was found in (None for a file named alone)."""
    seen_files: set[object] = set()
    for raw in paths:
        path = Path(raw)
        given: str | None = None
        if path.is_dir():
            found: Iterator[Path] = _walk(path)
            given = raw
        elif path.exists() or path.is_symlink():
            found = iter((path,))
        else:
            problems.append(Problem(raw, None, "no such file or directory"))
            continue
        for file in found:
            try:
                st = os.stat(file)  # one file under several names (symlinks, `a/../a`) is linted once
                key: object = (st.st_dev, st.st_ino)
            except (OSError, ValueError):
                key = str(file)
            if key not in seen_files:
                seen_files.add(key)
                yield file, given


def _walk(top: Path) -> Iterator[Path]:
    visited: set[tuple[int, int]] = set()
    for folder, dirs, files in os.walk(top, followlinks=True):
        try:
            st = os.stat(folder)
        except OSError:
            dirs[:] = []
            continue
        if (st.st_dev, st.st_ino) in visited:  # a symlink back to a folder already walked
            dirs[:] = []
            continue
        visited.add((st.st_dev, st.st_ino))
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRS)
        for name in sorted(files):
            if not name.startswith(".") and name.lower().endswith(SUFFIXES):
                yield Path(folder) / name
