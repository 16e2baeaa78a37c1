"""MONAI (``monai.transforms``): names, compositions, how to read live objects and how to run them.

Nothing here imports MONAI or torch at module level. The entries are in :mod:`safeaug.catalog.monai`.

Every class ``monai.transforms`` exports is one of: catalogued (an entry that reads its arguments),
a step that leaves the image's content alone (:data:`IDENTITY_REASONS`: loading, type and layout changes,
bookkeeping), or a transform whose effect cannot be read from its arguments (:data:`UNKNOWN_REASONS`: it
fails closed). Base classes (:data:`BASES`) have no entry and lend none.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from safeaug.libraries import Adapter, Composition, Library, Live
from safeaug.libraries._monai_table import ALIASES, MODULES, MONAI_VERSION, SIGNATURES
from safeaug.libraries.reading import count

P = "monai.transforms."

# Classes users subclass; they do nothing on their own.
BASES = frozenset(
    P + n
    for n in (
        "Transform",
        "MapTransform",
        "Randomizable",
        "RandomizableTransform",
        "LazyTransform",
        "InvertibleTransform",
        "TraceableTransform",
        "RandCoarseTransform",
    )
)


def _both(reason: str, *classes: str) -> dict[str, str]:
    """The reason for the array classes and their dictionary forms (where MONAI has one)."""
    out = {}
    for cls in classes:
        for name in (P + cls, P + cls + "d"):
            if name in SIGNATURES:
                out[name] = reason
    return out


# Steps that do not change what the image shows: the envelope of doing nothing.
IDENTITY_REASONS: dict[str, str] = {
    **_both("loads or saves files; the image's content is not changed", "LoadImage", "SaveImage", "WriteFileMapping"),
    **_both(
        "changes the array's type, device or channel layout, not its content",
        "EnsureChannelFirst",
        "EnsureType",
        "CastToType",
        "ToTensor",
        "ToNumpy",
        "ToCupy",
        "ToPIL",
        "ToDevice",
        "AsChannelLast",
        "SqueezeDim",
        "SplitDim",
        "RepeatChannel",
        "RemoveRepeatedChannel",
        "FromMetaTensor",
        "ToMetaTensor",
        "Identity",
        "FlattenSequence",
    ),
    **_both(
        "bookkeeping: copies, selects, deletes or joins dictionary items, logs, times or applies pending "
        "operations; pixels are not changed",
        "CopyItems",
        "DeleteItems",
        "SelectItems",
        "ConcatItems",
        "FlattenSubKeys",
        "DataStats",
        "SimulateDelay",
        "ApplyPending",
        "Mark",
        "RandMark",
        "RangePush",
        "RangePop",
        "RandRangePush",
        "RandRangePop",
    ),
    **_both(
        "computes sampling indices or statistics into other keys; the image is not changed",
        "FgBgToIndices",
        "ClassesToIndices",
        "IntensityStats",
        "BoundingRect",
    ),
    **_both(
        "clips intensities at percentiles of the image; a deterministic preprocessing step",
        "ClipIntensityPercentiles",
    ),
    **_both(
        "reorients every image to the same anatomical frame (axcodes): not random, the same for every image",
        "Orientation",
    ),
}

# Transforms whose effect cannot be read from their arguments, or that change the image in ways the
# envelope model does not describe: they fail closed.
UNKNOWN_REASONS: dict[str, str] = {
    **_both(
        "runs arbitrary user code; what it does cannot be read from the arguments",
        "Lambda",
        "RandLambda",
        "TorchIO",
        "RandTorchIO",
        "CuCIM",
        "RandCuCIM",
        "ImageFilter",
        "RandImageFilter",
    ),
    **_both(
        "mixes the batch's images and labels (MixUp, CutMix, CutOut over a batch); read it as mixing by hand",
        "MixUp",
        "CutMix",
        "CutOut",
    ),
    **_both(
        "post-processing of model outputs (thresholds, one-hot, connected components, ensembles); on an image "
        "it replaces intensities with labels",
        "Activations",
        "AsDiscrete",
        "KeepLargestConnectedComponent",
        "RemoveSmallObjects",
        "LabelFilter",
        "FillHoles",
        "LabelToContour",
        "MeanEnsemble",
        "VoteEnsemble",
        "Ensemble",
        "ProbNMS",
        "Invert",
        "SaveClassification",
        "DistanceTransformEDT",
        "SobelGradients",
        "GenerateHeatmap",
    ),
    **_both(
        "converts or maps label maps; on an image it replaces intensities with labels",
        "LabelToMask",
        "MapLabelValue",
        "ConvertToMultiChannelBasedOnBratsClasses",
        "ForegroundMask",
        "ThresholdIntensity",
        "MaskIntensity",
        "ComputeHoVerMaps",
        "HistogramNormalize",
        "IntensityRemap",
        "RandIntensityRemap",
        "DetectEnvelope",
        "SavitzkyGolaySmooth",
        "UltrasoundConfidenceMapTransform",
    ),
    **_both(
        "adds channels derived from coordinates or guidance points; what the model sees changes in ways the "
        "envelope does not describe",
        "AddCoordinateChannels",
        "AddExtremePointsChannel",
    ),
    **_both(
        "reorders array axes by index; which are spatial depends on the array's layout (a swap of the two "
        "spatial axes mirrors the image)",
        "Transpose",
    ),
    **_both(
        "a general resampler or padder driven by a grid, a matrix or pad widths given at call time",
        "Resample",
        "AffineGrid",
        "RandAffineGrid",
        "RandDeformGrid",
        "Pad",
        "SmoothField",
    ),
    **_both(
        "splits the image into patches (several outputs); their geometry is not one image's",
        "GridPatch",
        "RandGridPatch",
        "GridSplit",
        "PadListDataCollate",
    ),
    **_both(
        "converts boxes, points or coordinates between spaces; not an image transform",
        "ConvertBoxToPoints",
        "ConvertPointsToBoxes",
        "ApplyTransformToPoints",
        "TransformPointsImageToWorld",
        "TransformPointsWorldToImage",
    ),
    **_both(
        "a 1-D signal transform; not an image augmentation",
        "SignalContinuousWavelet",
        "SignalFillEmpty",
        "SignalRandAddGaussianNoise",
        "SignalRandAddSine",
        "SignalRandAddSinePartial",
        "SignalRandAddSquarePulse",
        "SignalRandAddSquarePulsePartial",
        "SignalRandDrop",
        "SignalRandScale",
        "SignalRandShift",
        "SignalRemoveFrequency",
    ),
    **_both(
        "undoes earlier transforms of a batch at inference; not part of a training pipeline",
        "BatchInverseTransform",
        "Decollated",
    ),
}

COMPOSITIONS: dict[str, Composition] = {
    P + "Compose": Composition("sequence"),
    P + "OneOf": Composition("one_of", weights="weights"),
    P + "SomeOf": Composition("some_of", weights="weights", n="num_transforms"),
    P + "RandomOrder": Composition("some_of"),
}


def defaults() -> dict[str, dict[str, Any]]:
    """Argument defaults of every class, by canonical name (for ``add_defaults``)."""
    return {name: dict(args) for name, args in SIGNATURES.items()}


def _plain(value: Any) -> Any:
    """A stored attribute as a config would write it: tuples of numbers, strings for enums."""
    if isinstance(value, enum.Enum):
        return _plain(value.value)  # MONAI's string enums (GridSampleMode.BILINEAR -> "bilinear")
    if value is None or type(value) in (bool, int, float, str):
        return value
    for plain in (bool, int, float, str):  # numpy scalars and other subclasses, as the plain type
        if isinstance(value, plain):
            return plain(value)
    if isinstance(value, (list, tuple)):
        return tuple(_plain(v) for v in value)
    tolist = getattr(value, "tolist", None)
    if callable(tolist) and type(value).__module__ in ("numpy", "torch", "monai.data.meta_tensor"):
        return _plain(tolist())
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        return _plain(value.item())
    return value


def _stored(obj: Any, name: str, depth: int = 0) -> Any:
    """``name`` as ``obj`` or the MONAI transform it wraps keeps it (a dictionary transform keeps its
    array transform, ``RandAffine`` its grid maker). Missing: a sentinel."""
    own = vars(obj).get(name, _MISSING)
    if own is not _MISSING and not _is_transform(own):  # Affined keeps its Affine under `affine`
        return own
    if depth < 2:
        for value in vars(obj).values():
            if _is_transform(value):
                found = _stored(value, name, depth + 1)
                if found is not _MISSING:
                    return found
    return _MISSING


_MISSING = object()


def _is_transform(value: Any) -> bool:
    return type(value).__module__.startswith("monai.transforms") and hasattr(value, "__dict__")


# Arguments MONAI keeps under another attribute name (Rand2DElastic's grid keeps ``magnitude``).
_RENAMED: Mapping[str, str] = {"magnitude_range": "magnitude"}


def read_live(obj: Any) -> Live | None:
    """A live MONAI transform or composition, read through its attributes (MONAI itself is not imported)."""
    cls = type(obj)
    if not cls.__module__.startswith("monai.transforms"):
        return None
    name = P + cls.__name__
    if name not in SIGNATURES:
        return None
    comp = COMPOSITIONS.get(name)
    if comp is not None:
        params: dict[str, Any] = {}
        if comp.weights is not None and getattr(obj, "weights", None) is not None:
            params[comp.weights] = _plain(obj.weights)
        children = tuple(getattr(obj, "transforms", ()) or ())
        if comp.mode == "some_of":
            # SomeOf keeps the fewest and the most transforms it draws (resolved from num_transforms): the most
            # bounds the envelope; RandomOrder runs them all
            params["n"] = count(_plain(getattr(obj, "max_num_transforms", None)), len(children))
            params["replace"] = bool(getattr(obj, "replace", False))
        return Live(name, params, None, children)
    if cls.__name__ in WRAPPERS:
        return _read_wrapper(obj, name)
    params = {}
    for arg, _default in SIGNATURES[name]:
        if arg in ("prob", "lazy", "device", "dtype", "allow_missing_keys", "**"):
            continue
        value = _stored(obj, arg)
        if value is _MISSING and arg in _RENAMED:
            value = _stored(obj, _RENAMED[arg])
        if value is not _MISSING:
            params[arg] = _plain(value)
    prob = getattr(obj, "prob", None) if any(a == "prob" for a, _ in SIGNATURES[name]) else None
    return Live(name, params, None if prob is None else float(prob))


# MONAI's wrappers of a torchvision.transforms class named by `name` (its arguments follow): judged by the
# torchvision catalog's entry for that class.
WRAPPERS = frozenset({"TorchVision", "TorchVisiond", "RandTorchVision", "RandTorchVisiond"})


def _read_wrapper(obj: Any, name: str) -> Live:
    """A TorchVision wrapper: ``name`` and the wrapped torchvision object's own arguments, read by the
    torchvision description. An object it cannot read leaves only ``name`` (judged at its defaults would be
    wrong, so the entry refuses it: see ``safeaug.catalog.monai``)."""
    from safeaug.libraries import library

    params: dict[str, Any] = {"name": _stored(obj, "name")}
    if "keys" in vars(obj):
        params["keys"] = _plain(obj.keys)
    inner = _stored(obj, "trans")
    while _is_transform(inner):  # TorchVisiond keeps a TorchVision that keeps the torchvision object
        inner = vars(inner).get("trans")
    reader = library("torchvision").read_live
    read = reader(inner) if reader is not None and inner is not None else None
    if read is None or read.children is not None:
        params["_unread_"] = True
    else:
        params.update(read.params)
    return Live(name, params, None)


def adapter(obj: Any) -> Adapter | None:
    """How to run a MONAI transform on the probe's ``H x W x C`` images: a ``C x H x W`` float tensor in
    ``[0, 1]`` (a dictionary transform gets it under each of its keys), the result back as ``H x W x C``."""
    if not any((base.__module__ or "").startswith("monai.transforms") for base in type(obj).__mro__):
        return None  # a user's subclass of a MONAI transform runs as MONAI's do
    import numpy as np
    import torch

    keys = tuple(getattr(obj, "keys", ()) or ())
    state: dict[str, Any] = {}

    def to_input(image: Any) -> Any:
        arr = np.asarray(image)
        state["uint8"] = arr.dtype == np.uint8
        data = arr.astype(np.float32) / (255.0 if state["uint8"] else 1.0)
        if data.ndim == 2:
            data = data[..., None]
        tensor = torch.from_numpy(np.ascontiguousarray(data.transpose(2, 0, 1)))
        return {k: tensor.clone() for k in keys} if keys else tensor

    def from_output(out: Any) -> Any:
        if isinstance(out, list):  # crops that draw several samples: the first
            out = out[0]
        if isinstance(out, dict):
            out = out[keys[0]]
        arr = np.asarray(out.detach().cpu() if hasattr(out, "detach") else out, dtype=np.float32)
        arr = arr.transpose(1, 2, 0)
        if state.get("uint8"):
            return np.clip(np.rint(arr * 255.0), 0, 255).astype(np.uint8)
        return arr

    def seed(value: int) -> None:
        if hasattr(obj, "set_random_state"):
            obj.set_random_state(seed=value)

    return Adapter(to_input, from_output, seed)


def _probability_of() -> dict[str, str | None]:
    """Classes without a ``prob`` argument always run."""
    return {name: None for name, args in SIGNATURES.items() if all(a != "prob" for a, _ in args)}


LIBRARY = Library(
    name="monai",
    version=MONAI_VERSION,
    public={"monai.transforms": "monai.transforms"},
    signatures=SIGNATURES,
    compositions=COMPOSITIONS,
    catalog="safeaug.catalog.monai",
    constant_border=(
        'Use `padding_mode="zeros"` for rotations and affines, `padding_mode="constant"` for zooms, and '
        '`mode="constant"` for padding transforms (`SpatialPad`, `BorderPad`).'
    ),
    probability="prob",
    probability_of=_probability_of(),
    aliases=ALIASES,
    read_live=read_live,
    adapter=adapter,
)

__all__ = ["BASES", "IDENTITY_REASONS", "LIBRARY", "MODULES", "UNKNOWN_REASONS", "adapter", "read_live"]
