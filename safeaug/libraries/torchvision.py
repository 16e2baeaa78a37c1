"""torchvision's transforms as safeaug reads and runs them: ``torchvision.transforms.v2`` and the v1 classes.

The v1 classes (``torchvision.transforms.RandomRotation``) and the v2 ones
(``torchvision.transforms.v2.RandomRotation``) are different classes with their own canonical names; their
arguments mean the same, and the catalog describes both with one function each.

Compositions: ``Compose`` runs every child in order; ``RandomApply(transforms, p)`` runs all of its children,
in order, with probability ``p``, or none of them; ``RandomChoice(transforms, p)`` runs exactly one child,
drawn with the weights ``p`` (uniform when ``None``; a child of weight 0 is never drawn), and the drawn child
then runs as it would alone (its own ``p`` still applies); ``RandomOrder(transforms)`` runs every child, in a
random order. The probability of a transform is its ``p`` argument; a class without one always runs.

Nothing here imports torchvision or torch at module level: a live object is read only once its class has been
found to belong to torchvision (which is then loaded), and the probe's adapter imports torch when it is built.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

from safeaug.libraries import Adapter, Composition, Library, Live
from safeaug.libraries._torchvision_table import SIGNATURES, TORCHVISION_VERSION

V2 = "torchvision.transforms.v2"
V1 = "torchvision.transforms"

COMPOSITIONS: dict[str, Composition] = {}
for _module in (V2, V1):
    COMPOSITIONS[f"{_module}.Compose"] = Composition("sequence")
    COMPOSITIONS[f"{_module}.RandomApply"] = Composition("sequence", p="p")
    COMPOSITIONS[f"{_module}.RandomChoice"] = Composition("one_of", weights="p")
    COMPOSITIONS[f"{_module}.RandomOrder"] = Composition("sequence")

# Classes whose ``p`` is not the probability that they run.
PROBABILITY_OF: dict[str, str | None] = {f"{m}.RandomChoice": None for m in (V2, V1)}


def _read_live(obj: Any) -> Live | None:
    """A live torchvision transform, read through the attributes its constructor stores.

    torchvision keeps each argument under its own name (normalised: ``degrees=30`` is kept as ``[-30, 30]``,
    ``ColorJitter(hue=0.1)`` as ``(-0.1, 0.1)``), which is what runs; an argument it does not keep is left to
    its default, which the completeness test checks is never one the catalog reads.
    """
    cls = type(obj)
    name = _canonical(cls)
    if name is None:
        return None
    stored = getattr(obj, "__dict__", {})
    params: dict[str, Any] = {}
    for arg, _default in SIGNATURES[name]:
        if arg in stored:
            params[arg] = _plain(stored[arg])
    composition = COMPOSITIONS.get(name)
    if composition is not None:
        # `transforms` may be a list (in __dict__) or an nn.ModuleList (kept by torch in _modules): read it as
        # torchvision does; anything else cannot be read, and the composition is then unknown.
        found = getattr(obj, "transforms", None)
        if found is None or isinstance(found, (str, bytes)) or not hasattr(found, "__iter__"):
            return None
        children = tuple(found)
        p = params.pop("p", None) if composition.p else None
        params.pop("transforms", None)
        if composition.weights is not None:
            params["weights"] = params.pop("p", None)
        return Live(name, params, _probability(p), children)
    p = None
    if "p" in params and name not in PROBABILITY_OF:
        p = _probability(params.pop("p"))
    return Live(name, params, p)


def _canonical(cls: type) -> str | None:
    """The canonical name of a class torchvision exports as it is (a subclass of one is not torchvision's)."""
    module = cls.__module__ or ""
    for public in (V2, V1):
        if module == public or module.startswith(public + "."):
            exported = getattr(sys.modules.get(public), cls.__name__, None)
            name = f"{public}.{cls.__name__}"
            return name if exported is cls and name in SIGNATURES else None
    return None


def _probability(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None


def _plain(value: Any) -> Any:
    """Stored values as configs write them: lists as tuples of numbers, one-element tensors as numbers."""
    if isinstance(value, list) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
        return tuple(value)
    item = getattr(value, "item", None)
    if callable(item) and getattr(value, "numel", lambda: 0)() == 1:
        try:
            return item()
        except Exception:
            return value
    return value


def _adapter(obj: Any) -> Adapter:
    """torchvision takes ``C x H x W`` tensors: uint8 images stay uint8, float32 ones float32, and uint16 ones (which
    few torchvision kernels take) go as float32 in [0, 1] and come back as uint16."""
    import numpy as np
    import torch

    given: list[Any] = [np.uint8]  # the dtype of the last image given, to hand back the same

    def to_input(image: Any) -> Any:
        array = np.asarray(image)
        given[0] = array.dtype
        if array.ndim == 2:
            array = array[:, :, None]
        if array.dtype == np.uint16:
            array = array.astype(np.float32) / 65535.0
        elif array.dtype != np.uint8:
            array = array.astype(np.float32)
        return torch.from_numpy(np.ascontiguousarray(array.transpose(2, 0, 1)))

    def from_output(out: Any) -> Any:
        if isinstance(out, Mapping) and "image" in out:
            out = out["image"]
        if isinstance(out, (tuple, list)) and out:
            out = out[0]
        tensor = out.detach().cpu() if hasattr(out, "detach") else torch.as_tensor(np.asarray(out))
        if tensor.ndim == 3:
            tensor = tensor.permute(1, 2, 0)
        array = tensor.contiguous().numpy()
        if given[0] == np.uint16 and array.dtype != np.uint16:  # sent as float in [0, 1]
            array = np.clip(np.rint(array.astype(np.float64) * 65535.0), 0, 65535).astype(np.uint16)
        return array

    def seed(value: int) -> None:
        torch.manual_seed(value)

    return Adapter(to_input, from_output, seed)


LIBRARY = Library(
    name="torchvision",
    version=TORCHVISION_VERSION,
    public={V2: V2, V1: V1},
    signatures=SIGNATURES,
    compositions=COMPOSITIONS,
    catalog="safeaug.catalog.torchvision",
    constant_border=(
        'Pad with `padding_mode="constant"` and `fill=0`; rotations and affines fill with `fill` (0 by default).'
    ),
    probability="p",
    probability_of=PROBABILITY_OF,
    read_live=_read_live,
    adapter=_adapter,
)


# Exported classes that are not augmentations (no entry; in a pipeline they are unknown transforms).
NOT_AUGMENTATIONS: dict[str, str] = {
    f"{V2}.Transform": "the base class of v2 transforms: it does nothing of its own; subclasses are read as "
    "a user's transform (probed by wrap(), unknown to validate())",
}
