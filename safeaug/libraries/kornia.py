"""Kornia (``kornia.augmentation``): names, compositions and how to read and run its live objects.

Nothing here imports Kornia or torch at module level: configs are read by name, and a live object is read
through its attributes (``torch`` is imported inside :func:`read_live` only once the object's class is known
to be Kornia's, to turn tensors into numbers).

Compositions. ``AugmentationSequential``, ``ImageSequential`` and ``VideoSequential`` hold their members as
positional arguments (``*args``) and run them in order, unless ``random_apply`` is set: then a number of members
is drawn (``True``: all of them, in a random order; ``n``: exactly ``n``; ``(a, b)``: between ``a`` and ``b``;
``(a,)``: from ``a`` to all), by ``random_apply_weights``, *with replacement* when more are asked for than there
are members of non-zero weight: the same member may then run several times. :func:`arrangement` turns those
arguments into the neutral tree's modes. The dispatchers run each member ``AugmentationSequential`` on its own
input (``ManyToMany``) or on copies of the same input (``ManyToOne``): each output has been through exactly one
member, so they combine as a union. ``PatchSequential`` (members run per grid patch) is not a composition the
envelope model describes; the catalog lists it as unknown.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from safeaug.ir import Mode
from safeaug.libraries import Adapter, Composition, Library, Live
from safeaug.libraries._kornia_table import KORNIA_VERSION, SIGNATURES

PUBLIC = {
    "kornia.augmentation": "kornia.augmentation",
    "kornia.augmentation.auto": "kornia.augmentation.auto",
}

_K = "kornia.augmentation."


def arrangement(params: Mapping[str, Any], count: int) -> tuple[Mode, dict[str, Any]]:
    """How a Kornia sequential container with arguments ``params`` and ``count`` members combines them.

    Returns the mode of the neutral tree and the arguments the fold reads: ``n`` (how many members run) and
    ``replace`` (whether one member may be drawn more than once). Raises ``ValueError`` for a ``random_apply``
    Kornia itself refuses.
    """
    value = params.get("random_apply", False)
    if value is False or value is None:
        return "sequence", {}
    if value is True:
        lo, hi = count, count
    elif isinstance(value, int) and not isinstance(value, bool):
        lo, hi = value, value
    elif isinstance(value, (list, tuple)) and len(value) == 1 and _is_int(value[0]):
        lo, hi = int(value[0]), count
    elif isinstance(value, (list, tuple)) and len(value) == 2 and all(_is_int(v) for v in value):
        lo, hi = int(value[0]), int(value[1])
    else:
        raise ValueError(f"random_apply: expected True, False, n, (a,) or (a, b), got {value!r}")
    if lo < 0 or hi < lo:
        raise ValueError(f"random_apply: expected a non-negative count with a <= b, got {value!r}")
    weights = params.get("random_apply_weights")
    drawable = count
    if isinstance(weights, (list, tuple)) and len(weights) == count:
        numbers = [float(w) for w in weights if isinstance(w, (int, float))]
        if len(numbers) == count:
            drawable = sum(1 for w in numbers if w > 0)
    return "some_of", {"n": hi, "replace": hi > drawable}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_SEQUENTIAL = Composition("sequence", children="*", arrange=arrangement)
COMPOSITIONS: dict[str, Composition] = {
    _K + "AugmentationSequential": _SEQUENTIAL,
    _K + "ImageSequential": _SEQUENTIAL,
    _K + "VideoSequential": _SEQUENTIAL,
    _K + "ManyToManyAugmentationDispather": Composition("one_of", children="*"),
    _K + "ManyToOneAugmentationDispather": Composition("one_of", children="*"),
}
# The containers whose mode depends on their arguments (``random_apply``): see :func:`arrangement`.
ARRANGED = frozenset(name for name, c in COMPOSITIONS.items() if c.arrange is not None)

# Classes exported by kornia.augmentation that are not augmentations a pipeline holds: abstract bases to
# subclass. A subclass is read by its own class name (and fails closed when the catalog does not know it).
NOT_AUGMENTATIONS: dict[str, str] = {
    _K + name: "an abstract base class to subclass, not an augmentation"
    for name in (
        "AugmentationBase2D",
        "AugmentationBase3D",
        "GeometricAugmentationBase2D",
        "GeometricAugmentationBase3D",
        "IntensityAugmentationBase2D",
        "IntensityAugmentationBase3D",
        "RigidAffineAugmentationBase2D",
        "RigidAffineAugmentationBase3D",
        "MixAugmentationBaseV2",
    )
}
NOT_AUGMENTATIONS["kornia.augmentation.auto.PolicyAugmentBase"] = "an abstract base of the auto-augment policies"

# Live arguments stored under another name on the object or its parameter generator.
_STORED_AS: dict[str, tuple[str, ...]] = {
    "bits": ("bits_factor",),
    "brightness": ("brightness_factor",),
    "contrast": ("contrast_factor",),
    "hue": ("hue_factor",),
    "saturation": ("saturation_factor",),
    "gamma": ("gamma_factor",),
    "gain": ("gain_factor",),
    "r_shift_limit": ("r_shift",),
    "g_shift_limit": ("g_shift",),
    "b_shift_limit": ("b_shift",),
    "salt_vs_pepper": ("salt_and_pepper",),
    "max_size": ("size",),
}


def _from_tensor(value: Any) -> Any:
    """Numbers from a float32 tensor, as the decimals they were written as (``0.8999999761581421`` is ``0.9``):
    seven significant digits is float32's own precision, so no bound moves by more than its rounding."""
    if isinstance(value, float):
        return float(f"{value:.7g}")
    if isinstance(value, list):
        return tuple(_from_tensor(v) for v in value)
    return value


