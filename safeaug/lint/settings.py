"""The linter's settings: ``[tool.safeaug]`` in ``pyproject.toml``, the command line, and the plan they make.

Found like ruff finds its own: the nearest ``pyproject.toml`` holding a ``[tool.safeaug]`` table, walking up
from the first path linted (or the working directory). Globs and policy files are relative to that file's
directory. Example::

    [tool.safeaug]
    policy = "chest_xray"
    ignore = ["SA110"]
    set = { smallest_object_px = 16 }
    input-size = [1024, 1024]              # (height, width) of the images entering the pipelines

    [tool.safeaug.per-path-policies]
    "configs/natural/**" = "natural"
    "configs/ward7/*.yaml" = "policies/ward7.yaml"

    [tool.safeaug.per-path-ignores]
    "configs/legacy/*.json" = ["SA502"]

    [tool.safeaug.per-path-input-sizes]    # (height, width) of the images entering those pipelines
    "configs/tiles/**" = [512, 512]
``trust-recorded-policies = true`` lets a policy *definition* recorded in a saved pipeline judge it when
nothing else is configured (off by default: a file does not choose its own judge).

A key safeaug does not know is an error, never a silent default: a typo must not switch a check off.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from safeaug._files import NotReadable, read_bytes
from safeaug.errors import PolicyError, SafeaugError
from safeaug.rules import all_codes

if TYPE_CHECKING:
    from safeaug.policy import Policy

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

ALLOWED_KEYS = (
    "policy",
    "select",
    "ignore",
    "per-path-policies",
    "per-path-ignores",
    "set",
    "input-size",
    "per-path-input-sizes",
    "trust-recorded-policies",
)
CODE_PATTERN = re.compile(r"^SA\d{0,3}$")

ParamValue = int | float | bool | str


class SettingsError(SafeaugError, ValueError):
    """The settings (command line or ``pyproject.toml``) cannot be used: a usage error, exit code 2.

    A :class:`~safeaug.SafeaugError`, so that code calling :func:`safeaug.lint.lint` catches it with the rest."""


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
    # Judge a pipeline by a policy definition recorded inside it (a saved safeaug.Compose) when nothing
    # else is configured. Off by default: a file must not choose its own judge.
    trust_recorded: bool = False
    input_size: tuple[int, int] | None = None
    per_path_input_sizes: tuple[tuple[str, tuple[int, int]], ...] = ()


def parse_input_size(value: Any, where: str) -> tuple[int, int]:
    """``(height, width)`` from a TOML ``[H, W]`` or the command line's ``HxW``."""
    if isinstance(value, str):
        height, sep, width = value.strip().lower().partition("x")
        if sep and height.strip().isdigit() and width.strip().isdigit():
            value = [int(height), int(width)]
    if (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value)
    ):
        return (value[0], value[1])
    raise SettingsError(
        f"{where} must be the height and width of the input images in pixels, as [H, W] in pyproject.toml or "
        f"HxW on the command line (e.g. 1024x768), got {value!r}"
    )


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
    size = parse_input_size(table["input-size"], f"{where} `input-size`") if "input-size" in table else None
    per_sizes = _table(table, "per-path-input-sizes", where)
    params = _table(table, "set", where)
    for key, value in params.items():
        if not isinstance(value, (int, float, bool, str)):
            raise SettingsError(f"{where}.set `{key}` must be a number, true/false or a string, got {value!r}")
    trust = table.get("trust-recorded-policies", False)
    if not isinstance(trust, bool):
        raise SettingsError(f"{where} `trust-recorded-policies` must be true or false, got {trust!r}")
    return Settings(
        trust_recorded=trust,
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
        input_size=size,
        per_path_input_sizes=tuple(
            (str(k), parse_input_size(v, f"{where}.per-path-input-sizes `{k}`")) for k, v in per_sizes.items()
        ),
    )


