"""Adversarial pipelines for resolution, the input size and degenerate values, judged against pixels.

Each test builds what an adversarial (or careless) user would write, measures on pixels what it really
does, and checks the verdict against that truth:

* resolution lost through fixed-size resizes: the share of the frequencies of a noise image an output
  keeps, against the same image resized straight to the output size;
* effects in pixels on an input of known size: a coordinate map sent through the pipeline as a mask tells
  which input pixels each output pixel came from (share kept, shift);
* degenerate values: NaN or a single value in every pixel.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import albumentations as A
import cv2
import numpy as np
import pytest

import safeaug
from safeaug.cli import main

_RNG = np.random.default_rng(11)


def noise(height: int, width: int, detail: int = 4) -> np.ndarray:
    """Noise with detail down to ``detail`` px (band-limited, so that resizing it to a quarter does not alias)."""
    coarse = (_RNG.random((height // detail, width // detail, 3)) * 255).astype(np.float32)
    fine = cv2.resize(coarse, (width, height), interpolation=cv2.INTER_CUBIC)
    return np.clip(fine, 0, 255).astype(np.uint8)


def run(transforms: list[Any], image: np.ndarray, seed: int = 0, **targets: Any) -> dict[str, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return A.Compose(transforms, seed=seed)(image=image, **targets)  # type: ignore[no-any-return]


def kept_frequencies(output: np.ndarray, source: np.ndarray, region: tuple[slice, slice] | None = None) -> float:
    """The share of the frequencies (up to Nyquist) of ``source`` (or its ``region``) resized straight to the
    output's size that ``output`` keeps: 1 for no loss, about 1/16 for a 16x down-and-up sampling.

    Power spectra in 2D, output over reference. Along each axis, the frequencies that lie mostly along it
    are binned by their frequency on it (as a fraction of Nyquist); the first bin holding less than half
    the reference's power ends what is kept. Up-sampling leaks some power above the small image's Nyquist,
    so a chain reads a little more than it keeps; the worse axis counts.
    """
    part = source if region is None else source[region]
    reference = cv2.resize(part, (output.shape[1], output.shape[0]), interpolation=cv2.INTER_AREA)
    out = output.astype(np.float64).mean(axis=2)
    ref = reference.astype(np.float64).mean(axis=2)
    p_out = np.abs(np.fft.fft2(out - out.mean())) ** 2
    p_ref = np.abs(np.fft.fft2(ref - ref.mean())) ** 2
    h, w = out.shape
    fy = np.broadcast_to(np.abs(np.fft.fftfreq(h))[:, None] * 2, (h, w))
    fx = np.broadcast_to(np.abs(np.fft.fftfreq(w))[None, :] * 2, (h, w))
    kept = 1.0
    for along, across, side in ((fy, fx, h), (fx, fy, w)):
        bins = max(8, side // 4)
        index = np.minimum((along * bins).astype(int), bins - 1)
        mostly = along >= across
        for b in range(1, bins):
            inside = mostly & (index == b)
            if p_out[inside].sum() < 0.5 * p_ref[inside].sum():
                kept = min(kept, b / bins)
                break
    return kept


# --------------------------------------------------------------------------- resolution through resizes


def test_a_resize_down_and_up_loses_what_the_equivalent_downscale_loses_and_both_are_refused() -> None:
    source = noise(1024, 1024)
    chain = [A.Resize(16, 16), A.Resize(256, 256)]
    downscale = [A.Resize(256, 256), A.Downscale(scale_range=(1 / 16, 1 / 16), p=1)]
    plain = kept_frequencies(run([A.Resize(256, 256)], source)["image"], source)
    through_chain = kept_frequencies(run(chain, source)["image"], source)
    through_downscale = kept_frequencies(run(downscale, source)["image"], source)
    # the truth: a plain resize keeps everything; the chain and the Downscale keep about a sixteenth
    # (up-sampling leaks a little power above the 16 px image's Nyquist, so both read up to an eighth)
    assert plain == 1.0
    assert through_chain < 0.15 and through_downscale < 0.15
    for pipeline in (chain, downscale):
        report = safeaug.validate(A.Compose(pipeline), "chest_xray")
        assert "SA302" in report.codes() and not report.ok
        assert report.envelope.resolution <= through_chain  # the static bound does not claim more than is kept
    assert safeaug.validate(A.Compose(chain), "chest_xray").envelope.resolution == pytest.approx(1 / 16)


# The instrument reads a linear up-sampling's attenuation as a little loss and its leaks as a little
# detail: within a factor of 2 of the true share, always far apart for chest_xray's bound of 0.5.
@pytest.mark.parametrize(
    ("chain", "floor"),
    [
        ([A.Resize(64, 64), A.Resize(256, 256)], 0.25),  # 4x down and up: chest_xray's 0.5 refuses it
        ([A.LongestMaxSize(max_size=96), A.LongestMaxSize(max_size=256)], 96 / 256),
        # a crop of a shrunk image zoomed back in: on inputs of 1024 px, 4x less detail than a crop of the input
        ([A.Resize(256, 256), A.CenterCrop(64, 64), A.Resize(256, 256)], 0.25),
        ([A.Resize(256, 256), A.Resize(128, 128)], 1.0),  # shrinking only: scale, not lost detail
        ([A.SmallestMaxSize(max_size=64), A.CenterCrop(64, 64), A.Resize(256, 256)], 0.25),
        ([A.Resize(224, 224), A.Resize(256, 256)], 224 / 256),  # a small loss chest_xray admits
    ],
    ids=["resize-4x", "longest-max-size", "crop-then-resize", "shrink-only", "smallest-max-size", "mild"],
)
def test_the_resolution_a_chain_keeps_is_the_one_measured(chain: list[Any], floor: float) -> None:
    source = noise(1024, 1024)
    # the centre crop of the 256 px image is the centre 256 px of the input
    cropped = isinstance(chain[0], A.Resize) and isinstance(chain[1], A.CenterCrop)
    region = (slice(384, 640), slice(384, 640)) if cropped else None
    measured = kept_frequencies(run(chain, source)["image"], source, region)
    report = safeaug.validate(A.Compose(chain), "chest_xray")
    assert report.envelope.resolution == pytest.approx(floor, rel=1e-6)
    assert floor / 2 <= measured <= max(floor * 2, 1.0 if floor == 1.0 else 0.0) + 1e-9
    refused = "SA302" in report.codes()
    assert refused == (floor < 0.5)
    assert refused == (measured < 0.45)  # refused exactly where the loss is real


def test_a_chain_whose_loss_depends_on_the_aspect_is_warned_without_an_input_size_and_refused_with_it() -> None:
    # LongestMaxSize keeps the aspect: the short side of a 1:4 film goes through 32 px before Resize
    # spreads it over 256. Square inputs keep half (chest_xray's bound), 1:4 ones an eighth.
    chain = [A.LongestMaxSize(max_size=128), A.Resize(256, 256)]
    wide = noise(512, 2048)
    measured = kept_frequencies(run(chain, wide)["image"], wide)
    assert measured < 0.25  # an eighth, read within the instrument's factor of 2
    without = safeaug.validate(A.Compose(chain), "chest_xray")
    assert without.ok and "SA407" in without.codes()
    warning = next(f for f in without.findings if f.code == "SA407")
    assert "aspect" in warning.message
    with_size = safeaug.validate(A.Compose(chain), "chest_xray", input_size=(512, 2048))
    assert not with_size.ok and "SA302" in with_size.codes()
    assert with_size.envelope.resolution == pytest.approx(1 / 8)
    assert safeaug.validate(A.Compose(chain), "chest_xray", input_size=(512, 512)).ok


# --------------------------------------------------------------------------- the input size


def coordinates(height: int, width: int) -> np.ndarray:
    """Each pixel's index + 1 (0 is border fill), as an int32 mask."""
    return (np.arange(height * width, dtype=np.int32) + 1).reshape(height, width)


