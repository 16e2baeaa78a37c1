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
from typing import Any, NamedTuple, TypeGuard

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
        "LoadSingleRSImageFromFile",
        "LoadMultipleRSImageFromFile",
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
_MM_FLIPS: dict[str, str] = {"horizontal": "HorizontalFlip", "vertical": "VerticalFlip", "diagonal": "Rotate"}


def mmengine_pipeline(items: list[Any], *, named: bool = False) -> list[tuple[Any, str]] | None:
    """An mmengine data pipeline (mmcv, mmdet, mmseg, mmpretrain), each step as a transform mapping and the
    class it is written as when it is read as another: an ``Albu`` wrapper as written, mmcv's ``RandomFlip``,
    ``Resize``, ``RandomResize``, ``Pad`` and ``PhotoMetricDistortion`` as the albumentations transforms that do
    the same, loading and packing as ``NoOp``, any other step as a class safeaug does not know
    (``mmengine.RandomCrop``), which is refused.

    A pipeline is a list of ``type`` mappings that runs an ``Albu`` wrapper, or that loads or packs the sample
    (``LoadImageFromFile``, ``PackDetInputs``: what tells a data pipeline from a list of schedulers or hooks),
    or that is ``named`` as one (held under ``train_pipeline`` or ``pipeline=``: a project's own loader and
    packer are steps safeaug does not know), with a step beside them that may change the image: without the
    wrapper it is still the pipeline the images go through, and a ``RandomFlip`` in it mirrors them. None for
    anything else (a wrapper beside nothing but plumbing is read alone).
    """
    acting = False
    wrapped = False
    plumbing = False
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
            plumbing = True
            out.append(({NATIVE: "NoOp"}, ""))
            continue
        acting = True
        square = _square_box(out) if step == "Pad" else None
        out.append((_mm_pad_to_box(item, square), step) if square is not None else _mm_step(item, kind, items))
    return out if (wrapped or plumbing or named) and acting else None


def _square_box(read: list[tuple[Any, str]]) -> int | None:
    """The side ``S`` when the step read last (plumbing passed over) leaves the image's longer side at ``S``: a
    fit into an ``S`` x ``S`` box keeping the ratio (mmcv's ``Resize(scale=(S, S), keep_ratio=True)``) or a
    resize to ``S`` x ``S``."""
    for mapping, _ in reversed(read):
        if not isinstance(mapping, Mapping):
            return None
        kind = mapping.get(NATIVE)
        if kind == "NoOp":
            continue
        box = mapping.get("max_size_hw") if kind == "LongestMaxSize" else None
        if kind == "Resize":
            box = [mapping.get("height"), mapping.get("width")]
        if isinstance(box, list) and len(box) == 2 and box[0] == box[1] and _is_whole(box[0]):
            return int(box[0])
        return None
    return None


def _mm_pad_to_box(item: Mapping[str, Any], side: int) -> dict[str, Any]:
    """mmcv's ``Pad(pad_to_square=True)`` right after a fit into a ``side`` x ``side`` box: the longer side is
    ``side`` already, so the square it pads to is that box (``PadIfNeeded`` to ``side`` at the top left). Any
    other ``Pad`` is read as :func:`_mm_pad` reads it."""
    args = {k: v for k, v in item.items() if k != "type"}
    extra = args.get("size") is not None or args.get("size_divisor") is not None
    if args.get("pad_to_square", False) is not True or extra:
        return _mm_pad(args)
    return _mm_pad({**{k: v for k, v in args.items() if k != "pad_to_square"}, "size": side})


def _mm_step(item: Mapping[str, Any], kind: str, items: list[Any]) -> tuple[Any, str]:
    """One acting step of an mmengine pipeline as a transform mapping, and the name it is written as when it is
    read as another ("" when it is refused under its own name)."""
    step = _scope(kind)
    args = {k: v for k, v in item.items() if k != "type"}
    if step == "PhotoMetricDistortion":  # mmdet's swaps channels, mmseg's does not: the scope says whose
        return _mm_photometric(args, swaps=_mm_library(kind, items) != "mmseg"), step
    if step == "TestTimeAug":
        return _mm_test_time(args, items), step
    if step == "RandomCrop":  # mmseg's crop_size is (h, w), mmdet's (w, h): whose it is decides
        return _mm_random_crop(args, _mm_library(kind, items)), step
    read_as = _MM_STEPS.get(step)
    return (read_as(args), step) if read_as is not None else ({NATIVE: f"mmengine.{step}", **args}, "")


