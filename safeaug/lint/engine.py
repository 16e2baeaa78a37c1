"""The linting engine behind ``safeaug lint``: read each file once, judge its pipelines, filter and suppress.

Nothing it reads is run or changed: configs are parsed (YAML safely, Python as source), never imported,
and files are only ever opened for reading.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from safeaug.errors import ConfigError, PolicyError
from safeaug.lint.discover import discover_with_origin
from safeaug.lint.results import FileResult, JudgedFile, LintResult, Problem, Suppressed
from safeaug.lint.settings import NO_POLICY, ParamValue, Plan, UsageError, make_plan
from safeaug.lint.suppressions import apply_suppressions

if TYPE_CHECKING:
    from safeaug.ir import Node
    from safeaug.policy import Policy


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


def _lint(
    paths: Sequence[str],
    plan_args: tuple[Any, ...],
    extras: tuple[Mapping[str, str], bool | None],
    jobs: int,
    on_file: Callable[[FileResult], None] | None,
) -> LintResult:
    plan = make_plan(plan_args, extras)
    configured = plan_args[1] is not None or plan.settings.policy is not None or bool(plan.settings.per_path_policies)
    result = LintResult()
    unpoliced = 0  # files with a pipeline that no configured policy covers and that records none
    recorded = 0  # files with a pipeline that records its policy (a saved safeaug.Compose)
    found_in: dict[str, int] = {}  # folder given -> pipelines found under it
    # The folder each file came from, in the order the files go out (taken off as each outcome comes back,
    # so that nothing kept grows with the number of files).
    origins: deque[str | None] = deque()

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
    for outcome in outcomes:
        given = origins.popleft()
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


def check_file(file: Path, plan: Plan) -> FileResult:
    """Read one file once, judge each pipeline in it, filter and apply its suppressions."""
    from safeaug.readers.source import Source
    from safeaug.validators import judge

    out = FileResult()
    source = str(file)
    try:
        read = Source.read(source)  # read once: the suppressions below reuse its text (and Python tree)
        roots = read.pipelines()
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
    out.pipelines = len(roots)
    named = plan.shown.get(source, source)  # what settings match: the name standard input stands for
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
    kept, out.suppressed = apply_suppressions(file, findings, plan.selection, extra_ignore, chosen.id, source=read)
    out.findings = sorted(kept, key=lambda f: (f.line or 1, f.code))
    return out


# One plan per worker process, built once by the pool's initializer from the same arguments.
_WORKER_PLAN: Plan | None = None


def _start_worker(args: tuple[Any, ...]) -> None:
    global _WORKER_PLAN
    _WORKER_PLAN = make_plan(*args)


def _check_in_worker(files: list[Path]) -> list[FileResult]:
    assert _WORKER_PLAN is not None
    return [check_file(file, _WORKER_PLAN) for file in files]


def _in_workers(files: Iterator[Path], jobs: int, args: tuple[Any, ...]) -> Iterator[FileResult]:
    """Each file's result, in the order of ``files``, computed by ``jobs`` processes.

    Files go out in small batches with a bounded number in flight, so neither the paths waiting nor the
    results waiting grow with the number of files, and no worker waits for a slow neighbour's batch.
    """
    import itertools
    from concurrent.futures import Future, ProcessPoolExecutor

    # Import what every worker needs before the workers start: a forked worker inherits it instead of
    # importing it again (on a 2-core machine that import was a fifth of a worker's CPU time).
    import safeaug.readers.source
    import safeaug.validators  # noqa: F401

    pending: deque[Future[list[FileResult]]] = deque()
    with ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker, initargs=(args,)) as pool:
        while batch := list(itertools.islice(files, 8)):
            pending.append(pool.submit(_check_in_worker, batch))
            if len(pending) >= jobs * 4:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


def _stored_policies(
    roots: Sequence[Node], source: str, plan: Plan, problems: list[Problem]
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
        changed = [] if plan.trust_recorded or "definition" in root.policy else _changed_arguments(root.policy)
        if changed:
            values = ", ".join(f"`{name}: {value!r}`" for name, value in changed)
            problems.append(
                Problem(
                    source,
                    root.line,
                    f"this pipeline records the policy {spec!r} with {values}, which is not the policy's default, "
                    "and a file does not set its own judge's parameters; name the policy with its parameters "
                    "(--policy and --set, or `policy` and `set` in [tool.safeaug]), or pass "
                    "--trust-recorded-policies to judge it as recorded",
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


def _changed_arguments(recorded: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """The parameters a recorded built-in policy sets to other values than the policy's defaults (a pipeline
    saved from ``safeaug.Compose`` records every parameter of its policy, defaults included)."""
    from safeaug.policies import load_policy

    arguments = recorded.get("arguments")
    spec = recorded.get("id")
    if not isinstance(arguments, Mapping) or not arguments or not isinstance(spec, str):
        return []
    try:
        defaults = {p.name: p.default for p in load_policy(spec).parameters}
    except (PolicyError, UsageError, ValueError):
        return []  # reported where the recorded policy is loaded
    missing = object()
    return [(name, value) for name, value in arguments.items() if defaults.get(name, missing) != value]