def kept_share_and_shift(transforms: list[Any], height: int, width: int, seeds: int = 16) -> tuple[float, float]:
    """The smallest share of the input kept in frame and the largest shift (of the side), over ``seeds`` runs."""
    image = noise(height, width)
    kept, shift = 1.0, 0.0
    for seed in range(seeds):
        out = run(transforms, image, seed=seed, mask=coordinates(height, width))["mask"]
        sources = out[out > 0] - 1
        kept = min(kept, np.unique(sources).size / (height * width))
        ys, xs = np.divmod(sources, width)
        oy, ox = np.nonzero(out > 0)
        shift = max(shift, abs(float(np.median(xs - ox))) / width, abs(float(np.median(ys - oy))) / height)
    return kept, shift


def test_a_crop_in_pixels_is_exact_with_the_input_size_and_a_warning_without() -> None:
    small, _ = kept_share_and_shift([A.RandomCrop(160, 160)], 256, 256)
    large, _ = kept_share_and_shift([A.RandomCrop(250, 250)], 256, 256)
    assert small == pytest.approx((160 / 256) ** 2, abs=1e-3)  # below chest_xray's 45%
    assert large == pytest.approx((250 / 256) ** 2, abs=1e-3)  # above it
    for size, ok in ((160, False), (250, True)):
        pipeline = A.Compose([A.RandomCrop(size, size)])
        without = safeaug.validate(pipeline, "chest_xray")
        assert without.ok and "SA407" in without.codes()  # as before: the share depends on the input
        exact = safeaug.validate(pipeline, "chest_xray", input_size=(256, 256))
        assert exact.ok is ok and "SA407" not in exact.codes()
        assert ("SA108" in exact.codes()) is not ok
        assert all(f.input_size == (256, 256) for f in exact.findings)
    # after a resize to a fixed size the frame is known without an input size
    resized = safeaug.validate(A.Compose([A.Resize(256, 256), A.RandomCrop(160, 160)]), "chest_xray")
    assert "SA108" in resized.codes() and "SA407" not in resized.codes()
    # a resize that may be skipped leaves the input's own (unknown) size on one path: still a warning
    skipped = safeaug.validate(A.Compose([A.Resize(256, 256, p=0.5), A.RandomCrop(160, 160)]), "chest_xray")
    assert skipped.codes() == ["SA407"]
    # either branch of a OneOf: the larger frame loses more
    either = A.Compose([A.OneOf([A.Resize(256, 256), A.Resize(512, 512)], p=1), A.RandomCrop(240, 240)])
    assert kept_share_and_shift([A.Resize(512, 512), A.RandomCrop(240, 240)], 600, 600, seeds=2)[0] < 0.85 * 0.4
    assert "SA108" in safeaug.validate(either, "chest_xray").codes()