def _scales_joined(options: list[Any]) -> list[Any]:
    """Fixed scales among a test-time stage's options (``Resize(scale_factor=r)`` for each of several ``r``) as
    one ``RandomScale`` over their span, so that the stage is one finding, not one per ratio: the envelope of a
    choice among them is that span."""
    scales = [o for o in options if isinstance(o, Mapping) and o.get(NATIVE) == "RandomScale"]
    if len(scales) < 2 or len({o.get("interpolation") for o in scales}) != 1:
        return options
    lows = [o["scale_limit"][0] for o in scales]
    highs = [o["scale_limit"][1] for o in scales]
    joined = {**scales[0], "scale_limit": [min(lows), max(highs)]}
    return [joined, *(o for o in options if not (isinstance(o, Mapping) and o.get(NATIVE) == "RandomScale"))]


def _mm_test_time(args: Mapping[str, Any], items: list[Any]) -> dict[str, Any]:
    """mmengine's ``TestTimeAug(transforms=[[a1, a2], [b1, b2], ...])``: every image is run through every
    combination of one step from each inner list, so it may do what any of them does: a sequence of one
    ``OneOf`` per list (each option read as a step of the pipeline is). Anything else is refused."""
    stages = args.get("transforms")
    if not isinstance(stages, list) or not stages or not all(isinstance(s, list) and s for s in stages):
        return _mm_unknown("TestTimeAug", args, "transforms")
    read = []
    for stage in stages:
        options = []
        for option in stage:
            kind = option.get("type") if isinstance(option, Mapping) else None
            if not isinstance(kind, str) or _scope(kind) == "TestTimeAug":
                return _mm_unknown("TestTimeAug", args, "transforms")
            plumbing = _scope(kind) in MMENGINE_PLUMBING
            options.append({NATIVE: "NoOp"} if plumbing else _mm_step(option, kind, items)[0])
        read.append({NATIVE: "OneOf", "transforms": _scales_joined(options), "p": 1.0})
    return {NATIVE: "Sequential", "transforms": read, "p": 1.0}


# Steps registered by mmseg alone: a pipeline that packs its sample with one of them is mmseg's.
_MMSEG_ONLY = frozenset({"PackSegInputs", "SegRescale", "GenerateEdge", "ResizeToMultiple"})


# Steps registered by mmdet alone.
_MMDET_ONLY = frozenset({"PackDetInputs", "LoadProposals", "FilterAnnotations", "PackTrackInputs"})


def _mm_library(kind: str, items: list[Any]) -> str | None:
    """Whose class a step is, ``"mmseg"`` or ``"mmdet"``: its scope (``mmseg.RandomCrop``), else the library
    whose own steps the pipeline uses (``PackSegInputs``, ``PackDetInputs``); None when nothing says, or
    both do. (A config's ``default_scope`` usually sits in a base file, which is not read.)"""
    if "." in kind:  # a registry scope (`mmseg.RandomCrop`) or an imported class's module path
        scope = kind.partition(".")[0]
        return scope if scope in ("mmseg", "mmdet") else None
    seen = set()
    for item in items:
        other = item.get("type") if isinstance(item, Mapping) else None
        if not isinstance(other, str):
            continue
        if other.startswith("mmseg.") or _scope(other) in _MMSEG_ONLY:
            seen.add("mmseg")
        if other.startswith("mmdet.") or _scope(other) in _MMDET_ONLY:
            seen.add("mmdet")
    return seen.pop() if len(seen) == 1 else None


