"""A library callable that runs rarely is probed as if it always ran: a mirror at p=0.001 is still a mirror.

The probe forces each library's own probability attribute to 1 (``p``, ``prob``, ``p_batch`` and TorchIO's
``probability``) on the copy it runs, including a user's subclass, which only the probe can judge.
"""

from __future__ import annotations

from typing import Any

import pytest

import safeaug


def test_a_rare_torchio_subclass_that_mirrors_is_probed_as_a_mirror() -> None:
    torch = pytest.importorskip("torch")
    tio = pytest.importorskip("torchio")

    class MirrorLR(tio.Transform):  # type: ignore[misc]
        def apply_transform(self, subject: Any) -> Any:
            for image in subject.get_images(intensity_only=False):
                image.set_data(torch.flip(image.data, dims=(1,)))
            return subject

    assert safeaug.probe(MirrorLR(p=0.001)).envelope.mirror
    with pytest.raises(safeaug.PolicyViolationError) as refused:
        safeaug.wrap(tio.Compose([tio.RandomNoise(std=0.01), MirrorLR(p=0.001)]), "chest_xray")
    assert "SA101" in {f.code for f in refused.value.report.findings}


def test_a_rare_kornia_subclass_that_mirrors_is_probed_as_a_mirror() -> None:
    torch = pytest.importorskip("torch")
    K = pytest.importorskip("kornia.augmentation")

    class MirrorLR(K.IntensityAugmentationBase2D):  # type: ignore[misc]
        def apply_transform(self, input: Any, params: Any, flags: Any, transform: Any = None) -> Any:
            return torch.flip(input, dims=(-1,))

    assert safeaug.probe(MirrorLR(p=0.001)).envelope.mirror