def test_a_shift_in_pixels_is_exact_with_the_input_size() -> None:
    transform = A.Affine(translate_px=(-40, 40), p=1)
    _, shift = kept_share_and_shift([transform], 256, 256, seeds=24)
    assert shift > 0.1  # chest_xray's bound: 40 px is 16% of 256
    assert "SA407" in safeaug.validate(A.Compose([transform]), "chest_xray").codes()
    exact = safeaug.validate(A.Compose([transform]), "chest_xray", input_size=(256, 256))
    assert "SA105" in exact.codes() or "SA104" in exact.codes()
    assert not exact.ok
    large = safeaug.validate(A.Compose([transform]), "chest_xray", input_size=(2048, 2048))
    assert large.ok and "SA407" not in large.codes()  # 40 px of 2048 is 2%


def measured_shear(transforms: list[Any], height: int, width: int) -> float:
    """Degrees by which the pipeline's linear map bends a right angle, from coordinate maps sent as masks."""
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    out = run(transforms, noise(height, width), masks=[xs + 1, ys + 1])["masks"]
    src_x, src_y = (np.asarray(m, dtype=np.float64) for m in out)
    inside = (src_x > 0) & (src_y > 0)
    oy, ox = np.nonzero(inside)
    design = np.column_stack([ox, oy, np.ones_like(ox)]).astype(np.float64)
    coef_x = np.linalg.lstsq(design, src_x[inside], rcond=None)[0]
    coef_y = np.linalg.lstsq(design, src_y[inside], rcond=None)[0]
    forward = np.linalg.inv(np.array([[coef_x[0], coef_x[1]], [coef_y[0], coef_y[1]]]))
    a, b = forward[:, 0], forward[:, 1]
    cos = abs(float(a @ b)) / float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(np.degrees(np.arcsin(min(1.0, cos))))


def test_a_resize_after_a_turn_shears_by_the_input_aspect_and_is_exact_with_the_input_size() -> None:
    pipeline = [A.Rotate(limit=(15, 15), p=1), A.Resize(256, 256)]
    square, wide = measured_shear(pipeline, 256, 256), measured_shear(pipeline, 256, 512)
    assert square < 1.0 and wide > 10.0  # the truth: a 2:1 film squeezed square after a 15° turn shears
    assert "SA407" in safeaug.validate(A.Compose(pipeline), "chest_xray").codes()
    exact = safeaug.validate(A.Compose(pipeline), "chest_xray", input_size=(256, 512))
    assert "SA105" in exact.codes() and "SA407" not in exact.codes()
    assert exact.envelope.shear >= wide - 1.5
    assert safeaug.validate(A.Compose(pipeline), "chest_xray", input_size=(256, 256)).ok


