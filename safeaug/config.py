"""``[tool.safeaug]`` in ``pyproject.toml``: the linter's project settings.

Found like ruff finds its own: the nearest ``pyproject.toml`` holding a ``[tool.safeaug]`` table, walking up
from the first path linted (or the working directory). Globs and policy files are relative to that file's
directory. Example::

    [tool.safeaug]
    policy = "chest_xray"
    ignore = ["SA110"]
    set = { smallest_object_px = 16 }

    [tool.safeaug.per-path-policies]
    "configs/natural/**" = "natural"
    "configs/ward7/*.yaml" = "policies/ward7.yaml"

    [tool.safeaug.per-path-ignores]
    "configs/legacy/*.json" = ["SA502"]

A key safeaug does not know is an error, never a silent default: a typo must not switch a check off.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from safeaug._files import NotReadable, read_bytes

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

ALLOWED_KEYS = ("policy", "select", "ignore", "per-path-policies", "per-path-ignores", "set")
CODE_PATTERN = re.compile(r"^SA\d{0,3}$")

ParamValue = int | float | bool | str


class SettingsError(Exception):
    """The settings (command line or ``pyproject.toml``) cannot be used: a usage error, exit code 2."""


@dataclass(frozen=True)
class Settings:
    """What ``[tool.safeaug]`` says; ``path`` is the file it came from (None when there is none)."""

    root: Path
    path: Path | None = None
    policy: str | None = None
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    per_path_policies: tuple[tuple[str, str], ...] = ()
    per_path_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    params: dict[str, ParamValue] = field(default_factory=dict)


MAX_PYPROJECT_BYTES = 4 * 1024 * 1024


def find_pyproject(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` at or above ``start`` that has a ``[tool.safeaug]`` table."""
    here = start.resolve()
    if not here.is_dir():
        here = here.parent
    for folder in (here, *here.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            try:
                text = read_bytes(candidate, MAX_PYPROJECT_BYTES).decode("utf-8", errors="replace")
            except OSError:
                continue
            if "safeaug" in text:  # a cheap test before parsing
                try:
                    if "safeaug" in tomllib.loads(text).get("tool", {}):
                        return candidate
                except tomllib.TOMLDecodeError:
                    return candidate  # broken: let load_settings say where
    return None


def load_settings(path: Path) -> Settings:
    """Read and check ``[tool.safeaug]`` of one ``pyproject.toml`` (an empty table when absent)."""
    try:
        text = read_bytes(path, MAX_PYPROJECT_BYTES).decode("utf-8")
    except FileNotFoundError:
        raise SettingsError(f"{path}: no such file (given with --config)") from None
    except NotReadable as exc:
        raise SettingsError(f"{path}: cannot read it: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: cannot read the file ({exc})") from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: invalid TOML: {exc}") from None
    table = doc.get("tool", {}).get("safeaug", {})
    root = path.resolve().parent
    if not isinstance(table, dict):
        raise SettingsError(f"{path}: `tool.safeaug` must be a table")
    unknown = sorted(set(table) - set(ALLOWED_KEYS))
    if unknown:
        raise SettingsError(
            f"{path}: unknown key `{unknown[0]}` in [tool.safeaug]; allowed keys: {', '.join(ALLOWED_KEYS)}"
        )
    where = f"{path}: [tool.safeaug]"
    policy = table.get("policy")
    if policy is not None and (not isinstance(policy, str) or not policy):
        raise SettingsError(f"{where} `policy` must be a policy id or a path to a policy file, got {policy!r}")
    select = parse_codes(table["select"], f"{where} `select`") if "select" in table else None
    ignore = parse_codes(table.get("ignore", []), f"{where} `ignore`")
    per_policies = _table(table, "per-path-policies", where)
    for glob, value in per_policies.items():
        if not isinstance(value, str) or not value:
            raise SettingsError(f"{where}.per-path-policies `{glob}` must be a policy id or file, got {value!r}")
    per_ignores = _table(table, "per-path-ignores", where)
    params = _table(table, "set", where)
    for key, value in params.items():
        if not isinstance(value, (int, float, bool, str)):
            raise SettingsError(f"{where}.set `{key}` must be a number, true/false or a string, got {value!r}")
    return Settings(
        root=root,
        path=path,
        policy=policy,
        select=select,
        ignore=ignore,
        per_path_policies=tuple((str(k), str(v)) for k, v in per_policies.items()),
        per_path_ignores=tuple(
            (str(k), parse_codes(v, f"{where}.per-path-ignores `{k}`")) for k, v in per_ignores.items()
        ),
        params=dict(params),
    )


def _table(table: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = table.get(key, {})
    if not isinstance(value, dict):
        raise SettingsError(f"{where} `{key}` must be a table (`[tool.safeaug.{key}]`), got {value!r}")
    return value


def parse_codes(value: Any, where: str) -> tuple[str, ...]:
    """Codes or prefixes (``SA101``, ``SA1``), from a TOML list or a comma-separated string."""
    if isinstance(value, str):
        items: list[Any] = value.split(",")
    elif isinstance(value, list):
        items = value
    else:
        raise SettingsError(f'{where} must be a list of rule codes such as ["SA101", "SA2"], got {value!r}')
    codes = []
    for item in items:
        if not isinstance(item, str):
            raise SettingsError(f"{where}: {item!r} is not a rule code")
        code = item.strip().upper()
        if not code:
            continue
        if not CODE_PATTERN.match(code):
            raise SettingsError(
                f"{where}: {item.strip()!r} is not a rule code or prefix (like SA101, or SA1 for all SA1xx); "
                "`safeaug rules` lists them"
            )
        codes.append(code)
    return tuple(codes)


def parse_param(text: str) -> tuple[str, ParamValue]:
    """``KEY=VALUE`` from ``--set``: an int, a float, true/false, or else the string as written."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise SettingsError(f"--set expects KEY=VALUE (e.g. --set smallest_object_px=16), got {text!r}")
    return key, parse_value(raw.strip())


def parse_value(raw: str) -> ParamValue:
    lowered = raw.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    try:
        return int(raw)
    except ValueError:
        pass
    try:
        return float(raw)
    except ValueError:
        return raw


@lru_cache(maxsize=256)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    """``*`` stays within a folder, ``**`` crosses folders, ``?`` is one character; a trailing ``/`` means all
    below. A pattern without ``/`` matches the file name at any depth, as in ``.gitignore``."""
    pat = pattern.strip()
    if pat.endswith("/"):
        pat += "**"
    if pat.startswith("./"):
        pat = pat[2:]
    anchored = "/" in pat.rstrip("/")
    out = []
    i = 0
    while i < len(pat):
        if pat.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pat.startswith("**", i):
            out.append(".*")
            i += 2
        elif pat[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pat[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pat[i]))
            i += 1
    body = "".join(out).lstrip("/") if anchored else "".join(out)
    return re.compile(("" if anchored else "(?:.*/)?") + body + r"\Z")


def glob_matches(pattern: str, relative_posix: str) -> bool:
    """Whether a per-path glob matches a path given relative to the settings file's folder."""
    return _glob_regex(pattern).match(relative_posix) is not None


__all__ = [
    "ALLOWED_KEYS",
    "Settings",
    "SettingsError",
    "find_pyproject",
    "glob_matches",
    "load_settings",
    "parse_codes",
    "parse_param",
    "parse_value",
]