def _mm_random_crop(args: Mapping[str, Any], library: str | None) -> dict[str, Any]:
    """``RandomCrop`` to a size in pixels, at a random place: mmseg's ``crop_size`` is ``(h, w)`` (or one int),
    mmdet's (``crop_type='absolute'``, its default) ``(w, h)``. Both keep the whole side of an image smaller
    than the crop. Refused when the pipeline does not say whose it is, and for mmdet's relative or ranged
    crop types."""
    if library is None:
        # mmseg's crop_size is (h, w), mmdet's (w, h): `type='mmseg.RandomCrop'` says whose
        return _mm_unknown("RandomCrop", args, "unscoped")
    size = args.get("crop_size")
    if library == "mmseg":
        hw = [size, size] if _is_whole(size) else list(size) if isinstance(size, (list, tuple)) else []
    else:
        if args.get("crop_type", "absolute") != "absolute":
            return _mm_unknown("RandomCrop", args, f"crop_type={args.get('crop_type')!r}")
        hw = list(size[::-1]) if isinstance(size, (list, tuple)) else []
    if len(hw) != 2 or not all(_is_whole(v) and v > 0 for v in hw):
        return _mm_unknown("RandomCrop", args, f"crop_size={size!r}")
    return {NATIVE: "RandomCrop", "height": hw[0], "width": hw[1]}


def _mm_flip(args: Mapping[str, Any]) -> dict[str, Any]:
    """mmcv's ``RandomFlip(prob, direction)`` (mmdet 2.x: ``flip_ratio``) as one albumentations transform that
    may do what any of its directions does, so that each effect is one finding: ``HorizontalFlip`` (a mirror),
    a diagonal flip as ``Rotate`` by 180° (a half turn), and anything else as ``VerticalFlip`` (a vertical
    flip is a mirror and a half turn, and so are two directions together).

    A probability that is missing or not a number is read as 1, the worst case (mmdet 2.x flips by an
    earlier step's decision when ``flip_ratio`` is None).
    """
    direction = args.get("direction", "horizontal")
    directions = direction if isinstance(direction, list) else [direction]
    prob = args.get("prob", args.get("flip_ratio"))
    probs = prob if isinstance(prob, list) and len(prob) == len(directions) else None
    kinds = set()
    for i, name in enumerate(directions):
        kind = _MM_FLIPS.get(name) if isinstance(name, str) else None
        if kind is None:
            return {NATIVE: f"mmengine.RandomFlip(direction={name!r})"}  # a direction mmcv does not have
        if probs is None or not _is_number(probs[i]) or probs[i] != 0:
            kinds.add(kind)
    total = sum(probs) if probs is not None and all(map(_is_number, probs)) else prob
    p = float(min(total, 1.0)) if _is_number(total) and total >= 0 else 1.0
    if not kinds:
        return {NATIVE: "NoOp"}
    if kinds == {"Rotate"}:
        return {NATIVE: "Rotate", "limit": [180, 180], "p": p}
    return {NATIVE: kinds.pop() if len(kinds) == 1 else "VerticalFlip", "p": p}


# mmcv's interpolation names, as OpenCV's flags (its default backend is OpenCV's).
_MM_INTERPOLATION = {"nearest": 0, "bilinear": 1, "bicubic": 2, "area": 3, "lanczos": 4}
# mmcv's padding modes (numpy's names), as OpenCV's border modes: numpy's `reflect` leaves out the edge pixel
# (OpenCV's REFLECT_101), its `symmetric` repeats it (OpenCV's REFLECT).
_MM_PADDING = {"constant": 0, "edge": 1, "symmetric": 2, "reflect": 4}


def _mm_unknown(step: str, args: Mapping[str, Any], why: str) -> dict[str, Any]:
    """A step written in a way safeaug does not read: refused as unknown, saying which way."""
    return {NATIVE: f"mmengine.{step}({why})", **args}


def _size(value: Any) -> tuple[int, int] | None:
    """mmcv's ``(w, h)`` (or one int for both) as (height, width), or None when it is neither."""
    if _is_whole(value):
        return value, value
    if isinstance(value, (list, tuple)) and len(value) == 2 and all(map(_is_whole, value)):
        return value[1], value[0]
    return None


