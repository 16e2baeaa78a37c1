"""The config dialects: how each spells one transform as a mapping, one recogniser per dialect in a table.

============  ================================================================  ===========================
dialect       a transform written as                                            where it is seen
============  ================================================================  ===========================
native        ``{"__class_fullname__": "Rotate", "limit": 10}``                 ``albumentations.save``
hydra         ``{"_target_": "albumentations.Rotate", "limit": 10}``            Hydra (``_args_`` too)
jsonargparse  ``{"class_path": "albumentations.Rotate", "init_args": {...}}``   LightningCLI
mmdet         ``{"type": "Rotate", "limit": 10}`` in ``{"type": "Albu",         mmdet / mmseg / mmengine
              "transforms": [...]}`` (or a wrapper of one's own, ``AlbuGray``)
class_name    ``{"class_name": "Rotate", "params": {...}}``                     Kaggle solutions
name_params   ``{"name": "Rotate", "params": {...}}`` (``params: [...]`` for    Kaggle, Python dict lists
              a OneOf's list)
single_key    ``- VerticalFlip: {p: 0.25}`` (``- OneOf: [...]``)               hand-written YAML
============  ================================================================  ===========================

:data:`DIALECTS` lists them in the order they are tried (the first that recognises a mapping reads it).
Adding a dialect is one :class:`Dialect` entry here, plus a good and a bad example config under
``tests/examples/good/<examples>/`` and ``tests/examples/bad/<examples>/`` (with the findings each must
give), which the corpus test reads. Class strings are never imported.

:func:`resolve_class` is the one place where a class string written in a config (or a dotted name called
in Python source) becomes the name of a transform safeaug reads.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, NamedTuple

from safeaug.ir import COMPOSE_MODES
from safeaug.libraries import canonical
from safeaug.libraries.reading import is_library_class
from safeaug.readers.vocabulary import is_albumentations_name

Path = tuple[Hashable, ...]

NATIVE = "__class_fullname__"
# mmdet / mmseg / mmpretrain wrappers whose `transforms` list runs as an albumentations Compose.
ALBU_WRAPPERS = frozenset({"Albu", "Albumentations", "Albumentation"})
# Keys of a native node that are not init arguments (ReplayCompose records add `id`, `params`, `applied`).
_NATIVE_STRUCTURE = frozenset({NATIVE, "id", "params", "applied"})
_HYDRA_KEYS = frozenset({"_target_", "_args_", "_partial_", "_recursive_", "_convert_"})

# safeaug's validated compositions, as ``albumentations.to_dict`` names them: they run as their base class.
SAFEAUG_COMPOSITIONS = {
    "safeaug.compose.Compose": "Compose",
    "safeaug.compose.ReplayCompose": "ReplayCompose",
    "safeaug.Compose": "Compose",
    "safeaug.ReplayCompose": "ReplayCompose",
}


def resolve_class(written: str) -> str | None:
    """The transform a class string names, as the catalog knows it; None for any other class.

    ``albumentations.Rotate``, ``albumentationsx.augmentations.Rotate`` and a bare ``Rotate`` are
    ``Rotate``; ``safeaug.Compose`` runs as ``Compose``. Every reader asks this function, so a name a new
    library spells its transforms with is taught here once.
    """
    if not isinstance(written, str):
        return None
    if written in SAFEAUG_COMPOSITIONS:
        return SAFEAUG_COMPOSITIONS[written]
    if written in COMPOSE_MODES:
        return written
    if written.startswith(("albumentations.", "albumentationsx.")):
        return written.rsplit(".", 1)[-1]
    if "." not in written and is_albumentations_name(written):
        return written
    if written.rpartition(".")[2][:1].isupper() and is_library_class(
        written
    ):  # torchvision, MONAI, Kornia, TorchIO: the canonical name, or the path as written
        return canonical(written) or written  # for a class the library does not export (refused as unknown)
    return None


class Spec(NamedTuple):
    """One transform as written: its class string, where that string is, and its arguments."""

    cls: str
    key: str  # the key holding the class string
    args: Mapping[str, Any]
    args_path: Path  # where the arguments live, for lines
    positional: Sequence[Any]  # Hydra `_args_`
    transforms_at: Path | None = None  # where the list of child transforms sits, when not under `transforms`
    dialect: Dialect | None = None  # the dialect that recognised it
    wrapper: bool = False  # an mmdet `Albu` wrapper: its `transforms` run as an albumentations Compose


# A recogniser: (the mapping, inside an mmdet Albu wrapper?, inside a pipeline?, its dialect) -> the
# transform it spells (with that dialect), or None.
Recogniser = Callable[[Mapping[str, Any], bool, bool, "Dialect"], "Spec | None"]


class Dialect(NamedTuple):
    """One way of writing a transform as a mapping."""

    name: str
    key: str | None  # the key every mapping in this dialect has (None: single-key mappings inside a pipeline)
    recognise: Recogniser
    examples: str  # the folder under tests/examples/good and tests/examples/bad holding its example configs
    # A mapping in this dialect is a pipeline wherever it stands, whatever class it names.
    always_a_pipeline: bool = False
    # Class strings are import paths of any class: one safeaug does not know is a user's transform (SA401),
    # not a misspelt albumentations name.
    any_class: bool = False
    # Keys the dialect writes beside an albumentations class's arguments that are none of them (a class of
    # safeaug's or a user's keeps them: `params` is an argument of safeaug.auto.RandAugment).
    bookkeeping: frozenset[str] = frozenset()


def _native(obj: Mapping[str, Any], albu: bool, loose: bool, dialect: Dialect) -> Spec | None:
    cls = obj.get(NATIVE)
    if cls is None:
        return None
    return Spec(cls, NATIVE, obj, (), (), dialect=dialect)


def _hydra(obj: Mapping[str, Any], albu: bool, loose: bool, dialect: Dialect) -> Spec | None:
    cls = obj.get("_target_")
    if not isinstance(cls, str):
        return None
    args = {k: v for k, v in obj.items() if k not in _HYDRA_KEYS}
    positional = obj.get("_args_") or ()
    return Spec(cls, "_target_", args, (), positional if isinstance(positional, list) else (), dialect=dialect)


def _jsonargparse(obj: Mapping[str, Any], albu: bool, loose: bool, dialect: Dialect) -> Spec | None:
    cls = obj.get("class_path")
    if not isinstance(cls, str):
        return None
    init = obj.get("init_args")
    init_args = init if isinstance(init, Mapping) else {}
    return Spec(cls, "class_path", init_args, ("init_args",), (), dialect=dialect)


def _mmdet_member(obj: Mapping[str, Any], albu: bool, loose: bool, dialect: Dialect) -> Spec | None:
    """Inside mmdet's Albu, ``type`` names the class (``name`` may be an argument)."""
    cls = obj.get("type")
    if not albu or not isinstance(cls, str):
        return None
    args = {k: v for k, v in obj.items() if k != "type"}
    return Spec(cls, "type", args, (), (), dialect=dialect, wrapper=_scope(cls) in ALBU_WRAPPERS)


