"""The linting engine behind ``safeaug lint``: find files, settle settings, read, judge, filter, suppress.

Nothing it reads is run or changed: configs are parsed (YAML safely, Python as source), never imported,
and files are only ever opened for reading.

>>> from safeaug.lint import lint
>>> result = lint(["examples/configs/chest_xray/good.yaml"], policy="chest_xray")  # doctest: +SKIP
>>> result.exit_code  # doctest: +SKIP
0
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from safeaug._files import read_bytes
from safeaug.config import (
    ParamValue,
    Settings,
    SettingsError,
    bad_code_message,
    find_pyproject,
    glob_matches,
    load_settings,
)
from safeaug.errors import ConfigError, PolicyError
from safeaug.report import Finding
from safeaug.rules import OTHER_RULES, SUPPRESSION_WITHOUT_REASON, UNUSED_SUPPRESSION, all_codes

if TYPE_CHECKING:
    from safeaug.ir import Node
    from safeaug.policy import Policy

SUFFIXES = (".json", ".yaml", ".yml", ".py")
SKIPPED_DIRS = frozenset({".venv", "node_modules", "__pycache__", "build", "dist"})
UsageError = SettingsError


class Problem(NamedTuple):
    """A file that could not be read (exit code 2); ``line`` when the reader knows it."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line is not None else f"{self.path}: {self.message}"


class JudgedFile(NamedTuple):
    """A file that was judged, the policy that judged it and where that policy came from."""

    path: str
    policy: str
    origin: str  # "command line", "pyproject.toml", "per-path-policies", "recorded id", "recorded definition"


class Suppressed(NamedTuple):
    """A finding an inline comment suppressed, with the comment's reason."""

    finding: Finding
    reason: str


@dataclass
class LintResult:
    findings: list[Finding] = field(default_factory=list)
    suppressed: list[Suppressed] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: int = 0  # files holding at least one pipeline, judged
    pipelines: int = 0  # pipelines judged (a file may hold several)
    skipped: int = 0  # files read that hold no pipeline
    policies: dict[str, Policy] = field(default_factory=dict)
    # Which policy judged each file, and why that one: (path, policy id, origin), in the order read.
    judged: list[JudgedFile] = field(default_factory=list)

    @property
    def unreadable(self) -> int:
        """Files (or named paths) that could not be read or judged."""
        return len({p.path for p in self.problems})

    # Counts of what was handed to an `on_file` callback instead of being kept in the lists above.
    streamed: list[int] = field(default_factory=lambda: [0, 0])  # errors, warnings

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings) + self.streamed[0]

    @property
    def warnings(self) -> int:
        return sum(f.severity == "warning" for f in self.findings) + self.streamed[1]

    @property
    def exit_code(self) -> int:
        if self.problems:
            return 2
        return 1 if self.errors else 0


# ------------------------------------------------------------------------------------------- settings


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
class _Plan:
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

    def policy_for(self, path: Path) -> Policy | None:
        if not self.from_command_line:
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

    def origin_for(self, path: Path) -> str:
        """Where the policy judging ``path`` was configured (see :class:`JudgedFile`)."""
        if self.from_command_line:
            return "command line"
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

    def input_size_for(self, path: Path) -> tuple[int, int] | None:
        """The size of the images entering the file's pipelines: command line, then per path, then default."""
        if self.input_size is not None:
            return self.input_size
        if self.settings.per_path_input_sizes:
            relative = _relative(path, self.settings.root)
            for glob, size in self.settings.per_path_input_sizes:
                if relative is not None and glob_matches(glob, relative):
                    return size
        return self.settings.input_size

    def ignored_for(self, path: Path) -> tuple[str, ...]:
        if not self.settings.per_path_ignores:
            return ()
        relative = _relative(path, self.settings.root)
        if relative is None:
            return ()
        return tuple(c for glob, codes in self.settings.per_path_ignores if glob_matches(glob, relative) for c in codes)


def _relative(path: Path, root: Path) -> str | None:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return None


NO_POLICY = (
    "no policy given. Name one on the command line (`--policy chest_xray`, or a policy file) or in pyproject.toml:\n"
    '    [tool.safeaug]\n    policy = "chest_xray"\n'
    "`safeaug policies` lists the built-in ones."
)


