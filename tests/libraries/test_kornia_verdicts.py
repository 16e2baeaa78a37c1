"""One verdict for Kornia and albumentations: the same pipeline written in each gets the same codes.

The label-breaking pipeline is a flip, a 30-degree turn, a hue shift and a shift that fills its border by
reflection; the safe one a small affine jitter and a brightness/contrast change. Kornia's is judged as a live
``AugmentationSequential``, as a Hydra config (``_target_``/``_args_``) and as Python source; the linter reads
the last two without loading torch or Kornia.
"""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("kornia")

import albumentations as A
import kornia.augmentation as K
import torch

import safeaug
import safeaug.cli

torch.set_num_threads(1)
POLICIES = ("chest_xray", "ct", "ocr")
REFLECT_101 = 4  # cv2.BORDER_REFLECT_101


def albumentations_bad() -> A.Compose:
    return A.Compose(
        [
            A.HorizontalFlip(p=0.5),
            A.Rotate(limit=30, border_mode=0, p=0.5),
            A.ColorJitter(brightness=0, contrast=0, saturation=0, hue=0.1, p=0.5),
            A.Affine(translate_percent=(-0.05, 0.05), border_mode=REFLECT_101, p=0.5),
        ]
    )


def kornia_bad() -> K.AugmentationSequential:
    return K.AugmentationSequential(
        K.RandomHorizontalFlip(p=0.5),
        K.RandomRotation(degrees=30, p=0.5),
        K.ColorJitter(hue=0.1, p=0.5),
        K.RandomTranslate(translate_x=(-0.05, 0.05), translate_y=(-0.05, 0.05), padding_mode="reflection", p=0.5),
        data_keys=["input", "mask"],
    )


def albumentations_safe() -> A.Compose:
    return A.Compose(
        [
            A.Affine(rotate=(-5, 5), scale=(0.95, 1.05), p=0.5),
            A.RandomBrightnessContrast(brightness_limit=0.1, contrast_limit=0.1, p=0.5),
        ]
    )


def kornia_safe() -> K.AugmentationSequential:
    return K.AugmentationSequential(
        K.RandomAffine(degrees=5, scale=(0.95, 1.05), p=0.5),
        K.RandomBrightness(brightness=(0.9, 1.1), p=0.5),
        K.RandomContrast(contrast=(0.9, 1.1), p=0.5),
    )


HYDRA_BAD = """\
defaults: []
augmentation:
  _target_: kornia.augmentation.AugmentationSequential
  _args_:
    - _target_: kornia.augmentation.RandomHorizontalFlip
      p: 0.5
    - _target_: kornia.augmentation.RandomRotation
      degrees: 30
      p: 0.5
    - _target_: kornia.augmentation.ColorJitter
      hue: 0.1
      p: 0.5
    - _target_: kornia.augmentation.RandomTranslate
      translate_x: [-0.05, 0.05]
      translate_y: [-0.05, 0.05]
      padding_mode: reflection
      p: 0.5
  data_keys: [input, mask]
"""

HYDRA_SAFE = """\
augmentation:
  _target_: kornia.augmentation.AugmentationSequential
  _args_:
    - _target_: kornia.augmentation.RandomAffine
      degrees: 5
      scale: [0.95, 1.05]
      p: 0.5
    - _target_: kornia.augmentation.RandomBrightness
      brightness: [0.9, 1.1]
      p: 0.5
    - _target_: kornia.augmentation.RandomContrast
      contrast: [0.9, 1.1]
      p: 0.5
"""

PYTHON_BAD = """\
import kornia.augmentation as K

augment = K.AugmentationSequential(
    K.RandomHorizontalFlip(p=0.5),
    K.RandomRotation(30, p=0.5),
    K.ColorJitter(hue=0.1, p=0.5),
    K.RandomTranslate((-0.05, 0.05), (-0.05, 0.05), padding_mode="reflection", p=0.5),
    data_keys=["input", "mask"],
)
"""

PYTHON_SAFE = """\
from kornia.augmentation import AugmentationSequential, RandomAffine, RandomBrightness, RandomContrast

augment = AugmentationSequential(
    RandomAffine(5, scale=(0.95, 1.05), p=0.5),
    RandomBrightness((0.9, 1.1), p=0.5),
    RandomContrast((0.9, 1.1), p=0.5),
)
"""


def codes(report: safeaug.Report) -> list[str]:
    return sorted({f.code for f in report.findings if f.severity == "error"})


@pytest.mark.parametrize("policy", POLICIES)
def test_the_label_breaking_pipeline_gets_the_same_codes_as_in_albumentations(policy: str) -> None:
    expected = codes(safeaug.validate(albumentations_bad(), policy))
    assert {"SA101", "SA102"} <= set(expected)  # the flip and the turn are refused everywhere
    live = safeaug.validate(kornia_bad(), policy)
    assert codes(live) == expected
    # finding by finding: the same transform position gets the same code
    by_place = {(f.location, f.code) for f in live.findings}
    assert by_place == {(f.location, f.code) for f in safeaug.validate(albumentations_bad(), policy).findings}