def _named(key: str, *, always: bool) -> Recogniser:
    """``{key: Class, params: {...}}``, or the arguments beside the name; ``params: [...]`` for a OneOf's list.

    ``always``: the key names a class wherever it stands; else only inside a pipeline or for a name
    albumentations has (``name`` is a common argument).
    """

    def recognise(obj: Mapping[str, Any], albu: bool, loose: bool, dialect: Dialect) -> Spec | None:
        cls = obj.get(key)
        if not isinstance(cls, str) or not (always or loose or resolve_class(cls) is not None):
            return None
        params = obj.get("params")
        if isinstance(params, Mapping):
            return Spec(cls, key, params, ("params",), (), dialect=dialect)
        if isinstance(params, list) and cls in COMPOSE_MODES:  # `name: OneOf, params: [...]`
            return Spec(cls, key, {"transforms": params}, (), (), ("params",), dialect)
        return Spec(cls, key, {k: v for k, v in obj.items() if k != key}, (), (), dialect=dialect)

    return recognise


def _library_member(obj: Mapping[str, Any], albu: bool, loose: bool, dialect: Dialect) -> Spec | None:
    """``type`` naming a class of another library safeaug reads (``type="torchvision.transforms.v2.Pad"``)."""
    cls = obj.get("type")
    if not isinstance(cls, str) or not is_library_class(cls):
        return None
    return Spec(cls, "type", {k: v for k, v in obj.items() if k != "type"}, (), (), dialect=dialect)