def _mm_resize(args: Mapping[str, Any]) -> dict[str, Any]:
    """mmcv's ``Resize`` (mmdet's and mmseg's keep its arguments) as albumentations' resizes.

    ``scale=(w, h)`` without ``keep_ratio`` is ``Resize(height=h, width=w)``. With ``keep_ratio=True`` the image
    is scaled as large as fits with its long edge within the larger number and its short edge within the
    smaller (mmcv's ``rescale_size``): a landscape image fits a box ``max`` wide and ``min`` high, a portrait one
    the box turned, so it is read as either (``LongestMaxSize(max_size_hw=...)`` of each box, one of which is
    what a given image gets). ``scale_factor`` alone scales by that factor. Anything else is refused.
    """
    interpolation = _MM_INTERPOLATION.get(str(args.get("interpolation", "bilinear")))
    if interpolation is None:
        return _mm_unknown("Resize", args, f"interpolation={args.get('interpolation')!r}")
    scale = args.get("scale")
    if scale is None:
        factor = args.get("scale_factor")
        if _is_number(factor) and factor > 0:
            return {
                NATIVE: "RandomScale",
                "scale_limit": [factor - 1, factor - 1],
                "interpolation": interpolation,
                "p": 1.0,  # (mmcv always resizes; RandomScale's own default is a coin)
            }
        return _mm_unknown("Resize", args, f"scale_factor={factor!r}")
    size = _size(scale)
    if size is None or min(size) <= 0:
        return _mm_unknown("Resize", args, f"scale={scale!r}")
    keep = args.get("keep_ratio", False)
    if keep is False:
        return {NATIVE: "Resize", "height": size[0], "width": size[1], "interpolation": interpolation}
    if keep is not True:
        return _mm_unknown("Resize", args, f"keep_ratio={keep!r}")
    long, short = max(size), min(size)
    boxes = [(short, long), (long, short)] if long != short else [(long, long)]
    fits = [{NATIVE: "LongestMaxSize", "max_size_hw": list(box), "interpolation": interpolation} for box in boxes]
    return fits[0] if len(fits) == 1 else {NATIVE: "OneOf", "transforms": fits, "p": 1.0}


def _mm_pad(args: Mapping[str, Any]) -> dict[str, Any]:
    """mmcv's ``Pad`` as ``PadIfNeeded`` at the top left (mmcv pads the bottom and the right): to ``size=(w, h)``
    or to the next multiple of ``size_divisor``, with ``padding_mode`` as the border. A pad to a square is
    refused (``PadIfNeeded`` has no such size), except right after a fit into a square box (the pipeline
    reader, :func:`_mm_pad_to_box`)."""
    mode = _MM_PADDING.get(str(args.get("padding_mode", "constant")))
    if mode is None:
        return _mm_unknown("Pad", args, f"padding_mode={args.get('padding_mode')!r}")
    if args.get("pad_to_square", False) is not False:
        return _mm_unknown("Pad", args, f"pad_to_square={args.get('pad_to_square')!r}")
    value = args.get("pad_val", 0)
    fill = value.get("img", 0) if isinstance(value, Mapping) else value
    out: dict[str, Any] = {NATIVE: "PadIfNeeded", "position": "top_left", "border_mode": mode, "fill": fill}
    size, divisor = _size(args.get("size")), args.get("size_divisor")
    if size is not None and divisor is None:
        return {**out, "min_height": size[0], "min_width": size[1]}
    if args.get("size") is None and _is_whole(divisor) and divisor > 0:
        divisors = {"pad_height_divisor": divisor, "pad_width_divisor": divisor}
        return {**out, "min_height": None, "min_width": None, **divisors}
    return _mm_unknown("Pad", args, f"size={args.get('size')!r}, size_divisor={divisor!r}")