def test_a_pad_in_pixels_before_a_cut_out_is_exact_with_the_input_size() -> None:
    pipeline = [
        A.Pad(padding=64),
        A.CoarseDropout(num_holes_range=(1, 1), hole_height_range=(0.3, 0.3), hole_width_range=(0.3, 0.3), p=1),
    ]
    # the truth: a hole of 0.3 x 0.3 of the 256 px padded frame can lie wholly on the 128 px content
    hole = 0.3 * 256
    assert (hole * hole) / (128 * 128) == pytest.approx(0.36)
    small = safeaug.validate(A.Compose(pipeline), "chest_xray", input_size=(128, 128))
    assert small.envelope.occlusion == pytest.approx(0.36) and "SA407" not in small.codes()
    assert "SA403" in small.codes()
    assert "SA407" in safeaug.validate(A.Compose(pipeline), "chest_xray").codes()


def test_the_input_size_reaches_every_entry_point(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pipeline = [A.RandomCrop(160, 160)]
    with pytest.raises(safeaug.PolicyViolationError):
        safeaug.check(A.Compose(pipeline), "chest_xray", input_size=(256, 256))
    with pytest.raises(safeaug.PolicyViolationError):
        safeaug.Compose(pipeline, policy="chest_xray", input_size=(256, 256))
    with pytest.raises(safeaug.PolicyViolationError):
        safeaug.ReplayCompose(pipeline, policy="chest_xray", input_size=(256, 256))
    with pytest.raises(safeaug.PolicyViolationError):
        safeaug.wrap(A.Compose(pipeline), "chest_xray", input_size=(256, 256))
    kept = safeaug.Compose([A.RandomCrop(250, 250)], policy="chest_xray", input_size=(256, 256))
    saved = A.to_dict(kept)
    assert saved["transform"]["input_size"] == [256, 256]
    assert safeaug.Compose.from_dict(saved).input_size == (256, 256)
    with pytest.raises(safeaug.ConfigError, match="input_size"):
        safeaug.validate(A.Compose(pipeline), "chest_xray", input_size=(256, 0))

    config = tmp_path / "configs" / "train.yaml"
    config.parent.mkdir()
    config.write_text(
        "transform:\n  __class_fullname__: Compose\n  transforms:\n"
        "    - {__class_fullname__: RandomCrop, height: 160, width: 160, p: 1.0}\n"
    )
    assert main(["lint", str(config), "--policy", "chest_xray", "--format", "json"]) == 0  # a warning
    assert [f["input_size"] for f in json.loads(capsys.readouterr().out)["findings"]] == [None]
    assert main(["lint", str(config), "--policy", "chest_xray", "--format", "json", "--input-size", "256x256"]) == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert [(f["code"], f["input_size"]) for f in findings] == [("SA108", [256, 256])]
    (tmp_path / "pyproject.toml").write_text(
        '[tool.safeaug]\npolicy = "chest_xray"\ninput-size = [2048, 2048]\n\n'
        '[tool.safeaug.per-path-input-sizes]\n"configs/**" = [256, 256]\n'
    )
    capsys.readouterr()
    assert main(["lint", str(config), "--format", "sarif", "--config", str(tmp_path / "pyproject.toml")]) == 1
    sarif = json.loads(capsys.readouterr().out)
    results = sarif["runs"][0]["results"]
    assert results and all(r["properties"]["inputSize"] == [256, 256] for r in results)
    assert main(["lint", str(config), "--input-size", "20x", "--policy", "chest_xray"]) == 2


# --------------------------------------------------------------------------- degenerate values


def test_blurs_with_a_zero_sigma_whiten_the_image_and_are_refused_under_every_policy() -> None:
    image = noise(64, 64) // 2 + 40
    # a config saved by albumentations 1.x: sigma_limit 0 meant "from the kernel size"
    saved = {
        "__version__": "1.4.24",
        "transform": {
            "__class_fullname__": "Compose",
            "transforms": [{"__class_fullname__": "GaussianBlur", "blur_limit": [3, 7], "sigma_limit": [0, 0]}],
        },
    }
    whitened = run([A.GaussianBlur(blur_limit=(3, 7), sigma_limit=0, p=1)], image)["image"]
    assert (whitened == 255).all()
    advanced = A.AdvancedBlur(sigma_x_limit=(0.2, 0.2), sigma_y_limit=(0, 0), rotate_limit=(-90, 90), p=1)
    outputs = []
    for seed in range(8):
        try:
            outputs.append(run([advanced], image, seed=seed)["image"])
        except Exception:
            continue
    assert any((out == 255).all() for out in outputs)
    for policy in safeaug.list_policies():
        for pipeline in (saved, A.Compose([advanced])):
            report = safeaug.validate(pipeline, policy)
            assert "SA410" in report.codes() and not report.ok, policy
    message = next(f for f in safeaug.validate(saved, "natural").findings if f.code == "SA410").message
    assert "1.x" in message and "white" in message
