"""TorchIO: names, compositions, how live objects are read and how its transforms are run on probe images.

Every TorchIO transform takes ``p`` (default 1): the chance that it runs at all. ``RandomFlip`` has its own
``flip_probability`` on top, per axis. ``Compose`` runs its transforms in order; ``OneOf`` draws one, with
the weights given as the values of a ``{transform: weight}`` dict (a child of weight 0 never runs).

TorchIO lays images out as ``(C, W, H, D)``: spatial axis 0 is the width (left-right in RAS+ orientation, the
orientation of an image built from a tensor or read from a 2-D file), axis 1 the height, axis 2 the depth (a
single slice for 2-D images). The catalog (``safeaug/catalog/torchio.py``) reads axes that way; the adapter
below lays probe images out the same way.

Nothing here imports TorchIO or torch at module level.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from safeaug.libraries import Adapter, Composition, Library, Live
from safeaug.libraries._torchio_table import SIGNATURES, TORCHIO_VERSION

# Arguments every TorchIO transform takes through ``**kwargs``; only ``p`` changes what a transform does to
# the image it is given (``include``/``exclude`` choose which images of a subject it touches).
BASE_ARGUMENTS = ("p", "copy", "include", "exclude", "keys", "keep", "parse_input", "label_keys")

# Where a live object keeps an argument when not under the argument's own name.
_ATTRIBUTES: dict[str, dict[str, str]] = {
    "torchio.RandomElasticDeformation": {"locked_borders": "num_locked_borders"},
    "torchio.RandomAnisotropy": {"downsampling": "downsampling_range"},
    "torchio.RandomBiasField": {"coefficients": "coefficients_range"},
    "torchio.RandomBlur": {"std": "std_ranges"},
    "torchio.RandomGamma": {"log_gamma": "log_gamma_range"},
    "torchio.RandomGhosting": {"num_ghosts": "num_ghosts_range", "intensity": "intensity_range"},
    "torchio.RandomMotion": {"degrees": "degrees_range", "translation": "translation_range"},
    "torchio.RandomNoise": {"mean": "mean_range", "std": "std_range"},
    "torchio.RandomSpike": {"num_spikes": "num_spikes_range", "intensity": "intensity_range"},
    "torchio.RandomLabelsToImage": {"mean": "mean_ranges", "std": "std_ranges"},
    "torchio.Noise": {"mean": "noise_mean", "std": "noise_std"},
}

# Classes TorchIO exports that the catalog does not describe, and why. Everything else in SIGNATURES has an
# entry in safeaug/catalog/torchio.py (the completeness test holds both lists against the installed TorchIO).
NOT_AUGMENTATIONS: dict[str, str] = {
    "torchio.Transform": "the abstract base class of every TorchIO transform; it does nothing by itself",
    "torchio.SpatialTransform": "an abstract base class (spatial transforms); it does nothing by itself",
    "torchio.IntensityTransform": "an abstract base class (intensity transforms); it does nothing by itself",
    "torchio.LabelTransform": "an abstract base class (label-map transforms); it does nothing by itself",
}
UNKNOWN: dict[str, str] = {
    "torchio.Lambda": "runs an arbitrary user function; what it does cannot be read from its arguments",
    "torchio.MonaiAdapter": "runs a MONAI transform given as a live object; write the MONAI transform itself",
    "torchio.AffineElasticDeformation": (
        "the fixed affine and B-spline parameters RandomAffineElasticDeformation draws; its control-point "
        "grid cannot be read as a bound — write RandomAffineElasticDeformation"
    ),
    "torchio.ElasticDeformation": (
        "the fixed B-spline displacement RandomElasticDeformation draws, given as a control-point array — "
        "write RandomElasticDeformation"
    ),
    "torchio.Swap": "the fixed patch swaps RandomSwap draws, given as locations — write RandomSwap",
    "torchio.Spike": "the fixed k-space spikes RandomSpike draws, given as positions — write RandomSpike",
    "torchio.Motion": "the fixed motion RandomMotion draws, given as per-time transforms — write RandomMotion",
    "torchio.Ghosting": "the fixed ghosting RandomGhosting draws — write RandomGhosting",
    "torchio.BiasField": "the fixed bias-field coefficients RandomBiasField draws — write RandomBiasField",
    "torchio.LabelsToImage": (
        "paints an image from a label map with per-label intensities; the image it makes depends on the labels"
    ),
    "torchio.ToReferenceSpace": "resamples into the space of a reference image given as a live object",
    "torchio.CopyAffine": "copies another image's affine: what the voxels then mean depends on that image",
    "torchio.HistogramStandardization": "maps intensities through landmarks learned from a data set (a file)",
    "torchio.PCA": "replaces the channels with their principal components (a learned, data-dependent mix)",
}


def _plain(value: Any) -> Any:
    """Numbers, strings and nested tuples from what a live object holds (numpy arrays, tensors, lists)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return tuple(_plain(v) for v in value)
    tolist = getattr(value, "tolist", None)  # numpy arrays and scalars, torch tensors
    if callable(tolist):
        return _plain(tolist())
    return value


