"""Validated pipelines as the transform of a dataset in worker processes: torch DataLoader and multiprocessing.

Each item reseeds its pipeline from its index, so a worker's output can be compared with the same item
computed in the main process.
"""

from __future__ import annotations

import multiprocessing
import pickle
from typing import Any

import albumentations as A
import numpy as np
import pytest

import safeaug
from safeaug.compose import AuditError

SIZE = 32
ITEMS = 6


def _radiograph(index: int) -> np.ndarray:
    rng = np.random.default_rng(index)
    y, x = np.mgrid[0:SIZE, 0:SIZE]
    heart = np.exp(-(((x - SIZE * 0.6) / 6) ** 2 + ((y - SIZE * 0.6) / 5) ** 2))
    return np.clip(40 + 150 * heart + rng.normal(0, 8, (SIZE, SIZE)), 0, 255).astype(np.uint8)


def _albumentations_pipeline() -> list[Any]:
    return [
        A.Affine(rotate=(-10, 10), scale=(0.9, 1.1), p=0.9),
        A.RandomBrightnessContrast(brightness_limit=0.2, contrast_limit=0.2, p=0.9),
        A.RandomGamma(gamma_limit=(80, 120), p=0.5),
    ]


def brighten(image: np.ndarray) -> np.ndarray:
    """A torchvision-style plain callable on numpy arrays: a mild contrast stretch."""
    return np.clip(image.astype(np.float32) * 1.1, 0, 255).astype(np.uint8)


def _pipelines() -> dict[str, Any]:
    return {
        "compose": safeaug.Compose(_albumentations_pipeline(), policy="chest_xray", audit=True),
        "wrapped": safeaug.wrap(A.Compose(_albumentations_pipeline()), "chest_xray"),
        "plain": safeaug.wrap(brighten, "chest_xray"),
    }


class XrayDataset:
    """A map-style dataset (all torch needs is ``__len__`` and ``__getitem__``)."""

    def __init__(self, pipelines: dict[str, Any]) -> None:
        self.pipelines = pipelines

    def __len__(self) -> int:
        return ITEMS

    def __getitem__(self, index: int) -> dict[str, np.ndarray]:
        image = _radiograph(index)
        out = {"original": image}
        for name, pipeline in self.pipelines.items():
            if name == "plain":
                out[name] = pipeline(image)
            else:
                pipeline.set_random_seed(1000 + index)
                out[name] = pipeline(image=image)["image"]
        return out


def _expected() -> list[dict[str, np.ndarray]]:
    dataset = XrayDataset(_pipelines())
    return [dataset[i] for i in range(ITEMS)]


def _check_batches(batches: list[dict[str, Any]]) -> None:
    expected = _expected()
    rows = [{k: np.asarray(v[j]) for k, v in batch.items()} for batch in batches for j in range(len(batch["original"]))]
    assert len(rows) == ITEMS
    for row, want in zip(rows, expected, strict=True):
        for key in ("original", "compose", "wrapped", "plain"):
            assert row[key].shape == (SIZE, SIZE) and row[key].dtype == np.uint8
            np.testing.assert_array_equal(row[key], want[key], err_msg=key)
    augmented = sum(not np.array_equal(r["compose"], r["original"]) for r in rows)
    assert augmented >= ITEMS - 1  # the workers really augmented
    np.testing.assert_array_equal(rows[0]["plain"], brighten(rows[0]["original"]))


def _loader(context: str) -> list[dict[str, Any]]:
    torch = pytest.importorskip("torch")
    from torch.utils.data import DataLoader

    loader = DataLoader(
        XrayDataset(_pipelines()),  # type: ignore[arg-type]
        batch_size=3,
        num_workers=2,
        multiprocessing_context=context,
        persistent_workers=False,
    )
    batches = list(loader)
    assert all(isinstance(b["compose"], torch.Tensor) for b in batches)
    return [{k: v.numpy() for k, v in b.items()} for b in batches]


def test_dataloader_with_forked_workers() -> None:
    _check_batches(_loader("fork"))
    from torch.utils.data import DataLoader

    widened = safeaug.Compose([A.Rotate(limit=10, p=1)], policy="chest_xray", audit=True)
    widened.transforms[0].limit = (-60, 60)  # changed after it was built: audit refuses it in the worker
    loader = DataLoader(XrayDataset({"compose": widened}), num_workers=1, multiprocessing_context="fork")  # type: ignore[arg-type]
    with pytest.raises(safeaug.PolicyViolationError, match=r"SA102.*Rotate\.limit changed"):
        list(loader)


@pytest.mark.slow  # starts worker processes
def test_dataloader_with_spawned_workers() -> None:
    _check_batches(_loader("spawn"))


def _item(args: tuple[XrayDataset, int]) -> dict[str, np.ndarray]:
    dataset, index = args
    return dataset[index]


def _build_refused(_: int) -> str:
    try:
        safeaug.Compose([A.HorizontalFlip(p=0.5)], policy="chest_xray")
    except safeaug.PolicyViolationError as exc:
        return ",".join(exc.report.codes())
    return "built"


def _call_widened(pipeline: safeaug.Compose) -> str:
    pipeline.transforms[0].limit = (-60, 60)  # a curriculum step in the worker
    try:
        pipeline(image=_radiograph(0))
    except safeaug.PolicyViolationError as exc:
        return ",".join(f.code for f in exc.report.errors)
    return "ran"


@pytest.mark.slow  # starts worker processes
def test_spawned_pool_without_torch() -> None:
    """Needs no torch (albumentations imports it when it is installed, so its absence is not asserted)."""
    dataset = XrayDataset(_pipelines())
    audited = safeaug.Compose([A.Rotate(limit=10, p=1)], policy="chest_xray", audit=True)
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        rows = pool.map(_item, [(dataset, i) for i in range(ITEMS)])
        assert pool.map(_build_refused, [0]) == ["SA101"]  # a refused pipeline cannot be built in a worker
        assert pool.map(_call_widened, [audited]) == ["SA102"]  # nor run there once changed (audit)
    _check_batches([{k: np.stack([r[k] for r in rows]) for k in rows[0]}])


def test_audit_errors_cross_process_boundaries() -> None:
    audited = safeaug.Compose([A.Rotate(limit=10, p=1)], policy="chest_xray", audit=True)
    audited.transforms[0].limit = (-60, 60)
    with pytest.raises(AuditError) as info:
        audited(image=_radiograph(0))
    clone = pickle.loads(pickle.dumps(info.value))
    assert isinstance(clone, safeaug.PolicyViolationError) and clone.report.codes() == ["SA102"]
    from_text = AuditError(str(info.value))  # how torch re-raises a worker's error
    assert isinstance(from_text, safeaug.PolicyViolationError) and "SA102" in str(from_text)
