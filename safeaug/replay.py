"""Judging a ``ReplayCompose`` record by what it will replay: its stored parameters, not its arguments.

``ReplayCompose.replay(record)`` rebuilds every transform from the record's arguments and then applies the
parameters stored with each one, whatever they are: a record edited to hold ``angle=90`` for a
``Rotate(limit=10)``, or ``applied: True`` for a flip with ``p=0``, replays a turn or a mirror its arguments
never allow. So, after the arguments are judged (when the rebuilt composition is built), each transform the
record applies is run alone on its stored parameters and measured:

* geometry: two coordinate maps (each pixel's own column and row) go through it as a mask at the input size
  it recorded, so every output pixel names its source (``safeaug.coordmap``): turn, mirror, zoom, shear;
* everything else (an image-only transform): the probe images go through it once (``safeaug.probing``);

and what it did must lie inside what its own arguments allow (the envelope the policy already accepted),
within the probe's measurement tolerance. The record's structure must be one a draw can produce: nothing
with ``p <= 0`` applied, at most one branch of a ``OneOf`` (in replay, albumentations applies every branch
the record marks), at most ``n`` of a ``SomeOf`` drawn without replacement. A record that fails any of these,
or whose parameters cannot be run and measured, is refused (``SA401``): safeaug refuses what it cannot check.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from safeaug.effects import Envelope
from safeaug.errors import ConfigError
from safeaug.policy import Policy
from safeaug.readers import read_transform_list
from safeaug.report import Finding
from safeaug.rules import UNKNOWN_TRANSFORM

_ONE = ("OneOf", "OneOrOther")
_SOME = ("SomeOf",)


def _library_base(obj: Any) -> str:
    for cls in type(obj).__mro__:
        if (cls.__module__ or "").startswith("albumentations"):
            return cls.__name__
    return type(obj).__name__


def _walk(obj: Any, location: str = "") -> Iterator[tuple[Any, str]]:
    yield obj, location
    for i, child in enumerate(getattr(obj, "transforms", None) or []):
        yield from _walk(child, f"{location}.transforms[{i}]" if location else f"transforms[{i}]")


def replay_findings(root: Any, policy: Policy) -> list[Finding]:
    """Why the restored replay pipeline ``root`` (every transform in replay mode) cannot be replayed safely."""
    from albumentations.core.composition import BaseCompose

    out: list[Finding] = []

    def refuse(obj: Any, location: str, what: str, fix: str) -> None:
        out.append(
            Finding(
                code=UNKNOWN_TRANSFORM,
                severity="error",
                message=f"the replay record {what}; safeaug refuses what it cannot check.",
                transform=type(obj).__name__,
                location=location,
                reason="ReplayCompose.replay applies the parameters stored in the record, whatever its arguments "
                "allow: parameters no draw can produce can make a label false.",
                fix=fix,
                policy=policy.id,
            )
        )

    edited = "Replay only records made by this pipeline, unedited, or build the pipeline again from its arguments."
    for obj, location in _walk(root):
        if isinstance(obj, BaseCompose):
            applied = [c for c in obj.transforms if getattr(c, "applied_in_replay", False)]
            base = _library_base(obj)
            if base in _ONE and len(applied) > 1:
                what = f"applies {len(applied)} branches of the {base} at {location or 'the root'}, which draws one"
                refuse(obj, location, what, edited)
            n = getattr(obj, "n", None)
            if base in _SOME and not getattr(obj, "replace", False) and isinstance(n, int) and len(applied) > n:
                what = f"applies {len(applied)} branches of the SomeOf at {location or 'the root'}, which draws {n}"
                refuse(obj, location, what, edited)
            continue
        if not getattr(obj, "applied_in_replay", False):
            continue
        p = getattr(obj, "p", 1.0)
        if isinstance(p, (int, float)) and p <= 0:
            what = f"applies {type(obj).__name__} at {location}, whose p is {p:g}: it never runs"
            refuse(obj, location, what, edited)
            continue
        beyond = _beyond(obj, policy)
        if beyond:
            refuse(obj, location, f"makes {type(obj).__name__} at {location} {beyond}", edited)
    return out


def _beyond(obj: Any, policy: Policy) -> str:
    """What the transform's stored parameters do beyond what its arguments allow, in words ('' when nothing)."""
    from safeaug.probing import ProbeError, excess, probe
    from safeaug.validators import judge
    from safeaug.validators.context import trusted

    tree = read_transform_list([obj], p=1.0)
    if trusted(tree.children[0], policy) is not None:
        return ""  # trusted by name: its effect was never judged, so there is nothing to compare with
    allowed = judge(tree, policy).envelope
    try:
        linear = _stated_linear(obj)
        if linear is not None:
            measured = _linear_envelope(np.array(linear, dtype=float).reshape(2, 2))
        elif "mask" in getattr(obj, "_key2func", {}):
            measured = _geometry(obj)
        else:
            measured = probe(obj, seeds=1).envelope
    except (ProbeError, ConfigError, ValueError, KeyError, TypeError, IndexError) as exc:  # parameters that cannot run
        return f"run parameters that safeaug could not run and measure ({type(exc).__name__}: {exc})"
    over = excess(measured, allowed)
    if not over:
        return ""
    parts = [f"{name} {_show(seen)} where its arguments allow {_show(limit)}" for name, (seen, limit) in over.items()]
    return "do " + "; ".join(parts)


