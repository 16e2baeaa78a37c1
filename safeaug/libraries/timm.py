"""timm (PyTorch Image Models): the automatic augmentations it builds from a config string.

timm trains with torchvision's transforms (crops, flips, colour jitter), which the torchvision catalog
describes, and with three of its own, each made by a factory function from a string: RandAugment
(``rand_augment_transform("rand-m9-mstd0.5-inc1")``), AutoAugment (``auto_augment_transform("original")``)
and AugMix (``augment_and_mix_transform("augmix-m5-w3-d2")``). The canonical names are the functions'
names under ``timm.data``, which exports them (``timm.data.auto_augment`` defines them); their arguments are
those of timm 1.0.31 (``timm/data/auto_augment.py``). ``safeaug.readers.timm_settings`` reads a training
run's settings (``args.yaml``, a ``--config`` file) into these and torchvision's transforms.

Nothing here imports timm. A live timm transform object is not read (it is an unknown transform); the
catalog describes the factories as a config or a training run's settings name them.
"""

from __future__ import annotations

from safeaug.catalog._signatures import REQUIRED
from safeaug.libraries import Library

TIMM_VERSION = "1.0.31"  # the release whose auto_augment.py and transforms_factory.py these readings follow
PUBLIC = "timm.data"

RAND = f"{PUBLIC}.rand_augment_transform"
AUTO = f"{PUBLIC}.auto_augment_transform"
AUGMIX = f"{PUBLIC}.augment_and_mix_transform"

SIGNATURES = {
    RAND: (("config_str", REQUIRED), ("hparams", None), ("transforms", None)),
    AUTO: (("config_str", REQUIRED), ("hparams", None)),
    AUGMIX: (("config_str", REQUIRED), ("hparams", None)),
}

LIBRARY = Library(
    name="timm",
    version=TIMM_VERSION,
    public={PUBLIC: PUBLIC, f"{PUBLIC}.auto_augment": PUBLIC},
    signatures=SIGNATURES,
    compositions={},
    catalog="safeaug.catalog.timm",
    probability=None,  # the factories' transforms always run; each op inside has its own chance
)

__all__ = ["AUGMIX", "AUTO", "LIBRARY", "RAND", "SIGNATURES", "TIMM_VERSION"]