def _mm_random_resize(args: Mapping[str, Any]) -> dict[str, Any]:
    """mmcv's ``RandomResize(scale=(w, h), ratio_range=(a, b), **Resize's arguments)``: a ``Resize`` to the
    scale times a ratio drawn uniformly from ``[a, b]``. Scaling the target scales the result by the same
    ratio (the fit to a box is linear in the box), so it is the ``Resize`` to ``scale`` followed by
    ``RandomScale`` over ``[a, b]``, up to the rounding of the sides. A ``scale`` given as a range of two
    sizes (drawn side by side) or another ``resize_type`` is refused."""
    ratio = args.get("ratio_range")
    resize_type = args.get("resize_type", "Resize")
    if not (isinstance(resize_type, str) and _scope(resize_type) == "Resize"):
        return _mm_unknown("RandomResize", args, f"resize_type={resize_type!r}")
    if not (
        isinstance(ratio, (list, tuple))
        and len(ratio) == 2
        and all(map(_is_number, ratio))
        and 0 < ratio[0] <= ratio[1]
    ):
        return _mm_unknown("RandomResize", args, f"ratio_range={ratio!r}")
    resize = _mm_resize({k: v for k, v in args.items() if k not in ("ratio_range", "resize_type")})
    if resize[NATIVE] not in ("Resize", "LongestMaxSize", "OneOf"):  # refused, or a scale_factor without a scale
        why = str(resize[NATIVE]).partition("(")[2][:-1] or f"scale={args.get('scale')!r}"
        return _mm_unknown("RandomResize", args, why)
    drawn = {
        NATIVE: "RandomScale",
        "scale_limit": [ratio[0] - 1, ratio[1] - 1],
        "interpolation": resize.get("interpolation", 1),
        "p": 1.0,
    }
    return {NATIVE: "Sequential", "transforms": [resize, drawn], "p": 1.0}


def _mm_photometric(args: Mapping[str, Any], *, swaps: bool) -> dict[str, Any]:
    """mmdet's and mmseg's ``PhotoMetricDistortion(brightness_delta=32, contrast_range=(0.5, 1.5),
    saturation_range=(0.5, 1.5), hue_delta=18)``, each step on its own coin, as the albumentations transforms
    with the same effects at their widest:

    * a brightness shift of up to ``brightness_delta`` levels, then (in either order with the colour steps) a
      gain of ``contrast_range``, which multiplies the shift too: ``RandomBrightnessContrast`` with an
      additive brightness of ``brightness_delta * max(1, high)`` levels and the gain as its contrast (it
      multiplies without centring, as both do);
    * saturation multiplied by ``saturation_range`` in HSV: ``ColorJitter(saturation=...)``;
    * hue shifted by up to ``hue_delta``: in OpenCV's 8-bit hue units (2°) in mmseg, in degrees in mmdet (a
      float image): read as the wider, ``HueSaturationValue(hue_shift_limit=hue_delta)``;
    * mmdet's then permutes the channels on a coin: ``ChannelShuffle`` (not for mmseg's: a step scoped
      ``mmseg.``, or in a pipeline with a step only mmseg has, such as ``PackSegInputs``).
    """
    delta = args.get("brightness_delta", 32)
    contrast = args.get("contrast_range", (0.5, 1.5))
    saturation = args.get("saturation_range", (0.5, 1.5))
    hue = args.get("hue_delta", 18)
    if not (_ranges(contrast, saturation) and _is_number(delta) and delta >= 0 and _is_number(hue) and 0 <= hue <= 180):
        return _mm_unknown("PhotoMetricDistortion", args, "arguments")
    steps: list[dict[str, Any]] = [
        {
            NATIVE: "RandomBrightnessContrast",
            "brightness_limit": [-delta * max(1.0, contrast[1]) / 255, delta * max(1.0, contrast[1]) / 255],
            "contrast_limit": [contrast[0] - 1, contrast[1] - 1],
            "brightness_by_max": True,
            "p": 0.75,
        },
        {NATIVE: "ColorJitter", "brightness": 0, "contrast": 0, "saturation": list(saturation), "hue": 0, "p": 0.5},
        {NATIVE: "HueSaturationValue", "hue_shift_limit": hue, "sat_shift_limit": 0, "val_shift_limit": 0, "p": 0.5},
    ]
    if swaps:
        steps.append({NATIVE: "ChannelShuffle", "p": 0.5})
    return {NATIVE: "Sequential", "transforms": steps, "p": 1.0}


def _ranges(*pairs: Any) -> bool:
    """Each a pair of non-negative numbers, low first."""
    return all(
        isinstance(r, (list, tuple)) and len(r) == 2 and all(map(_is_number, r)) and 0 <= r[0] <= r[1] for r in pairs
    )


