"""The names and positional arguments of ``safeaug.auto``'s transforms, as data.

The readers need them to read a call (``RandAugment("ocr", 2, 9)``, Hydra ``_args_``) and must not import the
entries in :mod:`safeaug.catalog.auto`, which reach the validators through the op space.
"""

from __future__ import annotations

RAND = ("safeaug.auto.RandAugment", "safeaug.auto.transforms.RandAugment")
TRIVIAL = ("safeaug.auto.TrivialAugment", "safeaug.auto.transforms.TrivialAugment")

# Their arguments in positional order.
POSITIONAL: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(RAND, ("policy", "n", "m", "num_magnitude_bins", "p")),
    **dict.fromkeys(TRIVIAL, ("policy", "num_magnitude_bins", "p")),
}
