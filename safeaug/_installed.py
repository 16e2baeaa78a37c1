"""Which albumentations line is installed (2.0.x, AlbumentationsX or 1.x), read without importing it.

The readers spell and drop arguments by it, and the catalog's entries describe what the installed line
does where the lines differ in more than names.
"""

from __future__ import annotations

from functools import cache
from typing import Literal, NamedTuple

LineName = Literal["1.x", "2.0", "X"]


class Installed(NamedTuple):
    """The albumentations line that will run the config."""

    line: LineName
    label: str  # for messages: "albumentations 2.0.8", "AlbumentationsX 2.5.1"
    found: bool  # False when no albumentations is installed here and 2.0 is assumed


@cache
def installed_line() -> Installed:
    """The installed albumentations line, from package metadata (albumentations itself is not imported)."""
    versions = _distributions(("albumentationsx", "albumentations"))
    if "albumentationsx" in versions:
        return Installed("X", f"AlbumentationsX {versions['albumentationsx']}", True)
    version = versions.get("albumentations")
    if version is None:
        return Installed("2.0", "albumentations 2.0.x (none is installed here; the last 2.0 release is assumed)", False)
    if version.split(".", 1)[0] in ("0", "1"):
        return Installed("1.x", f"albumentations {version}", True)
    return Installed("2.0", f"albumentations {version}", True)


def _distributions(names: tuple[str, ...]) -> dict[str, str]:
    """Versions of installed distributions, from their ``*.dist-info`` / ``*.egg-info`` directory names.

    A direct look at ``sys.path`` costs well under a millisecond; ``importlib.metadata`` indexes every
    installed package first, which can take longer than the rest of a lint run.
    """
    import os
    import sys

    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            listing = os.listdir(entry or ".")
        except OSError:
            continue
        for item in listing:
            stem, dot, suffix = item.rpartition(".")
            if not dot or suffix not in ("dist-info", "egg-info"):
                continue
            name, _, version = stem.partition("-")
            name = name.lower().replace("-", "_")
            if name in names and name not in found and version:
                found[name] = version
    return found
