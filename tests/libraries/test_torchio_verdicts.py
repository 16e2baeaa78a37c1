"""The same pipeline written in TorchIO and in albumentations gets the same verdict: validated as live objects,
and linted from a Hydra config and from Python source (which safeaug reads without importing TorchIO)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

tio = pytest.importorskip("torchio")
A = pytest.importorskip("albumentations")
cv2 = pytest.importorskip("cv2")

import safeaug  # noqa: E402

POLICIES = ("chest_xray", "ct", "ocr")


# A flip, a 30-degree turn and a reflecting border. TorchIO has no colour transforms: the hue shift of the
# four-library comparison cannot be written in TorchIO, so the albumentations twin leaves it out too.
def torchio_breaking() -> Any:
    return tio.Compose(
        [
            tio.RandomFlip(axes=0),
            tio.RandomAffine(scales=0, degrees=(0, 0, 30)),
            tio.Pad(padding=8, padding_mode="reflect"),
        ]
    )


def albumentations_breaking() -> Any:
    return A.Compose(
        [
            A.HorizontalFlip(p=0.5),
            A.Rotate(limit=30, border_mode=cv2.BORDER_CONSTANT, p=0.5),
            A.Pad(padding=8, border_mode=cv2.BORDER_REFLECT_101, p=1.0),
        ]
    )


def torchio_safe() -> Any:
    return tio.Compose(
        [
            tio.RandomAffine(scales=(0.95, 1.05), degrees=(0, 0, 5), isotropic=True),
            tio.RandomGamma(log_gamma=(-0.1, 0.1)),
            tio.RandomNoise(std=(0, 0.02)),
        ]
    )


BREAKING_YAML = """\
augment:
  _target_: torchio.Compose
  transforms:
    - _target_: torchio.transforms.RandomFlip
      axes: 0
    - _target_: torchio.RandomAffine
      scales: 0
      degrees: [0, 0, 30]
    - _target_: torchio.Pad
      padding: 8
      padding_mode: reflect
"""

SAFE_YAML = """\
augment:
  _target_: torchio.Compose
  transforms:
    - _target_: torchio.RandomAffine
      scales: [0.95, 1.05]
      degrees: [0, 0, 5]
      isotropic: true
    - _target_: torchio.RandomGamma
      log_gamma: [-0.1, 0.1]
    - _target_: torchio.RandomNoise
      std: [0, 0.02]
"""

BREAKING_PY = """\
import torchio as tio

train = tio.Compose([
    tio.RandomFlip(axes=0),
    tio.RandomAffine(scales=0, degrees=(0, 0, 30)),
    tio.Pad(padding=8, padding_mode="reflect"),
])
"""

SAFE_PY = """\
import torchio as tio