def _mm_random_resized_crop(args: Mapping[str, Any]) -> dict[str, Any]:
    """mmpretrain's ``RandomResizedCrop(scale, crop_ratio_range=(0.08, 1.0), aspect_ratio_range=(3/4, 4/3))``:
    torchvision's algorithm, as albumentations' ``RandomResizedCrop`` runs it. Its ``scale`` is the output
    size, ``(h, w)`` (it resizes to ``scale[::-1]`` in mmcv's ``(w, h)``), or one int for both."""
    interpolation = _MM_INTERPOLATION.get(str(args.get("interpolation", "bilinear")))
    crop = args.get("crop_ratio_range", (0.08, 1.0))
    aspect = args.get("aspect_ratio_range", (3.0 / 4.0, 4.0 / 3.0))
    scale = args.get("scale")
    size = [scale, scale] if _is_whole(scale) else list(scale) if isinstance(scale, (list, tuple)) else None
    if interpolation is None or not _ranges(crop, aspect) or size is None or len(size) != 2:
        return _mm_unknown("RandomResizedCrop", args, "arguments")
    if not all(_is_whole(v) and v > 0 for v in size) or crop[1] > 1 or aspect[0] <= 0:
        return _mm_unknown("RandomResizedCrop", args, "arguments")
    return {
        NATIVE: "RandomResizedCrop",
        "size": size,
        "scale": list(crop),
        "ratio": list(aspect),
        "interpolation": interpolation,
    }


def _mm_resize_edge(args: Mapping[str, Any]) -> dict[str, Any]:
    """mmpretrain's ``ResizeEdge(scale, edge='short')``: the short (or long) edge to ``scale``, the aspect kept:
    ``SmallestMaxSize`` (or ``LongestMaxSize``). ``edge='width'`` or ``'height'`` is refused."""
    interpolation = _MM_INTERPOLATION.get(str(args.get("interpolation", "bilinear")))
    edge = args.get("edge", "short")
    scale = args.get("scale")
    kind = {"short": "SmallestMaxSize", "long": "LongestMaxSize"}.get(edge) if isinstance(edge, str) else None
    if interpolation is None or kind is None or not (_is_whole(scale) and scale > 0):
        return _mm_unknown("ResizeEdge", args, f"edge={edge!r}" if kind is None else "arguments")
    return {NATIVE: kind, "max_size": scale, "interpolation": interpolation}


def _mm_center_crop(args: Mapping[str, Any]) -> dict[str, Any]:
    """mmcv's ``CenterCrop(crop_size)``: ``crop_size`` is ``(w, h)``, or one int for both. (On an image smaller
    than the crop mmcv keeps what there is, or pads it with ``auto_pad``: a crop no larger than read here.)"""
    size = _size(args.get("crop_size"))
    if size is None or min(size) <= 0 or args.get("auto_pad", False) not in (False, True):
        return _mm_unknown("CenterCrop", args, "arguments")
    return {NATIVE: "CenterCrop", "height": size[0], "width": size[1], "pad_if_needed": bool(args.get("auto_pad"))}


# mmdet's RandomAffine (YOLOX, RTMDet): its arguments in 3.x, and 2.x's box filters (which move no pixel).
_MM_AFFINE_ARGS = frozenset(
    {
        "max_rotate_degree",
        "max_translate_ratio",
        "scaling_ratio_range",
        "max_shear_degree",
        "border",
        "border_val",
        "bbox_clip_border",
        "min_bbox_size",
        "min_area_ratio",
        "max_aspect_ratio",
        "skip_filter",
        "use_mask_refine",
        "resample_num",
    }
)