def _show(value: Any) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)


# Library classes whose image function applies exactly the map their parameters state (an affine
# ``matrix``, a D4 ``group_element``, a quarter-turn ``factor``, or a fixed flip): read it from them.
_STATED = frozenset(
    {"Affine", "Rotate", "ShiftScaleRotate", "SafeRotate", "HorizontalFlip", "VerticalFlip", "Transpose", "D4"}
    | {"SquareSymmetry", "RandomRotate90"}
)


def _stated_linear(obj: Any) -> tuple[float, float, float, float] | None:
    from safeaug.applied import applied_linear

    cls = type(obj)
    if not (cls.__module__ or "").startswith("albumentations") or cls.__name__ not in _STATED:
        return None
    params = getattr(obj, "params", None)
    return applied_linear(obj, params) if isinstance(params, Mapping) else None


def _linear_envelope(m: Any) -> Envelope:
    from safeaug.coordmap import _decompose

    turn, mirror, zoom, shear = _decompose(m)
    return Envelope(mirror=mirror, rotation=turn, scale_min=zoom[1], scale_max=zoom[0], shear=shear)


def _geometry(obj: Any) -> Envelope:
    """Turn, mirror, zoom and shear of one replayed transform, read from coordinate maps at its recorded size."""
    from safeaug.coordmap import _nearest_masks, coordinate_maps, read_maps

    params = getattr(obj, "params", None)
    shape = params.get("shape") if isinstance(params, Mapping) else None
    if not (isinstance(shape, (tuple, list)) and len(shape) >= 2 and all(isinstance(v, int) for v in shape)):
        raise ValueError(f"its parameters record no input size (shape: {shape!r})")
    h, w = int(shape[0]), int(shape[1])
    channels = int(shape[2]) if len(shape) > 2 else 1
    t = copy.deepcopy(obj)
    _nearest_masks(t)
    xs, ys = coordinate_maps((h, w))
    image = np.full((h, w, channels) if len(shape) > 2 else (h, w), 128, np.uint8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = t(force_apply=True, image=image, mask=np.dstack([xs, ys]))
    mask = np.asarray(out["mask"])
    r = read_maps(mask[..., 0], mask[..., 1], (h, w))
    if r.collapsed:
        return Envelope(scale_min=0.0, crop_min=0.0)
    return _linear_envelope(np.array(r.linear, dtype=float))
