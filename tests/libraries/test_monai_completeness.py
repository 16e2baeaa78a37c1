"""Every class monai.transforms exports is catalogued, known to leave the image alone, or unknown with a reason;
and the generated signature table matches the installed MONAI."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

import safeaug.catalog.monai  # noqa: F401  (registers the entries)
from safeaug.catalog import get_entry
from safeaug.effects import IDENTITY
from safeaug.libraries import canonical, library
from safeaug.libraries._monai_table import ALIASES, MONAI_VERSION, SIGNATURES
from safeaug.libraries.monai import BASES, COMPOSITIONS, IDENTITY_REASONS, UNKNOWN_REASONS

HAS_MONAI = importlib.util.find_spec("monai") is not None
needs_monai = pytest.mark.skipif(not HAS_MONAI, reason="MONAI is not installed")


@pytest.fixture(scope="module")
def installed() -> tuple[dict[str, type], dict[str, str]]:
    sys.path.insert(0, "scripts")
    try:
        import generate_monai_table
    finally:
        sys.path.remove("scripts")
    return generate_monai_table.exported()


@needs_monai
def test_the_table_is_for_the_installed_monai(installed: tuple[dict[str, type], dict[str, str]]) -> None:
    import monai

    assert monai.__version__ == MONAI_VERSION, "regenerate with scripts/generate_monai_table.py"
    classes, aliases = installed
    assert {f"monai.transforms.{n}" for n in classes} == set(SIGNATURES)
    assert aliases == ALIASES


@needs_monai
def test_the_signatures_match(installed: tuple[dict[str, type], dict[str, str]]) -> None:
    sys.path.insert(0, "scripts")
    try:
        import generate_monai_table
    finally:
        sys.path.remove("scripts")
    classes, _ = installed
    for name, cls in classes.items():
        assert generate_monai_table.signature(cls) == SIGNATURES[f"monai.transforms.{name}"], name


def test_every_class_is_catalogued_identity_or_unknown_with_a_reason() -> None:
    missing = []
    for name in SIGNATURES:
        if name in BASES:
            assert get_entry(name) is None, f"{name} is a base class and must lend no entry"
            continue
        if name in COMPOSITIONS:
            continue
        found = get_entry(name)
        if found is None:
            missing.append(name)
            continue
        if name in UNKNOWN_REASONS:
            assert found.unknown and found.summary == UNKNOWN_REASONS[name]
        elif name in IDENTITY_REASONS:
            assert found.summary == IDENTITY_REASONS[name]
        else:
            assert not found.unknown and found.summary, name
    assert missing == []


def test_every_entry_names_a_class_monai_exports() -> None:
    from safeaug.catalog._registry import _ENTRIES

    registered = {name for name in _ENTRIES if name.startswith("monai.")}
    assert registered - set(SIGNATURES) == set()


def test_the_reason_lists_do_not_overlap_the_entries() -> None:
    assert not set(IDENTITY_REASONS) & set(UNKNOWN_REASONS)
    assert all(reason.strip() for reason in [*IDENTITY_REASONS.values(), *UNKNOWN_REASONS.values()])
    for name in IDENTITY_REASONS:
        assert get_entry(name).envelope(None) == IDENTITY  # type: ignore[arg-type, union-attr]


def test_each_rand_transform_is_catalogued_or_unknown_with_a_reason() -> None:
    """The augmentations (Rand*) never pass as doing nothing."""
    rand = [n for n in SIGNATURES if n.rsplit(".", 1)[1].startswith("Rand") and n not in BASES]
    quiet = [n for n in rand if n in IDENTITY_REASONS]
    # nvtx markers only (they time the pipeline); every other Rand* is an entry or unknown
    assert all("Mark" in n or "Range" in n for n in quiet), quiet


def test_names_and_aliases_read_as_the_canonical_name() -> None:
    assert canonical("monai.transforms.RandFlipd") == "monai.transforms.RandFlipd"
    assert canonical("monai.transforms.RandFlipD") == "monai.transforms.RandFlipd"
    assert canonical("monai.transforms.RandFlipDict") == "monai.transforms.RandFlipd"
    assert canonical("monai.transforms.spatial.dictionary.RandFlipd") == "monai.transforms.RandFlipd"
    assert canonical("monai.transforms.spatial.array.RandFlip") == "monai.transforms.RandFlip"
    assert canonical("monai.transforms.NoSuchFlip") is None
    assert library("monai").probability_of["monai.transforms.Flipd"] is None
    assert "monai.transforms.RandFlipd" not in library("monai").probability_of


def test_describing_monai_imports_neither_monai_nor_torch() -> None:
    code = (
        "import sys, safeaug, safeaug.libraries.monai, safeaug.catalog.monai\n"
        "from safeaug.libraries import library\n"
        "library('monai')\n"
        "bad = [m for m in ('torch', 'monai') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