def _mm_random_affine(args: Mapping[str, Any]) -> dict[str, Any]:
    """mmdet's ``RandomAffine(max_rotate_degree=10, max_translate_ratio=0.1, scaling_ratio_range=(0.5, 1.5),
    max_shear_degree=2, border=(0, 0), border_val=(114, 114, 114))``, which always runs, as albumentations'
    ``Affine`` with the same turn, zoom (one factor for both axes) and shear on each axis, and a constant border.

    mmdet turns, zooms and shears about the image's top-left corner (its matrix has no centring step), not
    about the centre as ``Affine`` does: the same map about the centre, followed by a shift of the centre. That
    shift is read into ``translate_percent`` on top of ``max_translate_ratio``: half the largest change of zoom
    when nothing turns or shears, and the whole side otherwise (a turn about a corner moves the far side by the
    image's length times the angle, which has no bound for a long image). A ``border`` changes the output to
    ``(h + 2 * border[0], w + 2 * border[1])``, cut from or padded at the bottom and right (YOLOX cuts the
    mosaic back to one image this way): ``CropAndPad`` by those pixels. Any other argument is refused (a
    torchvision-style ``RandomAffine(degrees=...)`` is not mmdet's).
    """
    other = sorted(set(args) - _MM_AFFINE_ARGS)
    if other:
        return _mm_unknown("RandomAffine", args, ", ".join(other))
    degree = args.get("max_rotate_degree", 10.0)
    ratio = args.get("max_translate_ratio", 0.1)
    scales = args.get("scaling_ratio_range", (0.5, 1.5))
    shear = args.get("max_shear_degree", 2.0)
    border = args.get("border", (0, 0))
    fill = args.get("border_val", (114, 114, 114))
    checks = {
        "max_rotate_degree": _is_number(degree) and 0 <= degree <= 180,
        "max_translate_ratio": _is_number(ratio) and 0 <= ratio <= 1,
        "scaling_ratio_range": _ranges(scales) and scales[0] > 0,
        "max_shear_degree": _is_number(shear) and 0 <= shear < 90,
        "border": isinstance(border, (list, tuple)) and len(border) == 2 and all(map(_is_whole, border)),
        "border_val": _is_number(fill) or (isinstance(fill, (list, tuple)) and all(map(_is_number, fill))),
    }
    bad = next((name for name, ok in checks.items() if not ok), None)
    if bad is not None:
        return _mm_unknown("RandomAffine", args, f"{bad}={args[bad]!r}")
    corner = max(abs(scales[0] - 1.0), abs(scales[1] - 1.0)) / 2 if degree == 0 and shear == 0 else 1.0
    shift = min(1.0, ratio + corner)
    affine = {
        NATIVE: "Affine",
        "rotate": [-degree, degree],
        "scale": list(scales),
        "keep_ratio": True,
        "translate_percent": [-shift, shift],
        "shear": {"x": [-shear, shear], "y": [-shear, shear]},
        "border_mode": 0,
        "fill": list(fill) if isinstance(fill, (list, tuple)) else fill,
        "p": 1.0,
    }
    if not any(border):
        return affine
    sides = [0, 2 * border[1], 2 * border[0], 0]  # (top, right, bottom, left): positive pads, negative cuts
    cut = {NATIVE: "CropAndPad", "px": sides, "keep_size": False, "border_mode": 0, "fill": affine["fill"], "p": 1.0}
    return {NATIVE: "Sequential", "transforms": [affine, cut], "p": 1.0}


# mmdet's Mosaic and MixUp, and RTMDet's cached versions of them: their arguments in 3.x, and 2.x's box filters.
_MM_MIX_ARGS = frozenset(
    {
        "img_scale",
        "center_ratio_range",
        "ratio_range",
        "flip_ratio",
        "pad_val",
        "prob",
        "max_iters",
        "max_cached_images",
        "random_pop",
        "max_refetch",
        "bbox_clip_border",
        "min_bbox_size",
        "min_area_ratio",
        "max_aspect_ratio",
        "skip_filter",
    }
)


def _mm_probability(args: Mapping[str, Any]) -> float | None:
    prob = args.get("prob", 1.0)
    return float(prob) if _is_number(prob) and 0 <= prob <= 1 else None


def _mm_mosaic(step: str) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    """mmdet's ``Mosaic(img_scale=(640, 640), center_ratio_range=(0.5, 1.5), pad_val=114, prob=1.0)`` (and
    ``CachedMosaic``): the image and three others, each resized to fit ``img_scale``, pasted around a random
    centre of a canvas twice that size, as albumentations' ``Mosaic`` of a 2x2 grid (other images mixed in, a
    resize that depends on the input size, and a cut by the centre)."""

    def read(args: Mapping[str, Any]) -> dict[str, Any]:
        prob = _mm_probability(args)
        size = args.get("img_scale", (640, 640))
        centre = args.get("center_ratio_range", (0.5, 1.5))
        if not set(args) <= _MM_MIX_ARGS - {"ratio_range", "flip_ratio"} or prob is None or not _ranges(centre):
            return _mm_unknown(step, args, "arguments")
        hw = _size(size)
        if hw is None or min(hw) <= 0:
            return _mm_unknown(step, args, f"img_scale={size!r}")
        h, w = hw
        return {
            NATIVE: "Mosaic",
            "grid_yx": [2, 2],
            "target_size": [2 * h, 2 * w],
            "cell_shape": [h, w],
            "center_range": [centre[0] / 2, centre[1] / 2],
            "fill": args.get("pad_val", 114),
            "p": prob,
        }

    return read