def _table(table: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = table.get(key, {})
    if not isinstance(value, dict):
        raise SettingsError(f"{where} `{key}` must be a table (`[tool.safeaug.{key}]`), got {value!r}")
    return value


def bad_code_message(where: str, code: str) -> str:
    """The one wording for a code that is not one, wherever it was written."""
    return (
        f"{where}: {code!r} is not a rule code (like SA101, a prefix like SA1 for every SA1xx, or ALL); "
        "`safeaug rules` lists them"
    )


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
        if code == "ALL":
            code = "SA"  # every code
        if not CODE_PATTERN.match(code):
            raise SettingsError(bad_code_message(where, item.strip()))
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


UsageError = SettingsError


# ------------------------------------------------------------------------------------------ the plan


class Selection(NamedTuple):
    """Which codes are reported: ``select`` then ``ignore``, each a code or a prefix (``SA1``)."""

    select: tuple[str, ...] = ("SA",)
    ignore: tuple[str, ...] = ()

    def enabled(self, code: str, extra_ignore: Sequence[str] = ()) -> bool:
        if not code.startswith(self.select):
            return False
        return not code.startswith((*self.ignore, *extra_ignore))


def _check_known(codes: Sequence[str], where: str) -> None:
    known = all_codes()
    for code in codes:
        if not any(k.startswith(code) for k in known):
            raise UsageError(bad_code_message(where, code))


@dataclass
class Plan:
    settings: Settings
    selection: Selection
    default_policy: str | None  # as written (id or path), with the folder it is relative to
    default_base: Path
    params: dict[str, ParamValue]
    from_command_line: bool
    input_size: tuple[int, int] | None = None  # from the command line: every file
    trust_recorded: bool = False
    from_settings: frozenset[str] = frozenset()  # parameter names that only pyproject.toml gave
    shown: dict[str, str] = field(default_factory=dict)  # a scratch file -> what it stands for (standard input)
    shared_params: bool = False  # True when several policies are in play and `set` is split among them
    cache: dict[str, Policy] = field(default_factory=dict)

    def policy_for(self, path: str | Path) -> Policy | None:
        if not self.from_command_line and self.settings.per_path_policies:
            relative = _relative(path, self.settings.root)
            for glob, spec in self.settings.per_path_policies:
                if relative is not None and glob_matches(glob, relative):
                    return self.load(spec, self.settings.root)
        if self.default_policy is None:
            return None
        return self.load(self.default_policy, self.default_base)

    def _source_of(self, spec: str, params: Mapping[str, ParamValue]) -> str:
        """Where a parameter the policy does not declare was written, when that was pyproject.toml."""
        from safeaug.policies import load_policy

        try:
            declared = {p.name for p in load_policy(spec).parameters}
        except PolicyError:
            return ""
        written = [k for k in params if k not in declared and k in self.settings.params and k in self.from_settings]
        if not written or self.settings.path is None:
            return ""
        return f"{self.settings.path}: [tool.safeaug.set] `{written[0]}`: "

    def origin_for(self, path: str | Path) -> str:
        """Where the policy judging ``path`` was configured (see :class:`JudgedFile`)."""
        if self.from_command_line:
            return "command line"
        if not self.settings.per_path_policies:
            return "pyproject.toml"
        relative = _relative(path, self.settings.root)
        for glob, _ in self.settings.per_path_policies:
            if relative is not None and glob_matches(glob, relative):
                return "per-path-policies"
        return "pyproject.toml"

    def load(self, spec: str, base: Path) -> Policy:
        from safeaug.policies import is_builtin, load_builtin_plain, load_policy, unknown_policy_message

        if is_builtin(spec):
            # Built-in policies are read without pydantic (the package's tests validate them).
            load_policy = load_builtin_plain  # type: ignore[assignment]  # same fields and methods
        else:
            candidate = Path(spec)
            if not candidate.suffix and "/" not in spec and os.sep not in spec and not (base / candidate).is_file():
                raise UsageError(unknown_policy_message(spec))  # a mistyped id, not a file
            spec = str(candidate if candidate.is_absolute() else base / candidate)
        if spec not in self.cache:
            params = self.params
            try:
                if self.shared_params and params:
                    # Several policies in play: each takes the parameters it declares (checked in _plan).
                    declared = {p.name for p in load_policy(spec).parameters}
                    params = {k: v for k, v in params.items() if k in declared}
                self.cache[spec] = load_policy(spec, **params)
            except PolicyError as exc:
                raise UsageError(self._source_of(spec, params) + str(exc)) from None
        return self.cache[spec]

    def input_size_for(self, path: str | Path) -> tuple[int, int] | None:
        """The size of the images entering the file's pipelines: command line, then per path, then default."""
        if self.input_size is not None:
            return self.input_size
        if self.settings.per_path_input_sizes:
            relative = _relative(path, self.settings.root)
            for glob, size in self.settings.per_path_input_sizes:
                if relative is not None and glob_matches(glob, relative):
                    return size
        return self.settings.input_size

    def ignored_for(self, path: str | Path) -> tuple[str, ...]:
        if not self.settings.per_path_ignores:
            return ()
        relative = _relative(path, self.settings.root)
        if relative is None:
            return ()
        return tuple(c for glob, codes in self.settings.per_path_ignores if glob_matches(glob, relative) for c in codes)


def _relative(path: str | Path, root: Path) -> str | None:
    try:
        return Path(path).resolve().relative_to(root).as_posix()
    except ValueError:
        return None


NO_POLICY = (
    "no policy given. Name one on the command line (`--policy chest_xray`, or a policy file) or in pyproject.toml:\n"
    '    [tool.safeaug]\n    policy = "chest_xray"\n'
    "`safeaug policies` lists the built-in ones."
)


def make_settings_plan(
    paths: Sequence[str],
    policy: str | None,
    params: Mapping[str, ParamValue] | None,
    select: Sequence[str] | None,
    ignore: Sequence[str] | None,
    config: str | os.PathLike[str] | None,
    input_size: tuple[int, int] | None = None,
) -> Plan:
    if config is not None:
        settings = load_settings(Path(config))
    else:
        start = Path(paths[0]) if paths else Path.cwd()
        if not start.exists():
            start = Path.cwd()
        found = find_pyproject(start)
        settings = load_settings(found) if found is not None else Settings(root=Path.cwd().resolve())
    where = str(settings.path) if settings.path else "settings"
    _check_known(settings.select or (), f"{where}: [tool.safeaug] `select`")
    _check_known(settings.ignore, f"{where}: [tool.safeaug] `ignore`")
    for glob, codes in settings.per_path_ignores:
        _check_known(codes, f"{where}: [tool.safeaug.per-path-ignores] `{glob}`")
    _check_known(select or (), "--select")
    _check_known(ignore or (), "--ignore")
    selection = Selection(
        select=tuple(select) if select else (settings.select if settings.select is not None else ("SA",)),
        ignore=tuple(ignore) if ignore is not None else settings.ignore,
    )
    plan = Plan(
        settings=settings,
        selection=selection,
        default_policy=policy if policy is not None else settings.policy,
        default_base=Path.cwd() if policy is not None else settings.root,
        params={**settings.params, **(params or {})},
        from_command_line=policy is not None,
        input_size=input_size,
        trust_recorded=settings.trust_recorded,
        from_settings=frozenset(settings.params) - frozenset(params or {}),
    )
    # Load every policy named anywhere now: a typo in one is a usage error before any file is read.
    specs = [] if plan.default_policy is None else [(plan.default_policy, plan.default_base)]
    if not plan.from_command_line:
        specs += [(spec, settings.root) for _, spec in settings.per_path_policies]
    plan.shared_params = len({spec for spec, _ in specs}) > 1
    loaded = [plan.load(spec, base) for spec, base in specs]
    if plan.shared_params:
        declared = {p.name for policy in loaded for p in policy.parameters}
        unknown = sorted(set(plan.params) - declared)
        if unknown:
            ids = ", ".join(sorted({p.id for p in loaded}))
            raise UsageError(
                f"no policy in use ({ids}) declares the parameter `{unknown[0]}` (given with --set or `set` "
                f"in [tool.safeaug]); `safeaug explain POLICY` lists a policy's parameters"
            )
    return plan


def make_plan(plan_args: tuple[Any, ...], extras: tuple[Mapping[str, str], bool | None]) -> Plan:
    plan = make_settings_plan(*plan_args)
    shown, trust_recorded = extras
    plan.shown = dict(shown)
    if trust_recorded is not None:
        plan.trust_recorded = trust_recorded
    return plan
