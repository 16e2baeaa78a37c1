"""A Kornia GPU augmentation for chest X-rays, checked by safeaug: refused with a flip, accepted without it.

    python examples/kornia/gpu_chest_xray.py

Kornia augments whole batches on the GPU (here the CPU), so the check runs once, on the live
``AugmentationSequential``, before the training loop. The films are synthetic look-alikes: no data needed.
"""

from __future__ import annotations

import kornia.augmentation as K
import torch

import safeaug

torch.manual_seed(0)
films = torch.rand(4, 1, 64, 64).repeat(1, 3, 1, 1)  # a batch of grey films as 3-channel tensors in [0, 1]

# What a natural-image recipe brings along: a flip and a 30-degree turn that fills its corners by reflection.
first_try = K.AugmentationSequential(
    K.RandomHorizontalFlip(p=0.5),
    K.RandomAffine(degrees=30, translate=(0.05, 0.05), padding_mode="reflection", p=0.7),
    K.RandomBrightness(brightness=(0.9, 1.1), p=0.5),
    data_keys=["input"],
)
report = safeaug.validate(first_try, "chest_xray")
print(f"first try: {'accepted' if report.ok else 'refused'}")
for finding in report.findings:
    print(f"  {finding.code} {finding.transform}: {finding.message}")
    print(f"      fix: {finding.fix}")

# The fix: no flip, a turn within the policy's 15 degrees, a constant border.
augment = K.AugmentationSequential(
    K.RandomAffine(degrees=10, translate=(0.05, 0.05), scale=(0.95, 1.05), p=0.7),
    K.RandomBrightness(brightness=(0.9, 1.1), p=0.5),
    K.RandomContrast(contrast=(0.9, 1.1), p=0.5),
    data_keys=["input"],
)
safeaug.check(augment, "chest_xray")  # raises safeaug.PolicyViolationError when refused
print("fixed: accepted by 'chest_xray'")

for step in range(2):  # the training loop runs the checked object itself
    batch = augment(films)
    print(f"step {step}: batch {tuple(batch.shape)}, mean {batch.mean():.3f}")