def _mm_mixup(step: str) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    """mmdet's ``MixUp(img_scale=(640, 640), ratio_range=(0.5, 1.5), flip_ratio=0.5, pad_val=114)`` (and
    ``CachedMixUp``, with ``prob``): another image, resized, flipped left to right and cut to this one's size,
    blended half and half with it. Read as the mixing of torchvision's ``MixUp``, then a ``HorizontalFlip``: the
    other image is mirrored, and a mirrored film or sign in the blend teaches what a mirror does. mmdet flips
    when a uniform draw exceeds ``flip_ratio`` (``random.uniform(0, 1) > flip_ratio``), so it flips with
    probability ``1 - flip_ratio``: ``flip_ratio=0`` flips every time, ``flip_ratio=1`` never."""

    def read(args: Mapping[str, Any]) -> dict[str, Any]:
        prob = _mm_probability(args)
        flip = args.get("flip_ratio", 0.5)
        if (
            not set(args) <= _MM_MIX_ARGS - {"center_ratio_range"}
            or prob is None
            or not (_is_number(flip) and 0 <= flip <= 1)
            or not _ranges(args.get("ratio_range", (0.5, 1.5)))
        ):
            return _mm_unknown(step, args, "arguments")
        mixed: dict[str, Any] = {NATIVE: "torchvision.transforms.v2.MixUp"}
        if flip >= 1:
            return {NATIVE: "Sequential", "transforms": [mixed], "p": prob}
        mirrored = {NATIVE: "HorizontalFlip", "p": 1.0 - float(flip)}
        return {NATIVE: "Sequential", "transforms": [mixed, mirrored], "p": prob}

    return read


def _mm_yolox_hsv(args: Mapping[str, Any]) -> dict[str, Any]:
    """mmdet's ``YOLOXHSVRandomAug(hue_delta=5, saturation_delta=30, value_delta=30)``: in OpenCV's 8-bit HSV,
    the hue shifted by up to ``hue_delta`` (units of 2°, wrapping at 180), saturation and value by up to their
    deltas in levels (clipped), each on a coin, which is albumentations' ``HueSaturationValue`` with the same
    limits (it shifts an 8-bit image's HSV alike)."""
    deltas = [args.get(k, d) for k, d in (("hue_delta", 5), ("saturation_delta", 30), ("value_delta", 30))]
    if not set(args) <= {"hue_delta", "saturation_delta", "value_delta"} or not all(
        _is_number(d) and 0 <= d <= 255 for d in deltas
    ):
        return _mm_unknown("YOLOXHSVRandomAug", args, "arguments")
    hue, sat, val = deltas
    return {
        NATIVE: "HueSaturationValue",
        "hue_shift_limit": hue,
        "sat_shift_limit": sat,
        "val_shift_limit": val,
        "p": 1.0,
    }


_MM_STEPS: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
    "RandomAffine": _mm_random_affine,
    "Mosaic": _mm_mosaic("Mosaic"),
    "CachedMosaic": _mm_mosaic("CachedMosaic"),
    "MixUp": _mm_mixup("MixUp"),
    "CachedMixUp": _mm_mixup("CachedMixUp"),
    "YOLOXHSVRandomAug": _mm_yolox_hsv,
    "RandomFlip": _mm_flip,
    "Resize": _mm_resize,
    "RandomResize": _mm_random_resize,
    "Pad": _mm_pad,
    "RandomResizedCrop": _mm_random_resized_crop,
    "ResizeEdge": _mm_resize_edge,
    "CenterCrop": _mm_center_crop,
}


def _is_whole(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> TypeGuard[float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
