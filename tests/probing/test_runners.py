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