def _plan(
    paths: Sequence[str],
    policy: str | None,
    params: Mapping[str, ParamValue] | None,
    select: Sequence[str] | None,
    ignore: Sequence[str] | None,
    config: str | os.PathLike[str] | None,
    input_size: tuple[int, int] | None = None,
) -> _Plan:
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
    plan = _Plan(
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


# ------------------------------------------------------------------------------------------ discovery


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


# ------------------------------------------------------------------------------------------ running


def lint(
    paths: Sequence[str],
    *,
    policy: str | None = None,
    params: Mapping[str, ParamValue] | None = None,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    config: str | os.PathLike[str] | None = None,
    input_size: tuple[int, int] | None = None,
    trust_recorded: bool | None = None,
    stdin: str | None = None,
    stdin_filename: str | None = None,
    jobs: int = 1,
    on_file: Callable[[FileResult], None] | None = None,
) -> LintResult:
    """Lint files and folders. Raises :class:`SettingsError` for a usage error (exit code 2).

    Command-line values (``policy``, ``params``, ``select``, ``ignore``) override ``[tool.safeaug]``;
    ``policy`` given here applies to every file, per-path policies included. ``input_size`` (height,
    width) is the size of the images entering every pipeline (``input-size`` and
    ``per-path-input-sizes`` in ``[tool.safeaug]`` otherwise): with it, effects in pixels are judged exactly.
    A pipeline saved from ``safeaug.Compose`` records its policy: when nothing is configured for its file, a
    recorded built-in id judges it; a recorded definition (or policy file) does only with ``trust_recorded``
    (or ``trust-recorded-policies = true``), since a file must not choose its own judge.

    A path ``-`` stands for ``stdin`` (the text), read as the file ``stdin_filename`` would be.

    ``jobs`` > 1 reads and judges files in that many worker processes; results come back in the same
    order as with one. ``on_file`` receives each file's outcome as soon as it is known (in that order);
    when it is given, findings are handed to it and not kept in the result, so memory stays flat however
    many files are linted (their counts are kept; suppressed findings and unreadable files are kept).
    """
    import tempfile

    with tempfile.TemporaryDirectory(prefix="safeaug-stdin-") as scratch:
        shown: dict[str, str] = {}
        if "-" in paths:
            name = stdin_filename or "-"
            file = Path(scratch) / (Path(name).name if stdin_filename else _stdin_name(stdin or ""))
            file.write_text(stdin or "", encoding="utf-8")
            shown[str(file)] = name
            paths = [str(file) if p == "-" else p for p in paths]
        plan_args = ([shown.get(p, p) for p in paths], policy, params, select, ignore, config, input_size)
        extras = (shown, trust_recorded)
        hand = on_file
        if on_file is not None and shown:

            def hand(outcome: FileResult) -> None:
                on_file(_renamed(outcome, shown))

        result = _lint(paths, plan_args, extras, jobs, hand)
    if shown:
        _rename(result, shown)
    return result


def _stdin_name(text: str) -> str:
    """A file name whose suffix picks the reader for standard input given without ``--stdin-filename``."""
    head = text.lstrip("\ufeff \t\r\n")
    if head.startswith(("{", "[")):
        return "stdin.json"
    if "import " in text or "dict(" in text:
        return "stdin.py"
    return "stdin.yaml"


def _fix_path(shown: Mapping[str, str], path: str | None) -> str | None:
    return shown.get(path, path) if path is not None else None


def _renamed(outcome: FileResult, shown: Mapping[str, str]) -> FileResult:
    """A file's outcome with standard input named as the user did."""
    import dataclasses

    return dataclasses.replace(
        outcome,
        findings=[dataclasses.replace(f, path=_fix_path(shown, f.path)) for f in outcome.findings],
    )


def _rename(result: LintResult, shown: Mapping[str, str]) -> None:
    """Name standard input as the user did, wherever a path is reported."""
    import dataclasses

    result.findings = [dataclasses.replace(f, path=_fix_path(shown, f.path)) for f in result.findings]
    result.suppressed = [
        Suppressed(dataclasses.replace(s.finding, path=_fix_path(shown, s.finding.path)), s.reason)
        for s in result.suppressed
    ]
    result.problems = [p._replace(path=_fix_path(shown, p.path) or p.path) for p in result.problems]
    result.judged = [j._replace(path=_fix_path(shown, j.path) or j.path) for j in result.judged]


def _make_plan(plan_args: tuple[Any, ...], extras: tuple[Mapping[str, str], bool | None]) -> _Plan:
    plan = _plan(*plan_args)
    shown, trust_recorded = extras
    plan.shown = dict(shown)
    if trust_recorded is not None:
        plan.trust_recorded = trust_recorded
    return plan


def _lint(
    paths: Sequence[str],
    plan_args: tuple[Any, ...],
    extras: tuple[Mapping[str, str], bool | None],
    jobs: int,
    on_file: Callable[[FileResult], None] | None,
) -> LintResult:
    plan = _make_plan(plan_args, extras)
    configured = plan_args[1] is not None or plan.settings.policy is not None or bool(plan.settings.per_path_policies)
    result = LintResult()
    unpoliced = 0  # files with a pipeline that no configured policy covers and that records none
    recorded = 0  # files with a pipeline that records its policy (a saved safeaug.Compose)
    found_in: dict[str, int] = {}  # folder given -> pipelines found under it
    origins: list[str | None] = []  # the folder each file came from, in the order the files go out

    def files() -> Iterator[Path]:
        for file, given in discover_with_origin(paths, result.problems):
            if given is not None:
                found_in.setdefault(given, 0)
            origins.append(given)
            yield file

    if jobs > 1:
        outcomes: Iterator[FileResult] = _in_workers(files(), jobs, (plan_args, extras))
    else:
        outcomes = (check_file(file, plan) for file in files())
    for index, outcome in enumerate(outcomes):
        given = origins[index]
        if given is not None:
            found_in[given] += outcome.pipelines
        result.files += outcome.judged_pipelines > 0
        result.pipelines += outcome.judged_pipelines
        result.skipped += outcome.skipped
        unpoliced += outcome.unpoliced
        recorded += outcome.recorded
        for used in outcome.policies:
            result.policies.setdefault(used.id, used)
        result.judged += outcome.judged
        result.problems += outcome.problems
        if on_file is not None:
            result.streamed[0] += sum(f.severity == "error" for f in outcome.findings)
            result.streamed[1] += sum(f.severity == "warning" for f in outcome.findings)
            on_file(outcome)
        else:
            result.findings += outcome.findings
        result.suppressed += outcome.suppressed
    if not configured and unpoliced and not recorded:
        raise UsageError(NO_POLICY)  # nothing named a policy, and no pipeline carried one: say it once
    for folder, count in found_in.items():
        if count == 0:  # a CI job pointed at the wrong folder must not pass
            result.problems.append(
                Problem(
                    folder,
                    None,
                    "no augmentation pipeline found in this folder (no .json, .yaml, .yml or .py file in it builds "
                    "or holds one); check the path given to `safeaug lint`",
                )
            )
    return result


@dataclass
class FileResult:
    """What linting one file found (a worker process sends this back)."""

    findings: list[Finding] = field(default_factory=list)
    suppressed: list[Suppressed] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    pipelines: int = 0  # pipelines found in the file
    judged_pipelines: int = 0  # of those, judged
    skipped: bool = False
    unpoliced: bool = False
    recorded: bool = False
    policies: list[Policy] = field(default_factory=list)
    judged: list[JudgedFile] = field(default_factory=list)


def check_file(file: Path, plan: _Plan) -> FileResult:
    """Read one file once, judge each pipeline in it, filter and apply its suppressions."""
    from safeaug.readers.files import pipelines_in_text, read_source_bytes
    from safeaug.validators import judge

    out = FileResult()
    source = str(file)
    try:
        data = read_source_bytes(source)
        if data is not None and b"\x00" in data[:8192]:
            out.problems.append(Problem(source, None, "binary file (it holds NUL bytes), not a pipeline config"))
            return out
        text = None if data is None else data.decode("utf-8-sig")  # a byte-order mark is accepted
        roots = [] if text is None else pipelines_in_text(source, text)
    except UnicodeDecodeError as exc:
        out.problems.append(Problem(source, None, f"cannot read the file ({exc})"))
        return out
    except ConfigError as exc:
        out.problems.append(Problem(exc.path or source, exc.line, " ".join(exc.bare_message.split())))
        return out
    except RecursionError:
        out.problems.append(Problem(source, None, "nesting too deep to read"))
        return out
    except Exception as exc:  # a reader bug must not hide every other file's findings
        out.problems.append(
            Problem(source, None, f"could not read this file ({type(exc).__name__}: {exc}); please report it")
        )
        return out
    if not roots:
        out.skipped = True
        return out
    assert text is not None
    out.pipelines = len(roots)
    named = Path(plan.shown.get(source, source))  # what settings match: the name standard input stands for
    chosen = plan.policy_for(named)
    if chosen is not None:
        origin = plan.origin_for(named)
        judged = [(root, chosen, origin) for root in roots]
    else:
        judged = _stored_policies(roots, source, plan, out.problems)
        out.unpoliced = any(root.policy is None for root in roots)
        out.recorded = any(root.policy is not None for root in roots)
        if not judged:
            return out
    chosen = judged[0][1]
    try:
        size = plan.input_size_for(named)
        # The checks that report no selected code are not run at all.
        select, ignore = plan.selection.select, (*plan.selection.ignore, *plan.ignored_for(named))
        findings = [
            f
            for root, used, _ in judged
            for f in judge(root, used, source=source, input_size=size, select=select, ignore=ignore).findings
        ]
    except ConfigError as exc:  # a user's mistake the reader let through (a missing or mistyped argument)
        out.problems.append(Problem(exc.path or source, exc.line, " ".join(exc.bare_message.split())))
        return out
    except Exception as exc:  # fail closed: a pipeline that could not be judged is not a pass
        out.problems.append(
            Problem(source, None, f"could not judge this file ({type(exc).__name__}: {exc}); please report it")
        )
        return out
    out.policies = list({id(used): used for _, used, _ in judged}.values())
    out.judged_pipelines = len(judged)
    for used_id, origin in dict.fromkeys((used.id, origin) for _, used, origin in judged):
        out.judged.append(JudgedFile(source, used_id, origin))
    extra_ignore = plan.ignored_for(named)
    findings = [f for f in findings if plan.selection.enabled(f.code, extra_ignore)]
    kept, out.suppressed = apply_suppressions(file, findings, plan.selection, extra_ignore, chosen.id, text=text)
    out.findings = sorted(kept, key=lambda f: (f.line or 1, f.code))
    return out


# One plan per worker process, built once by the pool's initializer from the same arguments.
_WORKER_PLAN: _Plan | None = None


def _start_worker(args: tuple[Any, ...]) -> None:
    global _WORKER_PLAN
    _WORKER_PLAN = _make_plan(*args)


def _check_in_worker(files: list[Path]) -> list[FileResult]:
    assert _WORKER_PLAN is not None
    return [check_file(file, _WORKER_PLAN) for file in files]


def _in_workers(files: Iterator[Path], jobs: int, args: tuple[Any, ...]) -> Iterator[FileResult]:
    """Each file's result, in the order of ``files``, computed by ``jobs`` processes.

    Files go out in small batches with a bounded number in flight, so neither the paths waiting nor the
    results waiting grow with the number of files, and no worker waits for a slow neighbour's batch.
    """
    import itertools
    from collections import deque
    from concurrent.futures import Future, ProcessPoolExecutor

    pending: deque[Future[list[FileResult]]] = deque()
    with ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker, initargs=(args,)) as pool:
        while batch := list(itertools.islice(files, 8)):
            pending.append(pool.submit(_check_in_worker, batch))
            if len(pending) >= jobs * 4:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


