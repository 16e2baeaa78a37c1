"""Verdicts on live pipelines, kept by what the pipeline is (its fingerprint), not by which objects it is made of.

A program that builds the same pipeline again (a dataset per split, per fold, per worker, per epoch) builds new
objects each time; their fingerprint (:mod:`safeaug.readers.fingerprint`) says the tree reads the same as one
judged before, so its verdict is given again without reading or judging the tree (from the second pipeline
of a shape on: the first of each is judged as it would be without this). The key also holds what
else the verdict depends on: the policy object (policies are frozen), the input size, the codes asked for,
whether replayed objects are checked by their caller, and the catalog's generation (a transform registered
since changes what a class reads as). A tree with no fingerprint (anything but albumentations' own classes, a
value that is not one of Python's own plain types) is read and judged as always, and nothing is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from safeaug.catalog._registry import generation
from safeaug.readers.fingerprint import fingerprint, shape
from safeaug.readers.objects import replaying_checked
from safeaug.report import Report

if TYPE_CHECKING:
    from safeaug.policy import Policy

_KEPT: dict[tuple[Any, ...], tuple[Policy, Report]] = {}
_MAX_KEPT = 256
_SHAPES: set[tuple[Any, ...]] = set()  # the shapes of the live pipelines judged (see fingerprint.shape)
_MAX_SHAPES = 1024


def judged(
    roots: list[Any],
    policy: Policy,
    how: tuple[Any, ...],
    read_and_judge: Callable[..., Report],
    args: tuple[Any, ...],
) -> Report:
    """The verdict on the live tree under ``roots``: kept from an equal tree judged before, or
    ``read_and_judge(*args)``.

    ``how``: what else the verdict depends on (how the roots are read, the input size, the codes asked for),
    hashable, compared with ``==``.
    """
    form = shape(roots)
    if form not in _SHAPES:
        # A pipeline of a shape not met before is judged once like any other: the fingerprint, which costs about a
        # third of the judgement, is taken from the second pipeline of a shape on.
        if len(_SHAPES) >= _MAX_SHAPES:
            _SHAPES.clear()
        _SHAPES.add(form)
        return read_and_judge(*args)
    found = fingerprint(roots)
    if found is None:
        return read_and_judge(*args)
    refs, written = found
    key = (id(policy), how, replaying_checked(), generation(), refs, written)
    try:
        hit = _KEPT.get(key)
    except TypeError:  # something in ``how`` cannot be hashed: judged as always
        return read_and_judge(*args)
    if hit is not None and hit[0] is policy:
        return hit[1]
    report = read_and_judge(*args)
    if len(_KEPT) >= _MAX_KEPT:
        _KEPT.clear()  # (one step, whatever other threads do meanwhile)
    _KEPT[key] = (policy, report)  # (holds the policy, so that its id is not reused while kept)
    return report


def forget() -> None:
    """Drop every kept verdict, and what pipelines were met."""
    _KEPT.clear()
    _SHAPES.clear()
