"""A TorchIO training pipeline for CT slices that safeaug checks before training starts.

    python examples/torchio/ct_training.py

The first pipeline is what a TorchIO tutorial hands you (a flip on the lateral axis, TorchIO's default
affine); safeaug refuses it under the `ct` policy and says why. The second is the fix, and it is admitted;
it then runs on a synthetic slice laid out as TorchIO expects, ``(C, W, H, D)``.
"""

from __future__ import annotations

import numpy as np
import torch
import torchio as tio

import safeaug

tutorial = tio.Compose(
    [
        tio.RandomFlip(axes=("LR",)),  # the heart, liver and spleen swap sides
        tio.RandomAffine(),  # 10 degrees about each of three axes: up to 30 in a volume
        tio.RandomNoise(std=(0, 0.02)),
    ]
)
report = safeaug.validate(tutorial, "ct")
print(f"tutorial pipeline admitted: {report.ok}")
for finding in report.findings:
    print(f"  {finding.code} {finding.severity}: {finding.message}")

fixed = tio.Compose(
    [
        tio.RandomAffine(scales=(0.95, 1.05), degrees=(0, 0, 5), isotropic=True),
        tio.RandomGamma(log_gamma=(-0.1, 0.1)),
        tio.RandomNoise(std=(0, 0.02)),
    ]
)
safeaug.check(fixed, "ct")  # raises safeaug.PolicyViolationError if the policy refuses it
print("fixed pipeline admitted")

torch.manual_seed(0)
slice_ = torch.from_numpy(np.random.default_rng(0).random((1, 64, 64, 1), dtype=np.float32))
augmented = fixed(tio.Subject(ct=tio.ScalarImage(tensor=slice_)))
print("augmented slice:", tuple(augmented["ct"].data.shape))