def _stored_policies(
    roots: Sequence[Node], source: str, plan: _Plan, problems: list[Problem]
) -> list[tuple[Node, Policy, str]]:
    """Each pipeline with the policy it records (a saved ``safeaug.Compose``), for files no setting covers."""
    from safeaug.policies.stored import policy_from_dict

    out: list[tuple[Node, Policy, str]] = []
    for root in roots:
        if root.policy is None:
            where = f"the pipeline `{root.location}`" if root.location else "this file's pipeline"
            if plan.default_policy is None and not plan.settings.per_path_policies:
                message = (
                    f"no policy given for {where}, and it records none (a pipeline saved from safeaug.Compose "
                    "records its own); pass --policy, or set `policy` in [tool.safeaug]"
                )
            else:
                message = (
                    f"no policy applies to {where}: no per-path-policies glob matches the file, [tool.safeaug] "
                    "has no `policy`, and the pipeline records none; add one of them, or pass --policy"
                )
            problems.append(Problem(source, root.line, message))
            continue
        spec = root.policy.get("id")
        is_file = set(root.policy) == {"id"} and isinstance(spec, str) and spec.endswith((".yaml", ".yml", ".json"))
        if ("definition" in root.policy or is_file) and not plan.trust_recorded:
            what = f"the policy file {spec!r}" if is_file else f"a policy definition of its own (id {spec!r})"
            problems.append(
                Problem(
                    source,
                    root.line,
                    f"this pipeline records {what}, and a file does not choose its own judge; name a policy "
                    "(--policy, or `policy` in [tool.safeaug]), or pass --trust-recorded-policies (or set "
                    "`trust-recorded-policies = true` in [tool.safeaug]) to judge it by the recorded one",
                )
            )
            continue
        try:
            if is_file and isinstance(spec, str):
                # `safeaug.Compose(..., policy="policies/ward.yaml")` in Python source: relative to that file
                policy = plan.load(spec, Path(source).parent)
            else:
                key = repr(sorted(root.policy.items(), key=str))
                policy = plan.cache.get(key) or policy_from_dict(root.policy)
                plan.cache[key] = policy
        except (PolicyError, UsageError) as exc:
            problems.append(Problem(source, root.line, f"the policy this pipeline records cannot be used: {exc}"))
            continue
        origin = "recorded definition" if "definition" in root.policy or is_file else "recorded id"
        out.append((root, policy, origin))
    return out