@pytest.mark.parametrize("policy", POLICIES)
def test_the_safe_pipeline_is_admitted_as_in_albumentations(policy: str) -> None:
    assert safeaug.validate(albumentations_safe(), policy).ok
    report = safeaug.validate(kornia_safe(), policy)
    assert report.ok, [f.message for f in report.findings]
    safeaug.check(kornia_safe(), policy)


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize(
    ("name", "bad", "safe"), [("train.yaml", HYDRA_BAD, HYDRA_SAFE), ("augment.py", PYTHON_BAD, PYTHON_SAFE)]
)
def test_a_config_or_source_file_gets_the_same_codes(
    tmp_path: Path, policy: str, name: str, bad: str, safe: str
) -> None:
    expected = codes(safeaug.validate(albumentations_bad(), policy))
    (tmp_path / "bad").mkdir()
    (tmp_path / "safe").mkdir()
    bad_file, safe_file = tmp_path / "bad" / name, tmp_path / "safe" / name
    bad_file.write_text(bad)
    safe_file.write_text(safe)
    assert codes(safeaug.validate(bad_file, policy)) == expected
    assert safeaug.validate(safe_file, policy).ok
    with contextlib.redirect_stdout(io.StringIO()) as out:
        status = safeaug.cli.main(["lint", str(bad_file), str(safe_file), "--policy", policy, "--format", "json"])
    assert status == 1
    found = json.loads(out.getvalue())["findings"]
    assert sorted({f["code"] for f in found if f["severity"] == "error"}) == expected
    assert {f["path"] for f in found} == {str(bad_file)}
    assert all(f["line"] for f in found)  # each finding points at the line that builds the transform


def test_a_fix_hint_speaks_kornias_argument_names() -> None:
    report = safeaug.validate(K.AugmentationSequential(K.RandomRotation(degrees=40, p=0.5)), "chest_xray")
    (turn,) = [f for f in report.findings if f.code == "SA102"]
    assert "degrees=" in turn.fix and "RandomRotation" in turn.fix


def test_random_apply_with_replacement_is_judged_as_the_member_drawn_every_time() -> None:
    # Kornia draws 5 of 2 members with replacement: a 10-degree turn may run five times.
    seq = K.ImageSequential(K.RandomRotation(10.0, p=1.0), K.RandomGrayscale(p=1.0), random_apply=5)
    assert safeaug.validate(seq, "natural").envelope.rotation == pytest.approx(50.0)
    once = K.ImageSequential(K.RandomRotation(10.0, p=1.0), K.RandomGrayscale(p=1.0), random_apply=1)
    assert safeaug.validate(once, "natural").envelope.rotation == pytest.approx(10.0)


@pytest.mark.parametrize("dispatcher", [K.ManyToOneAugmentationDispather, K.ManyToManyAugmentationDispather])
def test_a_dispatcher_is_judged_by_every_pipeline_it_dispatches(dispatcher: type) -> None:
    d = dispatcher(K.AugmentationSequential(K.RandomRotation(5.0)), K.AugmentationSequential(K.RandomHorizontalFlip()))
    report = safeaug.validate(d, "chest_xray")
    assert codes(report) == ["SA101"]
    assert report.envelope.rotation == pytest.approx(5.0) and report.envelope.mirror


def test_a_member_switched_off_stays_off_and_an_unknown_member_fails_closed() -> None:
    off = K.AugmentationSequential(K.RandomHorizontalFlip(p=0.0), K.RandomRotation(5.0))
    assert safeaug.validate(off, "chest_xray").ok
    opaque = K.AugmentationSequential(K.RandomRotation(5.0), torch.nn.Identity())
    report = safeaug.validate(opaque, "chest_xray")
    assert not report.ok
    patchwise = K.PatchSequential(*[K.RandomRotation(5.0) for _ in range(4)], grid_size=(2, 2))
    assert not safeaug.validate(patchwise, "natural").ok  # per-patch turns: unknown, refused


def test_a_subclass_that_changes_what_a_flip_does_is_not_trusted() -> None:
    class Sneaky(K.RandomRotation):  # type: ignore[misc]
        def apply_transform(self, input, params, flags, transform=None):  # type: ignore[no-untyped-def]
            return input.flip(-1)

    assert not safeaug.validate(K.AugmentationSequential(Sneaky(5.0)), "chest_xray").ok


def test_linting_a_kornia_config_and_source_loads_neither_torch_nor_kornia(tmp_path: Path) -> None:
    (tmp_path / "train.yaml").write_text(HYDRA_BAD)
    (tmp_path / "augment.py").write_text(PYTHON_BAD)
    code = (
        "import contextlib, io, sys\n"
        "import safeaug, safeaug.cli\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        f"    status = safeaug.cli.main(['lint', {str(tmp_path)!r}, '--policy', 'chest_xray'])\n"
        "assert status == 1, out.getvalue()\n"
        "assert 'SA101' in out.getvalue() and 'RandomHorizontalFlip' in out.getvalue(), out.getvalue()\n"
        "print(' '.join(m for m in ('torch', 'kornia') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == []


EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "kornia"


def test_the_gpu_example_is_refused_for_its_flip_then_accepted_and_trains() -> None:
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "gpu_chest_xray.py")], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "first try: refused" in done.stdout
    assert "SA101 kornia.augmentation.RandomHorizontalFlip" in done.stdout
    assert "fixed: accepted by 'chest_xray'" in done.stdout and "step 1: batch (4, 3, 64, 64)" in done.stdout


def test_the_example_configs_get_their_documented_verdicts() -> None:
    assert safeaug.validate(EXAMPLES / "train.yaml", "chest_xray").ok
    source = safeaug.validate(EXAMPLES / "augment.py", "ocr")
    assert codes(source) == ["SA101", "SA102"]
    assert source.envelope.rotation == pytest.approx(30.0)  # three draws of a 10-degree turn