train = tio.Compose([
    tio.RandomAffine(scales=(0.95, 1.05), degrees=(0, 0, 5), isotropic=True),
    tio.RandomGamma(log_gamma=(-0.1, 0.1)),
    tio.RandomNoise(std=(0, 0.02)),
])
"""


def codes(report: Any) -> set[tuple[str, str]]:
    return {(f.code, f.severity) for f in report.findings}


def lint_codes(path: Path, policy: str) -> tuple[int, set[tuple[str, str]], list[str]]:
    """Lint one file in a fresh interpreter: exit status, codes, and the torch modules it loaded."""
    code = (
        "import contextlib, io, json, sys\n"
        "import safeaug.cli\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        f"    status = safeaug.cli.main(['lint', {str(path)!r}, '--policy', {policy!r}, '--format', 'json'])\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'torchio', 'monai', 'kornia'))\n"
        "print(json.dumps({'status': status, 'report': json.loads(out.getvalue()), 'loaded': loaded}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    found = {(f["code"], f["severity"]) for f in data["report"]["findings"]}
    return data["status"], found, data["loaded"]


@pytest.mark.parametrize("policy", POLICIES)
def test_the_breaking_pipeline_gets_the_codes_its_albumentations_twin_gets(policy: str) -> None:
    expected = codes(safeaug.validate(albumentations_breaking(), policy))
    assert ("SA101", "error") in expected and ("SA102", "error") in expected
    report = safeaug.validate(torchio_breaking(), policy)
    assert codes(report) == expected
    assert not report.ok
    flagged = {f.transform for f in report.findings if f.code == "SA101"}
    assert flagged == {"torchio.RandomFlip"}


@pytest.mark.parametrize("policy", POLICIES)
def test_the_safe_pipeline_is_admitted(policy: str) -> None:
    report = safeaug.validate(torchio_safe(), policy)
    assert report.ok, [f.message for f in report.findings]
    safeaug.check(torchio_safe(), policy)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "breaking", "safe"), [("train.yaml", BREAKING_YAML, SAFE_YAML), ("train.py", BREAKING_PY, SAFE_PY)]
)
def test_lint_reads_torchio_configs_alike_and_loads_no_torch(
    tmp_path: Path, name: str, breaking: str, safe: str
) -> None:
    bad, good = tmp_path / "bad", tmp_path / "good"
    bad.mkdir()
    good.mkdir()
    (bad / name).write_text(breaking)
    (good / name).write_text(safe)
    for policy in POLICIES:
        expected = codes(safeaug.validate(albumentations_breaking(), policy))
        status, found, loaded = lint_codes(bad / name, policy)
        assert (status, found, loaded) == (1, expected, []), policy
        status, found, loaded = lint_codes(good / name, policy)
        assert (status, found, loaded) == (0, set(), []), policy


def test_a_shift_in_mm_is_reported_as_needing_the_spacing() -> None:
    report = safeaug.validate(tio.Compose([tio.RandomAffine(scales=0, degrees=0, translation=(0, 0, 5))]), "chest_xray")
    shifts = [f for f in report.findings if f.code == "SA407" and "mm" in f.message]
    assert shifts and all(f.severity == "warning" for f in shifts), [f.message for f in report.findings]
    assert "voxel spacing" in shifts[0].message


def test_a_flip_that_never_runs_and_a_one_of_child_never_drawn_are_admitted() -> None:
    assert safeaug.validate(tio.Compose([tio.RandomFlip(p=0.0)]), "chest_xray").ok
    assert safeaug.validate(tio.RandomFlip(flip_probability=0.0), "chest_xray").ok
    one = tio.OneOf({tio.RandomFlip(): 0.0, tio.RandomGamma(log_gamma=0.05): 1.0})
    assert safeaug.validate(one, "chest_xray").ok
    assert not safeaug.validate(tio.OneOf([tio.RandomFlip(), tio.RandomGamma(log_gamma=0.05)]), "chest_xray").ok


def test_an_unknown_torchio_transform_fails_closed() -> None:
    report = safeaug.validate(tio.Compose([tio.Lambda(lambda x: x)]), "chest_xray")
    assert not report.ok
    assert "SA401" in {f.code for f in report.findings}


EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "torchio"


def test_the_ct_example_configs_are_refused_and_admitted_as_they_say() -> None:
    status, found, loaded = lint_codes(EXAMPLES / "ct_bad.yaml", "ct")
    assert status == 1 and {"SA101", "SA102"} <= {code for code, _ in found} and loaded == []
    status, found, loaded = lint_codes(EXAMPLES / "ct_good.yaml", "ct")
    assert (status, found, loaded) == (0, set(), [])


@pytest.mark.slow
def test_the_ct_training_example_refuses_the_tutorial_pipeline_and_trains_with_the_fix() -> None:
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "ct_training.py")], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "tutorial pipeline admitted: False" in done.stdout
    assert "SA101" in done.stdout and "torchio.RandomFlip" in done.stdout
    assert "fixed pipeline admitted" in done.stdout and "augmented slice: (1, 64, 64, 1)" in done.stdout


def test_a_wrapped_torchio_pipeline_runs_on_subjects_unchanged() -> None:
    torch = pytest.importorskip("torch")
    pipeline = torchio_safe()
    wrapped = safeaug.wrap(pipeline, "chest_xray")
    image = tio.ScalarImage(tensor=torch.rand(1, 32, 32, 1))
    torch.manual_seed(0)
    out = wrapped(tio.Subject(image=image))
    assert out["image"].data.shape == (1, 32, 32, 1)
    with pytest.raises(safeaug.PolicyViolationError) as refused:
        safeaug.wrap(torchio_breaking(), "chest_xray")
    assert {"SA101", "SA102"} <= {f.code for f in refused.value.report.findings}