# -------------------------------------------------------------------------------------- suppressions

# Patterns are compiled on first use (re caches them): most runs meet no suppression at all.
_DIRECTIVE = r"#\s*safeaug\s*:\s*(?P<body>.*)$"
_WELL_FORMED = r"^(?P<kind>ignore-file|ignore)\[(?P<codes>[^\]]*)\](?P<rest>.*)$"
_REASON = r"^\s*--\s*(?P<reason>\S.*?)\s*$"
_CODE = r"^SA\d{0,3}$"
EXAMPLE = "# safeaug: ignore[SA101] -- segmentation of structures that are not lateral"


class Suppression(NamedTuple):
    line: int  # where the comment is
    targets: frozenset[int]  # the lines it covers (empty for a file-wide one)
    codes: tuple[str, ...]
    reason: str
    file_wide: bool
    used: set[str]  # the codes that suppressed a finding, filled in while matching

    def covers(self, finding: Finding) -> str | None:
        """The code entry that covers this finding, if any."""
        if not self.file_wide and (finding.line or 1) not in self.targets:
            return None
        for code in self.codes:
            if finding.code.startswith(code):
                return code
        return None


class _Comment(NamedTuple):
    line: int
    text: str  # from the `#`
    alone: bool  # nothing but whitespace before it on its line


