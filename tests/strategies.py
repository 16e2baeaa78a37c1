"""Hypothesis strategies for safeaug's own property tests, on top of the public ``safeaug.strategies``.

``transforms()`` draws albumentations 2.0.8 transform objects from the public argument specs (every
draw is built by albumentations itself, so an invalid combination would raise here rather than reach
safeaug), with ``p`` drawn from ``P_VALUES`` (p=0 included); ``pipelines()`` nests them in every kind of
composition, dead branches included, without a policy; ``envelopes()`` draws :class:`safeaug.Envelope`
values, both built directly and read off the catalog.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable
from typing import Any

import albumentations as A
from hypothesis import strategies as st

import safeaug
import safeaug.strategies as public
from safeaug.effects import Envelope

# Ordered so that shrinking heads for "always applied": p=0 is the interesting edge, not the simplest.
P_VALUES = (1.0, 0.5, 0.3, 0.0)
POLICIES = ("chest_xray", "natural")

probabilities = st.sampled_from(P_VALUES)
border_modes = st.sampled_from([0, 1, 2, 3, 4])  # CONSTANT, REPLICATE, REFLECT, WRAP, REFLECT_101


def _quiet(cls: Callable[..., Any]) -> Callable[..., Any]:
    """``cls`` with albumentations' construction warnings (aliases, deprecations) silenced."""

    def make(*args: Any, **kwargs: Any) -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return cls(*args, **kwargs)

    make.__name__ = getattr(cls, "__name__", "make")
    return make


# ------------------------------------------------------------------------------------------ numbers


def floats(lo: float, hi: float) -> st.SearchStrategy[float]:
    """Floats in [lo, hi] rounded to 3 decimals, so failing examples read well."""
    raw = st.floats(lo, hi, allow_nan=False, allow_infinity=False)
    return raw.map(lambda x: min(max(round(x, 3), lo), hi))


def pairs(lo: float, hi: float, *, ints: bool = False) -> st.SearchStrategy[tuple[Any, Any]]:
    """An ordered ``(low, high)`` pair inside [lo, hi]."""
    one = st.integers(int(lo), int(hi)) if ints else floats(lo, hi)
    return st.tuples(one, one).map(lambda ab: (min(ab), max(ab)))


def limits(hi: float) -> st.SearchStrategy[Any]:
    """A symmetric limit: a bare number (albumentations reads ``x`` as ``(-x, x)``) or a pair."""
    return st.one_of(floats(0.0, hi), pairs(-hi, hi))


