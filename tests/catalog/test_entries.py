"""One harness over every catalog entry, whoever registered it: its registration, its knobs, and its family's
contract at its defaults and at the extremes of its arguments."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import albumentations as A
import pytest
from hypothesis import given
from hypothesis import strategies as st

from safeaug import strategies as sst
from safeaug.catalog import (
    CONTRACTS,
    Entry,
    Params,
    _registry,
    add_defaults,
    contract_breaches,
    defaults_for,
    entry,
    get_entry,
    known_names,
    register_transform,
    resolve,
    unregister_transform,
)
from safeaug.catalog._signatures import BASES, DEFAULTS, REQUIRED
from safeaug.catalog.label_aware import NAMES as LABEL_AWARE
from safeaug.effects import GROUPS, Envelope
from safeaug.errors import ConfigError
from safeaug.ir import Node
from safeaug.rules import EFFECT_RULES

warnings.filterwarnings("ignore", module="albumentations")

ENTRIES = sorted(known_names())
# A knob is looked up by the name of the rule it helps to meet (``destroys``: the degenerate argument, SA410).
EFFECT_NAMES = {r.name for r in EFFECT_RULES} | {"destroys"}


def _envelope(name: str, given: dict[str, Any]) -> Envelope:
    found = get_entry(name)
    assert found is not None, name
    return found.envelope(Params(name, given, defaults_for(name)))


def _extremes(name: str) -> Iterator[dict[str, Any]]:
    """Arguments at the edges of the ranges albumentations accepts (``safeaug.strategies.SPECS``): every range
    at its widest, every number at its top and then at its bottom, each choice tried once."""
    spec = sst.SPECS.get(name)
    if spec is None:
        return
    widest: dict[str, Any] = {}
    choices: list[tuple[str, tuple[Any, ...]]] = []
    for key, s in spec.items():
        if isinstance(s, sst.Num):
            widest[key] = s.hi
        elif isinstance(s, sst.Pair):
            widest[key] = (s.lo, s.hi)
        elif isinstance(s, sst.Choice):
            widest[key] = s.options[0]
            choices.append((key, s.options))
        else:
            widest[key] = s.calm
    lowest = {k: (s.lo if isinstance(s, sst.Num) else widest[k]) for k, s in spec.items()}
    unpack = sst._UNPACK.get(name, dict)
    yield unpack(dict(widest))
    yield unpack(dict(lowest))
    for key, options in choices:
        for option in options[1:]:
            yield unpack({**widest, key: option})


def resolve_by_name(name: str) -> Entry:
    """The entry for an albumentations class, inherited through its bases as the validator does."""
    found = resolve(Node(name, {}, mro=(name, *BASES.get(name, ())))).entry
    assert found is not None, name
    return found


def _complete_defaults(name: str) -> bool:
    return not any(v == REQUIRED for v in defaults_for(name).values())


# ---------------------------------------------------------------- registration


@pytest.mark.parametrize("name", ENTRIES)
def test_every_entry_says_what_it_does_and_keeps_a_family_with_a_contract(name: str) -> None:
    found = get_entry(name)
    assert found is not None and found.name == name
    assert found.family in CONTRACTS, f"{name}: family {found.family!r} has no contract"
    assert found.summary.strip() and found.summary.strip()[0].islower(), (name, found.summary)


@pytest.mark.parametrize("name", ENTRIES)
def test_knobs_name_real_arguments_and_effects(name: str) -> None:
    found = get_entry(name)
    assert found is not None
    for effect, knob in found.knobs.items():
        assert effect in EFFECT_NAMES, (name, effect)
        if found.family != "auto":  # RandAugment's knobs name arguments of its stored policy
            assert knob.param in defaults_for(name), (name, knob.param)


def test_the_contract_groups_cover_every_effect_once() -> None:
    names = [n for group in GROUPS.values() for n in group]
    assert sorted(names) == sorted(Envelope.__dataclass_fields__)


def test_label_aware_entries_come_through_the_public_door_into_the_family_of_their_effect() -> None:
    for name in LABEL_AWARE:
        found = get_entry(name)
        assert found is not None and found.label_transforms, name
        assert found.family == ("photometric" if "ColorJitter" in name else "geometric"), name
        with pytest.raises(ValueError, match="was not registered with register_transform"):
            unregister_transform(name)  # a user cannot remove safeaug's own entries


def test_registering_a_name_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="Rotate already has a catalog entry"):
        entry("Rotate", family="geometric")(lambda _p: Envelope(rotation=1.0))
    with pytest.raises(ValueError, match="HorizontalFlip already has a catalog entry"):
        _registry.constant("HorizontalFlip", Envelope(mirror=True), family="geometric")
    with pytest.raises(ValueError, match="Lambda already has a catalog entry"):
        _registry.unknown("Lambda", family="structural", summary="runs a function")
    with pytest.raises(ValueError, match="already has a catalog entry"):
        register_transform("Rotate", Envelope())
    assert get_entry("Rotate").family == "geometric"  # type: ignore[union-attr]


def test_a_library_catalog_registers_dotted_names_with_their_own_defaults() -> None:
    names = ["testlib.transforms.Spin", "testlib.Spin"]

    @entry(names, family="geometric", defaults={"degrees": 10.0, "p": 0.5})
    def _spin(p: Params) -> Envelope:
        """turns by up to ``degrees``"""
        return Envelope(rotation=p.magnitude("degrees"))

    try:
        assert _envelope("testlib.Spin", {}).rotation == 10.0
        assert _envelope("testlib.transforms.Spin", {"degrees": 30}).rotation == 30.0
        with pytest.raises(ValueError, match="already has a defaults table"):
            add_defaults({"testlib.Spin": {"degrees": 1.0}})
        with pytest.raises(ValueError, match="already has a defaults table"):
            add_defaults({"Rotate": {"limit": 1.0}})  # the generated table holds albumentations' own
        assert contract_breaches("geometric", _envelope("testlib.Spin", {})) == []
    finally:
        for name in names:
            del _registry._ENTRIES[name]
            del _registry._ADDED_DEFAULTS[name]
        _registry._RESOLVED.clear()


# ---------------------------------------------------------------- the family contract


def test_the_contract_catches_a_colour_entry_that_mirrors() -> None:
    sneaky = Envelope(hue=10.0, color=True, mirror=True)
    assert contract_breaches("photometric", sneaky) == [
        "moves `mirror`, but a photometric entry changes tone and colour only: no mirror, turn, zoom, crop, shift, "
        "blur or occlusion"
    ]
    assert contract_breaches("geometric", Envelope(rotation=5.0, hue=3.0))
    assert contract_breaches("structural", Envelope(brightness=0.1))
    assert contract_breaches("mixing", Envelope(brightness=0.1))  # mixes without saying so
    assert contract_breaches("no-such-family", Envelope())
    assert contract_breaches("geometric", Envelope(rotation=5.0, mirror=True, crop_min=0.5)) == []


@pytest.mark.parametrize("name", ENTRIES)
def test_every_entry_keeps_its_family_contract_at_defaults_and_extremes(name: str) -> None:
    found = get_entry(name)
    assert found is not None
    if found.unknown:
        return  # no envelope to hold to a contract: the validator refuses it (fail closed)
    tried = 0
    cases = ([{}] if _complete_defaults(name) else []) + list(_extremes(name))
    for arguments in cases:
        try:
            envelope = _envelope(name, arguments)
        except ConfigError:
            continue  # a refusal is the fail-closed answer; there is no envelope to check
        tried += 1
        assert contract_breaches(found.family, envelope) == [], (name, arguments)
    if name in DEFAULTS and _complete_defaults(name):
        assert tried, f"{name}: not one envelope read at its defaults or extremes"


@pytest.mark.parametrize("name", sst.NAMES)
@given(data=st.data())
def test_random_arguments_keep_the_family_contract(name: str, data: st.DataObject) -> None:
    found = resolve_by_name(name)
    drawn_name, kwargs = data.draw(sst.transform_kwargs(names=[name]))
    try:
        envelope = found.envelope(Params(drawn_name, kwargs, defaults_for(drawn_name)))
    except ConfigError:
        return
    assert contract_breaches(found.family, envelope) == [], kwargs


# ---------------------------------------------------------------- live objects agree with the catalog


def _constructible() -> list[str]:
    out = []
    for name in ENTRIES:
        cls = getattr(A, name, None)
        if cls is None or not _complete_defaults(name) or get_entry(name).unknown:  # type: ignore[union-attr]
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                cls()
        except Exception:  # needs inputs at construction (a font, reference images)
            continue
        out.append(name)
    return out


@pytest.mark.parametrize("name", _constructible())
def test_defaults_and_the_arguments_albumentations_stores_give_the_same_envelope(name: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        stored = getattr(A, name)().get_transform_init_args()
    assert _envelope(name, {}) == _envelope(name, stored)