def comments(path: Path, text: str) -> list[_Comment]:
    """The comments of a YAML or Python file (none for JSON, which has no comments)."""
    suffix = path.suffix.lower()
    if suffix == ".py":
        return _python_comments(text)
    if suffix in (".yaml", ".yml"):
        return _yaml_comments(text)
    return []


def _python_comments(text: str) -> list[_Comment]:
    import io
    import tokenize

    out = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT:
                out.append(_Comment(tok.start[0], tok.string, not tok.line[: tok.start[1]].strip()))
    except (tokenize.TokenError, SyntaxError):
        pass  # the reader accepted the file; an unscannable tail only means fewer suppressions (fail closed)
    return out


def _yaml_comments(text: str) -> list[_Comment]:
    import bisect

    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    spans: list[tuple[int, int]] = []
    try:
        for tok in yaml.scan(text, Loader=loader):
            if isinstance(tok, yaml.ScalarToken):
                spans.append((tok.start_mark.index, tok.end_mark.index))
    except yaml.YAMLError:
        return []
    starts = [s for s, _ in spans]
    out = []
    offset = 0
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        if "safeaug" in line:
            for col, char in enumerate(line):
                if char != "#" or (col and not line[col - 1].isspace()):
                    continue
                at = offset + col
                i = bisect.bisect_right(starts, at) - 1
                if i >= 0 and spans[i][0] <= at < spans[i][1]:
                    continue  # inside a quoted or block scalar: text, not a comment
                out.append(_Comment(number, line[col:].rstrip("\r\n"), not line[:col].strip()))
                break
        offset += len(line)
    return out