_MISSING = object()


def _tps_scale(obj: Any) -> Any:
    if "dist" not in getattr(obj, "__dict__", {}):
        return _MISSING
    dist = obj.dist
    return 0.0 if dist is None else dist.high  # Kornia keeps no distribution for a scale of 0


# Arguments Kornia keeps only in a derived form, by class and argument.
_DERIVED: dict[str, dict[str, Any]] = {_K + "RandomThinPlateSpline": {"scale": _tps_scale}}
_NO_PROBABILITY = frozenset(COMPOSITIONS) | {"kornia.augmentation.PatchSequential"}


def _plain(value: Any) -> Any:
    """A live argument as a config would write it: tensors as numbers or lists, enums by name."""
    if isinstance(value, enum.Enum):
        return value.name.lower()
    if type(value).__module__.startswith("torch") and hasattr(value, "tolist"):
        return _from_tensor(value.tolist())
    if isinstance(value, (list, tuple)):
        return tuple(_plain(v) for v in value)
    return value


def _find(obj: Any, name: str) -> Any:
    """Where Kornia keeps a constructor argument: ``flags``, the parameter generator or the object itself."""
    names = (name, *_STORED_AS.get(name, ()))
    flags = getattr(obj, "flags", None)
    generator = getattr(obj, "_param_generator", None)
    for key in names:
        if isinstance(flags, Mapping) and key in flags:
            return flags[key]
        if generator is not None:
            for sampler in getattr(generator, "samplers", ()) or ():
                if isinstance(sampler, tuple) and len(sampler) >= 2 and sampler[1] == key:
                    return sampler[0]
            if key in getattr(generator, "__dict__", {}):
                return generator.__dict__[key]
        if key in getattr(obj, "__dict__", {}):
            return obj.__dict__[key]
        buffers = getattr(obj, "_buffers", None)
        if isinstance(buffers, Mapping) and buffers.get(key) is not None:
            return buffers[key]
    return _MISSING


def _random_apply(obj: Any) -> Any:
    """``random_apply`` as written: Kornia stores ``(a, b + 1)`` (an exclusive end)."""
    stored = getattr(obj, "random_apply", False)
    if isinstance(stored, tuple) and len(stored) == 2:
        return (int(stored[0]), int(stored[1]) - 1)
    return stored


_AUTO = frozenset(f"kornia.augmentation.auto.{c}" for c in ("AutoAugment", "RandAugment", "TrivialAugment"))
# The operation classes of kornia.augmentation.auto, by the name a policy gives them.
_OPERATIONS = {
    "AutoContrast": "auto_contrast",
    "Brightness": "brightness",
    "Contrast": "contrast",
    "Saturate": "color",
    "Equalize": "equalize",
    "Gray": "gray",
    "Invert": "invert",
    "Posterize": "posterize",
    "Solarize": "solarize",
    "SolarizeAdd": "solarize_add",
    "Sharpness": "sharpness",
    "HorizontalFlip": "hflip",
    "VerticalFlip": "vflip",
    "Rotate": "rotate",
    "ShearX": "shear_x",
    "ShearY": "shear_y",
    "TranslateX": "translate_x",
    "TranslateY": "translate_y",
}


def _auto_params(obj: Any, name: str) -> dict[str, Any]:
    """An auto-augment object's arguments with its policy as the operations it built: Kornia keeps no copy of the
    policy it was given. RandAugment's and TrivialAugment's operations are ``(name, low, high)``; AutoAugment's
    ``(name, probability, None)`` (its entry reads each operation over its whole range, not its bin)."""
    params: dict[str, Any] = {key: obj.__dict__[key] for key in ("n", "m") if key in obj.__dict__}
    policy = []
    for sub in getattr(obj, "_modules", {}).values():
        ops: list[tuple[Any, ...]] = []
        for op in getattr(sub, "_modules", {}).values():
            kind = _OPERATIONS.get(type(op).__name__, type(op).__name__)
            if name.endswith("AutoAugment"):
                prob = _plain(getattr(op, "probability", 1.0))
                ops.append((kind, prob[0] if isinstance(prob, tuple) else prob, None))
                continue
            magnitude = _plain(getattr(op, "magnitude_range", None))
            lo, hi = magnitude if isinstance(magnitude, tuple) and len(magnitude) == 2 else (0.0, 1.0)
            ops.append((kind, lo, hi))
        policy.append(ops)
    params["policy"] = policy
    return params