def _is_torchio(obj: Any) -> bool:
    module = type(obj).__module__ or ""
    return module == "torchio" or module.startswith("torchio.")


def read_live(obj: Any) -> Live | None:
    """A live TorchIO transform read through its attributes (``None`` for an object that is not one)."""
    if not _is_torchio(obj) or not hasattr(obj, "probability"):
        return None
    cls = type(obj).__name__
    name = f"torchio.{cls}"
    p = float(obj.probability)
    if name == "torchio.Compose":
        return Live(name, {}, p, tuple(obj.transforms))
    if name == "torchio.OneOf":
        # A child of weight 0 is never drawn; the others may be, whatever their weight.
        drawn = tuple(t for t, w in obj.transforms_dict.items() if float(w) > 0.0)
        return Live(name, {}, p, drawn)
    params: dict[str, Any] = {"p": p}
    attributes = _ATTRIBUTES.get(name, {})
    for arg, _default in SIGNATURES.get(name, ()):
        if arg in BASE_ARGUMENTS:
            continue
        attribute = attributes.get(arg, arg)
        if hasattr(obj, attribute):
            params[arg] = _plain(getattr(obj, attribute))
    if name == "torchio.RandomAffineElasticDeformation":
        # What runs are the two transforms it built, which may have been changed since: read those.
        for arg, part in (("affine_kwargs", "random_affine"), ("elastic_kwargs", "random_elastic")):
            inner = read_live(getattr(obj, part, None))
            params[arg] = None if inner is None else {k: v for k, v in inner.params.items() if k != "p"}
    if getattr(obj, "invert_transform", False) is True:
        _inverted(name, params)
    return Live(name, params, p)


def _inverted(name: str, params: dict[str, Any]) -> None:
    """The arguments of an inverted fixed transform (``Affine.inverse()``): zooms and powers become reciprocal.

    Turns, shifts and noise keep their size when inverted. A value that is not a plain positive number is
    left as it is, and the entry refuses it.
    """
    key = {"torchio.Affine": "scales", "torchio.Gamma": "gamma"}.get(name)
    if key is None:
        return
    value = params.get(key)
    values = value if isinstance(value, tuple) else (value,)
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 for v in values):
        flipped = tuple(1.0 / v for v in values)
        params[key] = flipped if isinstance(value, tuple) else flipped[0]


def adapter(obj: Any) -> Adapter | None:
    """Run a TorchIO transform (or a user's subclass of one) on ``H x W x C`` numpy images: a ``(C, W, H, 1)``
    float tensor in and out."""
    if not any((c.__module__ or "").split(".", 1)[0] == "torchio" for c in type(obj).__mro__):
        return None

    state: dict[str, Any] = {}

    def to_input(image: Any) -> Any:
        import numpy as np
        import torch

        array = np.asarray(image)
        state["dtype"] = array.dtype
        if array.ndim == 2:
            array = array[..., None]
        data = array.astype(np.float32)
        if array.dtype.kind == "u":  # uint8, uint16: scaled to 0-1, the range TorchIO's intensities are read on
            data /= float(np.iinfo(array.dtype).max)
        return torch.from_numpy(np.ascontiguousarray(data.transpose(2, 1, 0)[..., None]))

    def from_output(output: Any) -> Any:
        import numpy as np

        data = output.numpy() if hasattr(output, "numpy") else np.asarray(output)
        image = np.ascontiguousarray(data[..., 0].transpose(2, 1, 0))
        dtype = np.dtype(state.get("dtype", np.float32))
        if dtype.kind == "u":  # back to the integer type the image came in
            top = float(np.iinfo(dtype).max)
            return np.clip(np.rint(image * top), 0, top).astype(dtype)
        return image.astype(np.float32)

    def seed(value: int) -> None:
        import numpy as np
        import torch

        torch.manual_seed(value)
        np.random.seed(value % 2**32)

    return Adapter(to_input, from_output, seed)


LIBRARY = Library(
    name="torchio",
    version=TORCHIO_VERSION,
    public={"torchio": "torchio"},
    signatures=SIGNATURES,
    compositions={
        "torchio.Compose": Composition(mode="sequence", children="transforms", p="p"),
        "torchio.OneOf": Composition(mode="one_of", children="transforms", p="p"),
    },
    catalog="safeaug.catalog.torchio",
    constant_border=(
        'Pad with a constant `padding_mode` (a number such as 0, or `"minimum"`); `RandomAffine` fills '
        "with `default_pad_value`."
    ),
    probability="p",
    read_live=read_live,
    adapter=adapter,
)
