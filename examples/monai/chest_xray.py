"""A MONAI chest X-ray pipeline that safeaug refuses for ``RandFlipd``, and the same pipeline fixed.

    python examples/monai/chest_xray.py

Many MONAI training scripts add ``RandFlipd(spatial_axis=1)`` "for robustness". On channel-first 2-D
images spatial axis 1 runs left to right, so the flip mirrors the film: the heart lands on the patient's
right, which is the picture of dextrocardia. safeaug reads the live MONAI objects (MONAI's radians, axes and
``prob`` included), refuses that pipeline under the ``chest_xray`` policy, and admits it without the flip.
The films are synthetic look-alikes, so the script needs no data.
"""

from __future__ import annotations

import monai.transforms as mt
import numpy as np
import torch

import safeaug

torch.set_num_threads(1)
KEYS = ["image"]


def radiograph(index: int, size: int = 96) -> np.ndarray:
    """A grey film shaped like a frontal chest X-ray: two dark lungs, the heart bright on the image's right."""
    rng = np.random.default_rng(index)
    y, x = np.mgrid[0:size, 0:size] / size
    lungs = np.exp(-(((x - 0.3) / 0.14) ** 2 + ((y - 0.45) / 0.28) ** 2))
    lungs += np.exp(-(((x - 0.7) / 0.14) ** 2 + ((y - 0.45) / 0.28) ** 2))
    heart = np.exp(-(((x - 0.6) / 0.12) ** 2 + ((y - 0.62) / 0.1) ** 2))
    film = 0.55 - 0.35 * lungs + 0.45 * heart + rng.normal(0, 0.02, lungs.shape)
    return np.clip(film, 0, 1).astype(np.float32)[None]  # channel first: (1, H, W)


# As written in many scripts: a left-right flip added for robustness.
flipped = mt.Compose(
    [
        mt.ScaleIntensityd(keys=KEYS),
        mt.RandFlipd(keys=KEYS, prob=0.5, spatial_axis=1),
        mt.RandRotated(keys=KEYS, range_x=0.17, prob=0.5, padding_mode="zeros"),  # radians: about 10 degrees
        mt.RandZoomd(keys=KEYS, min_zoom=0.9, max_zoom=1.1, prob=0.5, padding_mode="constant"),
        mt.RandAdjustContrastd(keys=KEYS, gamma=(0.8, 1.2), prob=0.3),
        mt.RandGaussianNoised(keys=KEYS, std=0.02, prob=0.2),
    ]
)
report = safeaug.validate(flipped, "chest_xray")
print(f"with RandFlipd: {'accepted' if report.ok else 'refused'}")
for finding in report.findings:
    print(f"  {finding.code} {finding.location} {finding.transform}: {finding.message}")
assert {f.code for f in report.findings} == {"SA101"}

# Fixed: no flip. check() raises safeaug.PolicyViolationError when a pipeline breaks the policy.
fixed = mt.Compose(
    [
        mt.ScaleIntensityd(keys=KEYS),
        mt.RandRotated(keys=KEYS, range_x=0.17, prob=0.5, padding_mode="zeros"),
        mt.RandZoomd(keys=KEYS, min_zoom=0.9, max_zoom=1.1, prob=0.5, padding_mode="constant"),
        mt.RandAdjustContrastd(keys=KEYS, gamma=(0.8, 1.2), prob=0.3),
        mt.RandGaussianNoised(keys=KEYS, std=0.02, prob=0.2),
    ]
)
safeaug.check(fixed, "chest_xray")
print("without it: accepted")

fixed.set_random_state(seed=0)
batch = torch.stack([torch.as_tensor(fixed({"image": radiograph(i)})["image"]) for i in range(4)])
print(f"one augmented batch: {tuple(batch.shape)}, intensities {float(batch.min()):.2f}..{float(batch.max()):.2f}")
