"""A chest X-ray training pipeline that safeaug checks: accepted as written, refused with a flip added.

    python examples/training/chest_xray_dataset.py

The images are synthetic radiograph look-alikes (a dark thorax, two lung fields and a bright heart shadow
on the patient's left, which is the image's right on a frontal film), so that the script needs no data.
"""

from __future__ import annotations

import albumentations as A
import numpy as np

import safeaug


def radiograph(index: int, size: int = 128) -> np.ndarray:
    """A grey image shaped like a frontal chest film: lungs darker, heart and spine brighter."""
    rng = np.random.default_rng(index)
    y, x = np.mgrid[0:size, 0:size] / size
    lungs = np.exp(-(((x - 0.3) / 0.14) ** 2 + ((y - 0.45) / 0.28) ** 2))
    lungs += np.exp(-(((x - 0.7) / 0.14) ** 2 + ((y - 0.45) / 0.28) ** 2))
    heart = np.exp(-(((x - 0.6) / 0.12) ** 2 + ((y - 0.62) / 0.1) ** 2))  # off-centre, on the patient's left
    image = 0.55 - 0.35 * lungs + 0.45 * heart + 0.25 * np.exp(-(((x - 0.5) / 0.04) ** 2))
    film: np.ndarray = np.clip(255 * image + rng.normal(0, 6, image.shape), 0, 255).astype(np.uint8)
    return film


class ChestXrays:
    """A map-style dataset: ``len()`` and ``[i]`` are all a PyTorch DataLoader needs."""

    def __init__(self, transform: safeaug.Compose, n: int = 8) -> None:
        self.transform, self.n = transform, n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, index: int) -> np.ndarray:
        augmented: np.ndarray = self.transform(image=radiograph(index))["image"]
        return augmented


train = [
    A.Affine(rotate=(-10, 10), scale=(0.9, 1.1), translate_percent=(-0.05, 0.05), p=0.7),
    A.ElasticTransform(alpha=30, sigma=6, p=0.3),
    A.RandomBrightnessContrast(brightness_limit=0.15, contrast_limit=0.15, p=0.8),
    A.RandomGamma(gamma_limit=(85, 115), p=0.5),
]
pipeline = safeaug.Compose(train, policy="chest_xray", seed=0)
print(f"accepted by {pipeline.policy.id!r}: {len(pipeline.transforms)} transforms")

dataset = ChestXrays(pipeline)
try:
    from torch.utils.data import DataLoader
except ImportError:  # no torch: a plain loop shows the same thing
    for i in range(len(dataset)):
        print(f"sample {i}: shape {dataset[i].shape}, mean {dataset[i].mean():.1f}")
else:
    for batch in DataLoader(dataset, batch_size=4, num_workers=0):  # type: ignore[arg-type]
        print(f"batch: shape {tuple(batch.shape)}, mean {batch.float().mean():.1f}")

try:
    safeaug.Compose([*train, A.HorizontalFlip(p=0.5)], policy="chest_xray")
except safeaug.PolicyViolationError as refused:
    print("adding HorizontalFlip is refused:")
    print(refused)
