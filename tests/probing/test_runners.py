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


# ------------------------------------------------------------------------------------------- global generators


def _mirror_on_a_torch_coin(image: np.ndarray) -> np.ndarray:
    """A callable written for torchvision: it draws its coin from torch's global generator."""
    import torch

    return np.ascontiguousarray(image[:, ::-1]) if float(torch.rand(1)) < 0.5 else image


def test_a_torch_coin_is_drawn_once_per_run_for_every_probe_image() -> None:
    pytest.importorskip("torch")
    from safeaug.probing.images import _probe_images

    images = _probe_images(64)
    run = runners.runner_for(_mirror_on_a_torch_coin)
    mirrored = []
    for seed in range(8):
        out, _, _ = run(images, seed)
        flips = {name: bool(np.array_equal(out[name], getattr(images, name)[:, ::-1])) for name in out}
        # Truth: one coin per run, so the five probe images of a run come out alike (the flat grey is its own
        # mirror, and says nothing).
        assert flips["geo"] == flips["ramp"] == flips["colors"] == flips["dots"]
        mirrored.append(flips["geo"])
    assert any(mirrored) and not all(mirrored)  # (the coin falls both ways over these seeds)


def test_a_mirror_on_a_torch_coin_is_read_as_a_mirror_on_every_probe() -> None:
    pytest.importorskip("torch")
    readings = {repr(probe(_mirror_on_a_torch_coin, seeds=8)) for _ in range(3)}
    assert len(readings) == 1  # the same measurement on every probe
    m = probe(_mirror_on_a_torch_coin, seeds=8)
    assert m.envelope.mirror
    # Only the mirror: images of one run no longer come out mirrored apart (a mirrored ramp read against an
    # unmirrored geometry is a scrambled tone map).
    assert not m.envelope.nonmonotone and not m.envelope.inversion and m.envelope.hue == 0.0


def test_the_probe_leaves_the_global_generators_as_it_found_them() -> None:
    import random

    torch = pytest.importorskip("torch")

    def draws() -> tuple[float, float, float]:
        return random.random(), float(np.random.random()), float(torch.rand(1))

    states = random.getstate(), np.random.get_state(), torch.get_rng_state()
    expected = draws()
    random.setstate(states[0])
    np.random.set_state(states[1])
    torch.set_rng_state(states[2])
    probe(_mirror_on_a_torch_coin, seeds=2)
    assert draws() == expected  # a training script's own draws after `safeaug.wrap` are what they were


def test_a_torch_module_is_called_as_its_forward_takes_the_image() -> None:
    torch = pytest.importorskip("torch")

    class MirrorModule(torch.nn.Module):
        """A torch module over numpy images, its forward taking the image by place."""

        def forward(self, img: np.ndarray) -> np.ndarray:
            return np.ascontiguousarray(img[:, ::-1])

    module = MirrorModule()
    film = np.arange(64 * 64 * 3, dtype=np.uint8).reshape(64, 64, 3)
    assert np.array_equal(module(film), film[:, ::-1])  # truth: a mirror (module(image=...) raises TypeError)
    # Its call takes (*args, **kwargs): read from that, it was called with image= and failed on every probe image.
    assert probe(module, seeds=2).envelope.mirror


def _closed_over(pipeline: Any) -> Any:
    """A dataset's transform function that calls an albumentations pipeline it closes over."""

    def transform(image: np.ndarray) -> np.ndarray:
        return np.asarray(pipeline(image=image)["image"])

    return transform


def test_a_callable_calling_an_albumentations_pipeline_is_probed_with_its_generators_seeded() -> None:
    import albumentations as A

    import safeaug

    # Before: the pipeline's own generators, which seeding random and NumPy does not reach, drew afresh on every
    # run, so the callable was refused as unreproducible (SA401) whatever it did.
    turns = A.Compose([A.Rotate(limit=10, p=1)])
    kept = [(t, t.random_generator, t.py_random) for t in (turns, *turns.transforms)]
    report = safeaug.wrap(_closed_over(turns), "natural").report
    assert report.ok and "SA401" not in report.codes()
    assert all(t.random_generator is g and t.py_random is r for t, g, r in kept)  # the caller's draws go on as before
    flips = A.Compose([A.HorizontalFlip(p=0.5), A.Rotate(limit=10, p=1)])
    with pytest.raises(safeaug.PolicyViolationError) as refused:
        safeaug.wrap(_closed_over(flips), "chest_xray")
    assert "SA101" in refused.value.report.codes()  # measured as a mirror, not refused unseen
    m = probe(_closed_over(flips))
    assert m.envelope.mirror and probe(_closed_over(flips)) == m  # and the same on every probe


def test_each_run_sends_what_it_is_read_for() -> None:
    """Square runs send all five images; a run on a grey, 16-bit, float or RGBA input sends the geometry image
    and the ramp (all its reading reads); a run on a portrait or landscape frame the geometry image alone."""
    import albumentations as A

    from safeaug.probing.images import _TARGETS, _probe_images
    from safeaug.probing.inputs import _rect_geometry, _variant_runs

    def grey_mirror(img: np.ndarray, **params: Any) -> np.ndarray:
        return np.ascontiguousarray(img[:, ::-1]) if img.ndim == 2 else img

    for transform in (A.Lambda(image=grey_mirror, p=1), grey_mirror):
        inner = runners.runner_for(transform)
        sent: list[tuple[tuple[int, ...], tuple[str, ...], set[str]]] = []

        def run(images: Any, seed: int, inner: Any = inner, sent: list[Any] = sent) -> Any:
            out = inner(images, seed)
            sent.append((images.geo.shape, images.targets, set(out[0])))
            return out

        images = _probe_images(64)
        firsts = [run(images, seed)[:2] for seed in range(2)]
        assert sent[0] == ((64, 64, 3), _TARGETS, {"geo", *_TARGETS})  # a square run: every image
        pending = _variant_runs(run, images, 0, firsts)
        assert "grey" in {kind for kind, _, _ in pending.reads}  # the grey mirror is read
        variants = sent[2:]
        assert variants and all(t == ("ramp",) and names == {"geo", "ramp"} for _, t, names in variants)
        del sent[:]
        assert _rect_geometry(transform, run, (96, 64), 0) is not None
        assert sent == [((96, 64, 3), (), {"geo"})]
