"""The validator: envelopes of every node and of the whole pipeline, compared with a policy.

>>> import albumentations as A, safeaug  # doctest: +SKIP
>>> safeaug.validate(A.Compose([A.HorizontalFlip()]), "chest_xray").codes()  # doctest: +SKIP
['SA101']

:func:`judge` reads the tree into a :class:`~safeaug.validators.context.Judgement` (the envelope fold,
:mod:`~safeaug.validators.tree`) and runs each check in :data:`CHECKS` whose codes are asked for. A check
is a module with ``CODES`` (every code it can report) and ``check(judgement) -> list[Finding]``; all
wording lives in :mod:`~safeaug.validators.messages`. A new bespoke code is one module here, one entry in
:data:`CHECKS` and its entry in :mod:`safeaug.rules`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, NamedTuple

from safeaug.errors import ConfigError, PolicyViolationError, SafeaugError
from safeaug.ir import Node
from safeaug.policies import PolicyLike, load_policy
from safeaug.readers import read_config, read_object, read_pipeline, read_transform_list
from safeaug.report import Finding, Report, merge_reports
from safeaug.validators import (
    arguments,
    bounds,
    denied,
    destroyed,
    folding_grid,
    memo,
    occlusion_growth,
    resize_after_turn,
    resolution,
    unbounded,
    unknown,
)
from safeaug.validators.context import InputSize, Judgement, input_size_of
from safeaug.validators.tree import fold

if TYPE_CHECKING:
    from safeaug.policy import Policy


class Check(NamedTuple):
    """One check: its name, every code it can report, and what it runs."""

    name: str
    codes: frozenset[str]
    run: Callable[[Judgement], list[Finding]]


CHECKS: tuple[Check, ...] = (
    Check("arguments", arguments.CODES, arguments.check),
    Check("denied", denied.CODES, denied.check),
    Check("unknown", unknown.CODES, unknown.check),
    Check("bounds", bounds.CODES, bounds.check),
    Check("unbounded", unbounded.CODES, unbounded.check),
    Check("occlusion_growth", occlusion_growth.CODES, occlusion_growth.check),
    Check("resize_after_turn", resize_after_turn.CODES, resize_after_turn.check),
    Check("folding_grid", folding_grid.CODES, folding_grid.check),
    Check("destroyed", destroyed.CODES, destroyed.check),
    Check("resolution", resolution.CODES, resolution.check),
)


def validate(
    pipeline: Any,
    policy: PolicyLike,
    *,
    probe: bool = False,
    seeds: int = 16,
    input_size: tuple[int, int] | None = None,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] = (),
) -> Report:
    """Judge a pipeline against a policy. Never raises for a violation: read ``report.ok``.

    ``pipeline`` is an albumentations transform or composition, a list of transforms, a dict in
    ``albumentations.to_dict`` form, or a path to a JSON/YAML config. ``policy`` is a built-in id, a
    path to a policy file, or a :class:`~safeaug.Policy`. Raises :class:`~safeaug.ConfigError` when
    the pipeline cannot be read and :class:`~safeaug.PolicyError` when the policy cannot.

    With ``probe=True``, live transforms safeaug has no catalog entry for (an unknown class, an
    ``A.Lambda``, a subclass that overrides ``apply``) are run on probe images and judged by what they
    were seen to do (finding ``SA408``, a warning) instead of being refused unseen (``SA401``). A
    pipeline read from a file has no live objects to run, so probing changes nothing there. ``seeds`` is how
    many draws each probed transform gets: with 16, an effect drawn on fewer than about 1 run in 6 can show
    in none of them (95% confidence); 256 narrows that to about 1 run in 85.

    ``input_size=(height, width)`` says what size the images have when they enter the pipeline. With it,
    effects given in pixels (fixed-size crops, shifts in pixels) and the resolution fixed-size resizes
    lose are judged exactly (errors); without it they are bounded over every input size where that can
    be done, and otherwise reported as depending on the input size (``SA407`` warnings).

    ``select`` and ``ignore`` are codes or prefixes (``["SA1", "SA201"]``), as for ``safeaug lint``: only
    the codes selected and not ignored are reported, and the checks that report no such code are not run.
    """
    size = input_size_of(input_size)
    if type(seeds) is not int or seeds < 1:
        raise ValueError(f"seeds: expected a whole number of draws, at least 1 (16 by default), got {seeds!r}")
    resolved = load_policy(policy)
    select = None if select is None else tuple(select)  # (read once: a generator given is spent by then)
    ignore = tuple(ignore)
    try:
        if isinstance(pipeline, (str, os.PathLike)):
            source = os.fspath(pipeline)
            roots = read_config(source)
            if not roots:
                raise ConfigError("no augmentation pipeline found in this file", path=source)
            return merge_reports(
                [judge(root, resolved, source=source, input_size=size, select=select, ignore=ignore) for root in roots]
            )
        if probe or pipeline is None or isinstance(pipeline, (Mapping, Node)):
            root = read_pipeline(pipeline)
            return judge(root, resolved, probe=probe, seeds=seeds, input_size=size, select=select, ignore=ignore)
        listed = isinstance(pipeline, Sequence) and not isinstance(pipeline, (bytes, bytearray))
        objs = list(pipeline) if listed else [pipeline]
        return judge_live(objs, resolved, listed=listed, input_size=size, select=select, ignore=ignore)
    except SafeaugError:
        raise
    except RecursionError:
        raise ConfigError("the pipeline is nested too deeply to read") from None
    except Exception as exc:  # fail closed with safeaug's own error: a pipeline that cannot be read is no pass
        raise ConfigError(
            f"the pipeline could not be read or judged ({type(exc).__name__}: {exc}); if it builds in "
            "albumentations, please report it"
        ) from exc


def check(
    pipeline: Any,
    policy: PolicyLike,
    *,
    probe: bool = False,
    seeds: int = 16,
    input_size: tuple[int, int] | None = None,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] = (),
) -> Report:
    """Like :func:`validate`, but raise :class:`~safeaug.PolicyViolationError` when there is an error."""
    report = validate(pipeline, policy, probe=probe, seeds=seeds, input_size=input_size, select=select, ignore=ignore)
    if not report.ok:
        raise PolicyViolationError(report)
    return report


def judge_live(
    objs: list[Any],
    policy: Policy,
    *,
    listed: bool,
    p: Any = 1.0,
    input_size: InputSize | None = None,
    select: tuple[str, ...] | None = None,
    ignore: tuple[str, ...] = (),
) -> Report:
    """Judge live objects: the items of a list given for a ``Compose`` with ``p`` (``listed``), or one transform or
    composition. The verdict is kept by what the tree is (:mod:`~safeaug.validators.memo`), so that building the
    same pipeline again costs one fingerprint of it, not a reading and a judgement."""
    how = (listed, type(p), p, input_size, select, ignore)
    return memo.judged(objs, policy, how, _read_and_judge, (objs, policy, listed, p, input_size, select, ignore))


def _read_and_judge(
    objs: list[Any],
    policy: Policy,
    listed: bool,
    p: Any,
    input_size: InputSize | None,
    select: tuple[str, ...] | None,
    ignore: tuple[str, ...],
) -> Report:
    root = read_transform_list(objs, p=p) if listed else read_object(objs[0])
    return judge(root, policy, input_size=input_size, select=select, ignore=ignore)


def judge(
    root: Node,
    policy: Policy,
    *,
    source: str | None = None,
    probe: bool = False,
    seeds: int = 16,
    input_size: InputSize | None = None,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] = (),
) -> Report:
    """Validate an already-read pipeline tree (``probe``, ``input_size``, ``select``, ``ignore``: see
    :func:`validate`)."""
    j = Judgement(
        root,
        policy,
        source=source,
        input_size=input_size,
        probed=unknown.probe_unknowns(root, policy, seeds) if probe else {},
        select=tuple(select) if select is not None else ("SA",),
        ignore=tuple(ignore),
    )
    fold(j)
    findings: list[Finding] = []
    everything = j.select == ("SA",) and not j.ignore
    for c in CHECKS:
        if everything or j.wants_any(c.codes):
            findings += c.run(j)
    if not everything:
        findings = [f for f in findings if j.wants(f.code)]
    if j.forced_at:
        findings = [_forced(f, j.forced_at) for f in findings]
    findings.sort(key=lambda f: (_order(f.location), f.code))
    total = j.total
    if j.sizes is not None and j.sizes.resolution < total.resolution:
        total = total.with_changes(resolution=j.sizes.resolution)
    return Report(policy=policy.id, findings=tuple(findings), envelope=total, source=source, input_size=input_size)


_FORCED = (
    " It counts as running although {where} has `p={p:g}`: albumentations runs a composition called with "
    "`force_apply=True` whatever its own `p` says, and calls so the branch a `OneOf` or `OneOrOther` picks (a `OneOf` "
    "picks by the weights it computed from its branches' `p` when it was built, so setting a branch's `p` to 0 "
    "later does not stop it being picked), and the root whenever its caller forces it. To switch it off, remove it "
    "(or rebuild the `OneOf` after changing `p`)."
)


def _forced(finding: Finding, forced_at: list[tuple[str, float]]) -> Finding:
    """``finding`` with the words on why a transform under ``p=0`` counts, when one of ``forced_at`` holds it."""
    for where, p in forced_at:
        if not where or finding.location == where or finding.location.startswith(where + "."):
            said = _FORCED.format(where=f"`{where}`" if where else "the root", p=p)
            return replace(finding, message=finding.message + said)
    return finding


def _order(location: str) -> tuple[int, ...]:
    """The indices along a location (``transforms[2].transforms[0]`` is (2, 0)): tree order."""
    hit = _ORDERS.get(location)
    if hit is None:
        hit = tuple(int(part) for part in location.replace("]", "").split("[")[1:] if part.isdigit())
        if len(_ORDERS) >= 4096:
            _ORDERS.clear()
        _ORDERS[location] = hit
    return hit


_ORDERS: dict[str, tuple[int, ...]] = {}


__all__ = ["CHECKS", "Check", "Judgement", "check", "input_size_of", "judge", "judge_live", "validate"]