def _mmdet_wrapper(obj: Mapping[str, Any], albu: bool, loose: bool, dialect: Dialect) -> Spec | None:
    """mmdet's ``Albu`` (any registry scope), or a wrapper of one's own whose ``transforms`` are albumentations'."""
    cls = obj.get("type")
    if not isinstance(cls, str):
        return None
    # A wrapper of one's own is a class albumentations does not have: `dict(type="OneOf", transforms=[...])`
    # is a piece of a pipeline (read where an Albu wrapper holds it), not a pipeline of its own.
    if not (_scope(cls) in ALBU_WRAPPERS or (resolve_class(cls) is None and _wraps_albumentations(obj))):
        return None
    args = {k: v for k, v in obj.items() if k != "type"}
    return Spec(cls, "type", args, (), (), dialect=dialect, wrapper=True)


def _single_key(obj: Mapping[str, Any], albu: bool, loose: bool, dialect: Dialect) -> Spec | None:
    """Inside a pipeline, ``- VerticalFlip: {p: 0.25}`` (or ``- OneOf: [...]``)."""
    if not loose or len(obj) != 1:
        return None
    [(cls, args)] = obj.items()
    if not isinstance(cls, str) or "." in cls or resolve_class(cls) is None:
        return None
    if args is None or isinstance(args, Mapping):
        return Spec(cls, cls, args or {}, (cls,), (), dialect=dialect)
    if isinstance(args, list) and cls in COMPOSE_MODES:
        return Spec(cls, cls, {"transforms": args}, (), (), (cls,), dialect)
    return None


DIALECTS: tuple[Dialect, ...] = (
    Dialect("native", NATIVE, _native, "native", always_a_pipeline=True, bookkeeping=_NATIVE_STRUCTURE),
    Dialect("hydra", "_target_", _hydra, "hydra", any_class=True),
    Dialect("jsonargparse", "class_path", _jsonargparse, "jsonargparse", any_class=True),
    Dialect("mmdet member", "type", _mmdet_member, "mmdet"),
    Dialect("library type", "type", _library_member, "library_type", any_class=True),
    Dialect("class_name", "class_name", _named("class_name", always=True), "class_name"),
    Dialect("name_params", "name", _named("name", always=False), "name_params"),
    Dialect("mmdet", "type", _mmdet_wrapper, "mmdet", always_a_pipeline=True),
    Dialect("single_key", None, _single_key, "single_key"),
)


def recognise(obj: Any, *, albu: bool, loose: bool = False) -> Spec | None:
    """The transform ``obj`` spells in the first dialect that recognises it, if any.

    ``albu``: inside an mmdet ``Albu`` wrapper. ``loose``: inside a pipeline, where a ``name`` is a class
    name and a single-key mapping is a transform.
    """
    if not isinstance(obj, Mapping):
        return None
    for dialect in DIALECTS:
        key = dialect.key
        if key is not None and key not in obj:
            continue  # most mappings of a config are not transforms: a key look-up says so
        spec = dialect.recognise(obj, albu, loose, dialect)
        if spec is not None:
            return spec
    return None


# Every key a dialect names a transform's class with.
_CLASS_KEYS = (NATIVE, "_target_", "class_path", "class_name", "type", "name")


def rival_class(obj: Mapping[str, Any], spec: Spec) -> tuple[str, str] | None:
    """Another key of the mapping that names a different transform than ``spec`` (the key and the class), if
    any: ``{_target_: albumentations.HorizontalFlip, __class_fullname__: NoOp}`` builds a flip with Hydra and
    a no-op with ``albumentations.from_dict``, and the file does not say which loader reads it."""
    mine = resolve_class(spec.cls) if isinstance(spec.cls, str) else None
    # `name` and `type` are arguments of some classes (Lambda's name, MONAI's TorchVisiond(name=...)).
    plain = mine is not None and mine != "Lambda" and not is_library_class(mine)
    for key in _CLASS_KEYS:
        other = obj.get(key) if key != spec.key else None
        if not isinstance(other, str) or (key in ("name", "type") and not plain):
            continue
        theirs = resolve_class(other)
        if theirs is not None and theirs != mine:
            return key, other
    return None


def _wraps_albumentations(obj: Mapping[str, Any]) -> bool:
    """An mmdet/mmseg wrapper of its own (``type='AlbuGray'``): a ``transforms`` list of albumentations dicts."""
    children = obj.get("transforms")
    if not isinstance(children, list) or not children:
        return False
    for child in children:
        cls = child.get("type") if isinstance(child, Mapping) else None
        if not isinstance(cls, str) or resolve_class(cls) is None:
            return False
    return True