def read_live(obj: Any) -> Live | None:
    """Read a live Kornia augmentation or container; None for a class ``kornia.augmentation`` does not export."""
    from safeaug.libraries import canonical

    cls = type(obj)
    module = cls.__module__ or ""
    if not module.startswith("kornia."):
        return None
    name = canonical(f"{module}.{cls.__name__}")
    if name is None:
        return None
    if name in COMPOSITIONS:
        # The sequential containers are torch Sequentials (members in ``_modules``); the dispatchers keep theirs
        # in a plain ``augmentations`` list.
        held = getattr(obj, "augmentations", None) if "Dispather" in name else getattr(obj, "_modules", None)
        members = tuple(held.values() if isinstance(held, Mapping) else held or ())
        params: dict[str, Any] = {}
        if name in ARRANGED:
            params["random_apply"] = _random_apply(obj)
            weights = getattr(obj, "random_apply_weights", None)
            if weights is not None:
                params["random_apply_weights"] = _plain(weights)
        return Live(name, params, None, members)
    if name in _AUTO:
        return Live(name, _auto_params(obj, name), None)
    params = {}
    for arg, _default in SIGNATURES.get(name, ()):
        if arg.startswith("*") or arg in ("p", "p_batch"):
            continue
        derive = _DERIVED.get(name, {}).get(arg)
        found = derive(obj) if derive is not None else _find(obj, arg)
        if found is not _MISSING:
            params[arg] = _plain(found)
    if name in _NO_PROBABILITY:
        return Live(name, params, None)
    p = getattr(obj, "p", None)
    p_batch = getattr(obj, "p_batch", 1.0)
    probability = None
    if isinstance(p, (int, float)) and isinstance(p_batch, (int, float)):
        probability = float(p) * float(p_batch)  # the batch draw and the per-image draw must both pass
    return Live(name, params, probability)


def adapter(obj: Any) -> Adapter | None:
    """Run a Kornia augmentation on a numpy image as a ``1 x C x H x W`` float tensor in ``[0, 1]``.

    Takes ``H x W x C`` or ``H x W`` images in uint8, uint16 or float (already in ``[0, 1]``); a grey image goes
    through as three equal channels (Kornia's colour transforms need three). The output comes back in the
    input's layout and dtype (a grey input as the mean of the channels).
    """
    if not any((c.__module__ or "").startswith("kornia.") for c in type(obj).__mro__):
        return None  # a user's subclass of a Kornia augmentation runs as Kornia's do
    import numpy as np
    import torch

    last: dict[str, Any] = {}

    def to_input(image: Any) -> Any:
        arr = np.asarray(image)
        last["dtype"], last["ndim"], last["channels"] = arr.dtype, arr.ndim, arr.shape[2] if arr.ndim == 3 else 0
        scale = float(np.iinfo(arr.dtype).max) if arr.dtype.kind in "ui" else 1.0
        if arr.ndim == 2:
            arr = arr[..., None]
        if arr.shape[2] == 1:
            arr = np.repeat(arr, 3, axis=2)
        chw = np.ascontiguousarray(arr.transpose(2, 0, 1)).astype(np.float32) / scale
        return torch.from_numpy(chw)[None]

    def from_output(out: Any) -> Any:
        if isinstance(out, (list, tuple)):
            out = out[0]
        arr = out.detach().cpu().numpy().astype(np.float64)
        while arr.ndim > 3:
            arr = arr[0]
        hwc = arr.transpose(1, 2, 0)
        if last.get("ndim") == 2 or last.get("channels") == 1:
            hwc = hwc.mean(axis=2, keepdims=last.get("ndim") != 2)
        dtype = last.get("dtype", np.dtype(np.uint8))
        if dtype.kind in "ui":
            top = float(np.iinfo(dtype).max)
            return np.clip(np.rint(hwc * top), 0, top).astype(dtype)
        return hwc.astype(dtype)

    def seed(value: int) -> None:
        torch.manual_seed(value)

    return Adapter(to_input, from_output, seed)


LIBRARY = Library(
    name="kornia",
    version=KORNIA_VERSION,
    public=PUBLIC,
    signatures=SIGNATURES,
    compositions=COMPOSITIONS,
    catalog="safeaug.catalog.kornia",
    constant_border=('Use `padding_mode="zeros"` (or `"fill"` with a `fill` value).'),
    probability="p",
    probability_of=dict.fromkeys(_NO_PROBABILITY),
    read_live=read_live,
    adapter=adapter,
)