def read_suppressions(path: Path, text: str, policy_id: str) -> tuple[list[Suppression], list[Finding]]:
    """Suppressions found in the file, and an ``SA601`` finding for each one that cannot count."""
    found = [c for c in comments(path, text) if "safeaug" in c.text]
    standalone = set()
    parsed: list[tuple[_Comment, re.Match[str]]] = []
    bad: list[Finding] = []
    for comment in found:
        directive = re.search(_DIRECTIVE, comment.text)
        if directive is None:
            continue
        body = directive.group("body").strip()
        match = re.match(_WELL_FORMED, body)
        problem = ""
        if match is None:
            problem = f"cannot read `# safeaug: {body}`"
        else:
            codes = [c.strip().upper() for c in match.group("codes").split(",") if c.strip()]
            if not codes:
                problem = "names no code"
            elif not all(re.match(_CODE, c) for c in codes):
                problem = f"names {match.group('codes')!r}, which are not rule codes"
            elif re.match(_REASON, match.group("rest")) is None:
                problem = "has no reason"
        if problem:
            bad.append(
                Finding(
                    code=SUPPRESSION_WITHOUT_REASON,
                    severity="error",
                    message=f"This suppression {problem}, so it suppresses nothing.",
                    transform=None,
                    location="",
                    line=comment.line,
                    reason=OTHER_RULES[SUPPRESSION_WITHOUT_REASON][1],
                    fix=f"Write the codes and, after ` -- `, why the finding does not apply here: `{EXAMPLE}`.",
                    policy=policy_id,
                    path=str(path),
                )
            )
            continue
        assert match is not None
        parsed.append((comment, match))
        if comment.alone and match.group("kind") == "ignore":
            standalone.add(comment.line)
    out = []
    for comment, match in parsed:
        names = tuple(dict.fromkeys(c.strip().upper() for c in match.group("codes").split(",") if c.strip()))
        reason_match = re.match(_REASON, match.group("rest"))
        assert reason_match is not None
        file_wide = match.group("kind") == "ignore-file"
        targets: set[int] = set()
        if not file_wide:
            if comment.alone:
                # The next line that is not itself a suppression comment: several may stack above one line.
                target = comment.line + 1
                while target in standalone:
                    target += 1
                targets.add(target)
            else:
                targets.add(comment.line)
        out.append(Suppression(comment.line, frozenset(targets), names, reason_match.group("reason"), file_wide, set()))
    return out, bad


def apply_suppressions(
    path: Path,
    findings: list[Finding],
    selection: Selection,
    extra_ignore: Sequence[str],
    policy_id: str,
    *,
    text: str | None = None,
) -> tuple[list[Finding], list[Suppressed]]:
    """Findings left after inline suppressions, plus SA601/SA602 findings; and the suppressed ones.

    ``text`` is the file's text when the caller has read it already (the file is then not read again).
    """
    if path.suffix.lower() not in (".yaml", ".yml", ".py"):
        return findings, []
    if text is None:
        from safeaug.readers.files import MAX_BYTES

        try:
            text = read_bytes(path, MAX_BYTES).decode("utf-8", errors="replace")
        except OSError:
            return findings, []
    if "safeaug" not in text:
        return findings, []
    suppressions, bad = read_suppressions(path, text, policy_id)
    kept: list[Finding] = []
    suppressed: list[Suppressed] = []
    for finding in findings:
        for sup in suppressions:
            code = sup.covers(finding)
            if code is not None:
                sup.used.add(code)
                suppressed.append(Suppressed(finding, sup.reason))
                break
        else:
            kept.append(finding)
    for sup in suppressions:
        for code in sup.codes:
            # A code switched off by select/ignore cannot be judged unused: nothing was looked for.
            if code in sup.used or not any(
                selection.enabled(known, extra_ignore) for known in all_codes() if known.startswith(code)
            ):
                continue
            kept.append(
                Finding(
                    code=UNUSED_SUPPRESSION,
                    severity="warning",
                    message=f"`{code}` in this suppression matches no finding"
                    + (" in this file." if sup.file_wide else f" on line {min(sup.targets)}."),
                    transform=None,
                    location="",
                    line=sup.line,
                    reason=OTHER_RULES[UNUSED_SUPPRESSION][1],
                    fix=f"Remove `{code}` from the comment (or the whole comment when it names nothing else).",
                    policy=policy_id,
                    path=str(path),
                )
            )
    kept += bad
    kept = [f for f in kept if selection.enabled(f.code, extra_ignore)]
    return kept, suppressed


__all__ = [
    "LintResult",
    "Problem",
    "Selection",
    "Suppressed",
    "Suppression",
    "UsageError",
    "apply_suppressions",
    "discover",
    "lint",
    "read_suppressions",
]