def odd_kernels(lo: int = 3, hi: int = 9) -> st.SearchStrategy[Any]:
    odd = st.integers(lo // 2, hi // 2).map(lambda k: 2 * k + 1)
    return st.one_of(odd, st.tuples(odd, odd).map(lambda ab: (min(ab), max(ab))))


# ------------------------------------------------------------------------------------------ transforms


def transform_strategies(p: st.SearchStrategy[float] = probabilities) -> dict[str, st.SearchStrategy[Any]]:
    """One strategy per albumentations class, keyed by class name: the public strategies' argument specs."""
    return {name: public.transforms(names=[name], p=p) for name in public.NAMES}


TRANSFORM_NAMES = public.NAMES
FLIP_NAMES = (
    "NoOp",
    "HorizontalFlip",
    "VerticalFlip",
    "Transpose",
    "D4",
    "SquareSymmetry",
    "TimeReverse",
    "RandomRotate90",
)


def transforms(
    p: st.SearchStrategy[float] = probabilities, names: tuple[str, ...] | None = None
) -> st.SearchStrategy[Any]:
    """A random albumentations transform (one of ``names``, default all) with valid arguments."""
    table = transform_strategies(p)
    chosen = [table[name] for name in (names or TRANSFORM_NAMES)]
    return st.deferred(lambda: st.one_of(chosen))  # deferred: a short repr instead of 17 kB of builds()


def flips(p: st.SearchStrategy[float] = probabilities) -> st.SearchStrategy[Any]:
    """Transforms that only mirror or turn by multiples of 90 degrees (and NoOp)."""
    return transforms(p, FLIP_NAMES)


# ------------------------------------------------------------------------------------------ pipelines

COMPOSITIONS = ("Compose", "Sequential", "OneOf", "SomeOf", "OneOrOther", "RandomOrder")


def _children(node: st.SearchStrategy[Any], *, min_size: int = 0) -> st.SearchStrategy[list[Any]]:
    return st.lists(node, min_size=min_size, max_size=4)


@st.composite
def _one_of_children(draw: st.DrawFn, node: st.SearchStrategy[Any]) -> list[Any]:
    children = draw(_children(node))
    if children and not any(c.p > 0 for c in children):
        # albumentations divides by the sum of the children's p: all-zero weights cannot be built.
        children[0].p = 1.0
    return children


@st.composite
def _some_of(draw: st.DrawFn, cls: Any, node: st.SearchStrategy[Any]) -> Any:
    children = draw(_children(node))
    replace = bool(children) and draw(st.booleans())  # drawing with replacement from nothing fails at run time
    n = draw(st.integers(0, len(children) + 1))
    return _quiet(cls)(children, n=n, replace=replace, p=draw(probabilities))


def compositions(node: st.SearchStrategy[Any], names: tuple[str, ...] = COMPOSITIONS) -> st.SearchStrategy[Any]:
    """One level of composition over ``node`` children."""
    table: dict[str, st.SearchStrategy[Any]] = {
        "Compose": st.builds(_quiet(A.Compose), _children(node), p=probabilities),
        "Sequential": st.builds(_quiet(A.Sequential), _children(node), p=probabilities),
        "OneOf": st.builds(_quiet(A.OneOf), _one_of_children(node), p=probabilities),
        "SomeOf": _some_of(A.SomeOf, node),
        "OneOrOther": st.builds(_quiet(A.OneOrOther), node, node, p=probabilities),
        "RandomOrder": _some_of(A.RandomOrder, node),
    }
    chosen = [table[name] for name in names]
    return st.deferred(lambda: st.one_of(chosen))


def pipelines(
    max_depth: int = 3,
    leaves: st.SearchStrategy[Any] | None = None,
    names: tuple[str, ...] = COMPOSITIONS,
) -> st.SearchStrategy[Any]:
    """A random tree of compositions (``names``) over ``leaves`` (default: ``transforms()``), at most
    ``max_depth`` compositions deep. The root may be a plain transform; shrinking heads for leaves."""
    node = transforms() if leaves is None else leaves
    for _ in range(max_depth):
        node = st.deferred(lambda node=node: st.one_of(node, compositions(node, names)))
    return node


def sequences(max_depth: int = 2, *, max_size: int = 4) -> st.SearchStrategy[list[Any]]:
    """A list of pipelines, to put in a ``Compose`` (or ``validate`` directly, as a list)."""
    return st.lists(pipelines(max_depth), max_size=max_size)


# ------------------------------------------------------------------------------------------ odd transforms


class Unknown(A.ImageOnlyTransform):
    """A user's own transform: an albumentations subclass safeaug has no entry for."""

    def apply(self, img: Any, **params: Any) -> Any:
        return img[:, ::-1]  # secretly mirrors


class PlainCallable:
    """A callable that is no albumentations transform at all (validate accepts it in a list)."""

    def __init__(self, p: float = 1.0) -> None:
        self.p = p

    def __call__(self, **data: Any) -> dict[str, Any]:
        return data


def _lambda(p: float) -> Any:
    return _quiet(A.Lambda)(image=_mirror_image, p=p)


def _mirror_image(img: Any, **params: Any) -> Any:
    return img[:, ::-1]


def forbidden_transforms(p: float = 1.0) -> st.SearchStrategy[Any]:
    """Transforms chest_xray refuses on their own: mirrors, big turns, inversion, unknown code."""
    return st.one_of(
        st.builds(_quiet(A.HorizontalFlip), p=st.just(p)),
        st.builds(_quiet(A.VerticalFlip), p=st.just(p)),
        st.builds(_quiet(A.Transpose), p=st.just(p)),
        st.builds(_quiet(A.Rotate), limit=st.just(90), p=st.just(p)),
        st.builds(_quiet(A.InvertImg), p=st.just(p)),
        st.builds(_quiet(A.RandomGridShuffle), p=st.just(p)),
        st.builds(_lambda, p=st.just(p)),
        st.builds(Unknown, p=st.just(p)),
    )


def _with_p(obj: Any, p: float) -> Any:
    obj.p = p
    return obj


def dead_branches() -> st.SearchStrategy[Any]:
    """Things with ``p=0`` that never run when called by a sequence: transforms, Lambda, unknown classes,
    plain callables and whole compositions (OneOrOther excluded: it runs one branch whatever its p)."""
    leaf_like = st.one_of(
        st.builds(_quiet(A.HorizontalFlip), p=st.just(0.0)),
        st.builds(_lambda, p=st.just(0.0)),
        st.builds(Unknown, p=st.just(0.0)),
        st.builds(PlainCallable, p=st.just(0.0)),
        transforms(st.just(0.0)),
    )
    names = ("Compose", "Sequential", "OneOf", "SomeOf", "RandomOrder")
    compositions_ = compositions(pipelines(1, names=names), names)
    return st.one_of(leaf_like, compositions_.map(lambda t: _with_p(t, 0.0)))


@st.composite
def dead_wrappers(draw: st.DrawFn) -> tuple[Any, list[Any]]:
    """A branch that never runs, holding transforms chest_xray refuses: ``(branch, refused transforms)``.

    Compositions with ``p=0``; a ``p=0`` transform or a ``p=0`` SomeOf (which ignores ``force_apply``)
    as the branch a OneOrOther forces; a zero-weight branch of a OneOf (even a OneOrOther, which would
    run if called, but OneOf never picks a zero weight).
    """
    kids = draw(st.lists(forbidden_transforms(), min_size=1, max_size=3))
    how = draw(
        st.sampled_from(
            [
                "Compose",
                "Sequential",
                "OneOf",
                "SomeOf",
                "RandomOrder",
                "OneOrOther first",
                "OneOrOther second",
                "OneOf weight",
            ]
        )
    )
    n = draw(st.integers(1, 3))
    if how in ("Compose", "Sequential", "OneOf"):
        return _quiet(getattr(A, how))(kids, p=0.0), kids
    if how in ("SomeOf", "RandomOrder"):
        return _quiet(getattr(A, how))(kids, n=n, p=0.0), kids

    choices = ["leaf", "SomeOf"] if how.startswith("OneOrOther") else ["leaf", "OneOrOther", "Compose"]
    inner = draw(st.sampled_from(choices))
    if inner == "leaf":
        dead, kids = _with_p(copy.deepcopy(kids[0]), 0.0), kids[:1]
    elif inner == "SomeOf":
        dead = _quiet(A.SomeOf)(kids, n=n, p=0.0)
    elif inner == "OneOrOther":
        dead = _quiet(A.OneOrOther)(kids[0], kids[-1], p=0.0)
    else:
        dead = _quiet(A.Compose)(kids, p=0.0)

    if how == "OneOrOther first":  # p=1: always the first branch, which does nothing
        return _quiet(A.OneOrOther)(dead, A.NoOp(p=1.0), p=1.0), kids
    if how == "OneOrOther second":  # p=0: always the second
        return _quiet(A.OneOrOther)(A.NoOp(p=1.0), dead, p=0.0), kids
    return _quiet(A.OneOf)([A.NoOp(p=1.0), dead], p=1.0), kids


# ------------------------------------------------------------------------------------------ envelopes


@st.composite
def direct_envelopes(draw: st.DrawFn) -> Envelope:
    """Envelope values built field by field over plausible ranges (ranges ordered low <= high)."""

    def factor_range(lo: float, hi: float) -> tuple[float, float]:
        return draw(pairs(lo, hi))

    scale_min, scale_max = factor_range(0.1, 3.0)
    contrast_min, contrast_max = factor_range(0.2, 2.0)
    gamma_min, gamma_max = factor_range(0.3, 2.0)
    saturation_min, saturation_max = factor_range(0.0, 2.0)
    flag = st.booleans()
    return Envelope(
        mirror=draw(flag),
        rotation=draw(floats(0.0, 180.0)),
        scale_min=scale_min,
        scale_max=scale_max,
        translation=draw(floats(0.0, 0.5)),
        translation_px=draw(floats(0.0, 50.0)),
        shear=draw(floats(0.0, 45.0)),
        perspective=draw(floats(0.0, 0.3)),
        nonrigid=draw(flag),
        crop_min=draw(floats(0.01, 1.0)),
        crop_unbounded=draw(flag),
        resize=draw(flag),
        reflect_border=draw(flag),
        inversion=draw(flag),
        nonmonotone=draw(flag),
        brightness=draw(floats(0.0, 1.0)),
        contrast_min=contrast_min,
        contrast_max=contrast_max,
        gamma_min=gamma_min,
        gamma_max=gamma_max,
        equalization=draw(flag),
        posterize_bits=float(draw(st.integers(1, 8))),
        hue=draw(floats(0.0, 180.0)),
        saturation_min=saturation_min,
        saturation_max=saturation_max,
        color=draw(flag),
        grayscale=draw(flag),
        blur=draw(floats(0.0, 5.0)),
        resolution=draw(floats(0.05, 1.0)),
        noise=draw(floats(0.0, 0.5)),
        compression=float(draw(st.integers(1, 100))),
        sharpen=draw(flag),
        occlusion=draw(floats(0.0, 1.0)),
        topology=draw(flag),
        mixing=draw(flag),
        overlay=draw(flag),
    )


def catalog_envelopes(policy: str = "natural") -> st.SearchStrategy[Envelope]:
    """Envelopes the catalog gives random transforms and pipelines."""
    return st.one_of(transforms(), pipelines(2)).map(lambda t: safeaug.validate(t, policy).envelope)


def envelopes() -> st.SearchStrategy[Envelope]:
    return st.one_of(st.just(Envelope()), direct_envelopes(), catalog_envelopes())
