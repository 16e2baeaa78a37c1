"""The runner table: a new kind of callable is one entry in ``safeaug.probing.runners.RUNNERS``."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from safeaug.probing import ProbeError, probe, runners


class ChannelsFirstMirror:
    """A transform written for channels-first float images (as torch tensors come): it mirrors the width."""

    def __call__(self, image: np.ndarray) -> np.ndarray:
        if image.ndim != 3 or image.shape[0] not in (1, 3) or image.dtype != np.float32:
            raise TypeError("expected a (C, H, W) float32 image")
        return np.ascontiguousarray(image[:, :, ::-1])


def channels_first_runner(transform: Any) -> runners.Runner:
    """Probe images in, as (C, H, W) float32 in [0, 1]; the outputs back as (H, W, C) uint8."""

    def as_hwc(image: np.ndarray) -> np.ndarray:
        chw = np.ascontiguousarray(image.transpose(2, 0, 1)).astype(np.float32) / 255.0
        out = transform(chw)
        return np.asarray(np.clip(np.rint(out.transpose(1, 2, 0) * 255.0), 0, 255), dtype=np.uint8)

    return runners._callable_runner(as_hwc)


def test_a_new_input_kind_is_one_entry_in_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    entry = (lambda t: isinstance(t, ChannelsFirstMirror), channels_first_runner)
    monkeypatch.setattr(runners, "RUNNERS", [entry, *runners.RUNNERS])
    measured = probe(ChannelsFirstMirror(), seeds=2)
    assert measured.envelope.mirror is True
    assert measured.envelope.rotation < 1.0 and not measured.envelope.color


def test_without_its_entry_the_plain_callable_runner_fails_it_closed() -> None:
    # Fed (H, W, C) uint8 images, the transform raises: a probe error naming it, never a pass.
    with pytest.raises(ProbeError, match="ChannelsFirstMirror"):
        probe(ChannelsFirstMirror(), seeds=2)


def test_the_table_ends_with_the_catch_all_and_refuses_what_nothing_accepts() -> None:
    accepts, _ = runners.RUNNERS[-1]
    assert accepts(len) and not accepts(42)
    with pytest.raises(ProbeError, match="neither an albumentations transform nor a callable"):
        runners.runner_for(42)


def _reseeding_cases() -> list[Any]:
    import random

    import albumentations as A

    class OwnSeed(A.Affine):  # reseeds its own way: its state must be copied, not replaced
        def set_random_seed(self, seed: int | None) -> None:
            if not hasattr(self, "py_random"):  # (seeded once, when made)
                super().set_random_seed(7)
            self.seed = seed

    used = A.Rotate(limit=30, p=1)
    used.set_random_state(np.random.default_rng(5), random.Random(5))
    for _ in range(3):  # a state that moved on from its seed
        used(image=np.zeros((8, 8, 3), np.uint8))
    return [
        A.Compose([A.OneOf([A.Rotate(limit=40), A.RandomBrightnessContrast()]), A.GaussNoise(p=0.5)]),
        A.SomeOf([A.HorizontalFlip(), A.Affine(scale=(0.5, 1.5))], n=1),
        used,
        OwnSeed(rotate=(-20, 20), p=1),
        A.Compose([OwnSeed(rotate=(-20, 20), p=1)]),
    ]


@pytest.mark.parametrize("case", range(5))
def test_a_copy_made_to_reseed_draws_as_a_deep_copy_does(case: int) -> None:
    """The probe's copies skip copying random states that every run replaces: each seeded run, and a run
    without reseeding where the class reseeds its own way, draws exactly as a full deep copy does, and the
    original's states are left alone."""
    import copy
    import random
    import warnings

    from safeaug.coordmap import _copy_to_reseed

    t = _reseeding_cases()[case]
    states = [
        (getattr(x, "py_random", None), getattr(x, "random_generator", None))
        for x in [t, *getattr(t, "transforms", [])]
    ]
    before = [(r.getstate() if isinstance(r, random.Random) else None) for r, _ in states]
    image = np.random.default_rng(0).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    a, b = copy.deepcopy(t), _copy_to_reseed(t)
    own_seed = case >= 3  # (the last two cases)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for seed in range(6):
            for c in (a, b):
                c.set_random_seed(seed)
                if hasattr(c, "p"):
                    c.p = 1.0
            out_a, out_b = a(image=image)["image"], b(image=image)["image"]
            assert np.array_equal(out_a, out_b), seed
            if own_seed:  # the states went on from the copied ones, in step
                assert a(image=image)["image"].tobytes() == b(image=image)["image"].tobytes()
    after = [(r.getstate() if isinstance(r, random.Random) else None) for r, _ in states]
    assert after == before
