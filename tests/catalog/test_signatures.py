"""The one table of albumentations signatures is what the installed albumentations says, and what reads it agrees."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import albumentations as A
import pytest

from safeaug.catalog import defaults_for
from safeaug.catalog._signatures import (
    ALBUMENTATIONS_VERSION,
    BASES,
    DEFAULTS,
    OPAQUE,
    PARAMETERS,
    POSITIONAL,
    REQUIRED,
    SIGNATURES,
)

sys.path.insert(0, str(Path(__file__).parents[2] / "scripts"))
try:
    import generate_signatures
finally:
    sys.path.pop(0)


@pytest.fixture(scope="module")
def regenerated() -> dict[str, Any]:
    assert A.__version__ == ALBUMENTATIONS_VERSION, (
        f"the table is for albumentations {ALBUMENTATIONS_VERSION}, installed is {A.__version__}: "
        "run scripts/generate_signatures.py"
    )
    return generate_signatures.collect()


def test_the_table_is_what_the_installed_albumentations_says(regenerated: dict[str, Any]) -> None:
    assert sorted(regenerated) == sorted(SIGNATURES), "run scripts/generate_signatures.py"
    for name, (bases, positional, parameters) in regenerated.items():
        row = SIGNATURES[name]
        assert row.bases == bases, name
        assert row.positional == positional, name
        assert list(row.parameters.items()) == list(parameters.items()), name  # order counts: positions


def test_the_checked_in_text_is_what_the_script_writes(regenerated: dict[str, Any]) -> None:
    path = Path(__file__).parents[2] / "safeaug" / "catalog" / "_signatures.py"
    assert path.read_text() == generate_signatures.render(regenerated, A.__version__)


def test_the_views_are_read_from_the_one_table() -> None:
    assert set(DEFAULTS) == set(PARAMETERS) == set(POSITIONAL) == set(SIGNATURES)
    affine = SIGNATURES["Affine"]
    assert PARAMETERS["Affine"] == tuple(affine.parameters)
    assert POSITIONAL["Affine"] == PARAMETERS["Affine"][: affine.positional]
    assert DEFAULTS["Affine"]["rotate"] == 0.0 and "strict" not in DEFAULTS["Affine"]
    assert BASES["Rotate"][0] == "DualTransform"
    assert DEFAULTS["RandomCrop"]["height"] == REQUIRED
    # A default that is a function has a name but no value a reader can use.
    assert SIGNATURES["FDA"].parameters["read_fn"] == OPAQUE
    assert "read_fn" in PARAMETERS["FDA"] and "read_fn" not in DEFAULTS["FDA"]
    assert defaults_for("Rotate") is DEFAULTS["Rotate"]


def test_reading_the_table_never_imports_albumentations() -> None:
    import subprocess

    code = "import sys, safeaug.catalog._signatures; print('albumentations' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False"]