def _scope(cls: str) -> str:
    """``mmdet.Albu`` -> ``Albu`` (mmengine registries accept a scope prefix)."""
    return cls.rsplit(".", 1)[-1]


# Steps of an mmengine data pipeline (mmcv, mmdet, mmseg, mmpretrain) that load, pack, normalise or collect
# the sample: none moves a pixel or changes a value in a way a policy bounds.
MMENGINE_PLUMBING = frozenset(
    {
        "LoadImageFromFile",
        "LoadImageFromNDArray",
        "LoadImageFromWebcam",
        "LoadMultiChannelImageFromFiles",
        "LoadAnnotations",
        "LoadPanopticAnnotations",
        "LoadProposals",
        "LoadEmptyAnnotations",
        "LoadDepthAnnotation",
        "PackDetInputs",
        "PackSegInputs",
        "PackInputs",
        "PackClsInputs",
        "PackTextDetInputs",
        "PackTextRecogInputs",
        "PackTrackInputs",
        "DefaultFormatBundle",
        "Collect",
        "ImageToTensor",
        "ToTensor",
        "ToDataContainer",
        "Normalize",
        "FilterAnnotations",
    }
)
# mmcv's `RandomFlip` directions (mmdet 2.x's too), as the albumentations transform that does the same: a
# diagonal flip reverses both axes, a half turn (no mirror).
_MM_FLIPS: dict[str, dict[str, Any]] = {
    "horizontal": {NATIVE: "HorizontalFlip", "p": 1.0},
    "vertical": {NATIVE: "VerticalFlip", "p": 1.0},
    "diagonal": {NATIVE: "Rotate", "limit": [180, 180], "p": 1.0},
}


def mmengine_pipeline(items: list[Any]) -> list[tuple[Any, str]] | None:
    """An mmengine data pipeline that runs an ``Albu`` wrapper among steps of its own, each step as a transform
    mapping and the class it is written as when it is read as another: the wrapper as written, a ``RandomFlip``
    as the albumentations flips it makes, loading and packing as ``NoOp``, any other step as a class safeaug
    does not know (``mmengine.Resize``), which is refused.

    None when ``items`` holds no wrapper, or nothing beside it but plumbing: the wrapper is then read alone.
    """
    acting = False
    wrapped = False
    out: list[tuple[Any, str]] = []
    for item in items:
        if not isinstance(item, Mapping):
            out.append((item, ""))  # a value the reader could not read: refused where it stands
            acting = True
            continue
        spec = recognise(item, albu=False)
        if spec is not None and spec.wrapper:
            wrapped = True
            out.append((item, ""))
            continue
        kind = item.get("type")
        if not isinstance(kind, str):
            return None  # not an mmengine pipeline
        step = _scope(kind)
        if step in MMENGINE_PLUMBING:
            out.append(({NATIVE: "NoOp"}, ""))
            continue
        acting = True
        args = {k: v for k, v in item.items() if k != "type"}
        out.append((_mm_flip(args), step) if step == "RandomFlip" else ({NATIVE: f"mmengine.{step}", **args}, ""))
    return out if wrapped and acting else None


def _mm_flip(args: Mapping[str, Any]) -> dict[str, Any]:
    """mmcv's ``RandomFlip(prob, direction)`` (mmdet 2.x: ``flip_ratio``): one of its directions, or none.

    A probability that is missing or not a number is read as 1, the worst case (mmdet 2.x flips by an
    earlier step's decision when ``flip_ratio`` is None).
    """
    direction = args.get("direction", "horizontal")
    directions = direction if isinstance(direction, list) else [direction]
    prob = args.get("prob", args.get("flip_ratio"))
    probs = prob if isinstance(prob, list) and len(prob) == len(directions) else None
    branches = []
    for i, name in enumerate(directions):
        flip = _MM_FLIPS.get(name) if isinstance(name, str) else None
        if flip is None:
            return {NATIVE: f"mmengine.RandomFlip(direction={name!r})"}  # a direction mmcv does not have
        if probs is not None and _is_number(probs[i]) and probs[i] == 0:
            continue
        branches.append(dict(flip))
    total = sum(probs) if probs is not None and all(map(_is_number, probs)) else prob
    p = float(min(total, 1.0)) if _is_number(total) and total >= 0 else 1.0
    return {NATIVE: "OneOf", "transforms": branches, "p": p} if branches else {NATIVE: "NoOp"}


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
