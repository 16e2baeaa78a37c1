"""The catalog's machinery: entries, the parameter helper, registration and lookup.

Registration. Every entry comes in through one door (``entry``, ``constant`` and ``unknown`` for the
catalog's own modules and other libraries' catalogs; ``register_transform`` for users and for safeaug's own
label-aware transforms), and a name has one entry: registering it again is an error unless a user asks to
replace it. Argument defaults come from the generated albumentations table (``_signatures.py``); a
transform it does not hold gives its defaults with ``entry(..., defaults=...)`` or ``add_defaults(table)``.

The family contract. Each entry names its effect family, and a family bounds which effect fields (grouped
in ``safeaug.effects.GROUPS``: geometry, intensity, colour, detail, structure) its envelope may move, at
any argument values:

* ``geometric`` moves geometry only (mirror, turn, zoom, crop, shift, warp, ...);
* ``photometric`` changes intensity and colour only: it moves no geometry, adds no blur, hides nothing;
* ``degradation`` changes detail (blur, noise, resolution, compression, sharpening), with the tone and
  colour that come with it; of geometry only a shift by pixels (a motion blur), a non-rigid warp (a
  chromatic aberration), and of structure only hidden pixels (a pixel dropout);
* ``occlusion`` hides or shuffles parts of the image and nothing else;
* ``mixing`` takes content from other images and says so (``mixing``); it may crop and resize, never
  mirror, turn, shear or warp;
* ``overlay`` draws over the image and says so (``overlay``); it moves no geometry;
* ``structural`` changes the representation only: no effect at all (``Lambda`` is ``unknown``);
* ``auto`` (a composition of a policy's op space) and ``custom`` (a user's) may do anything.

``destroys`` (a degenerate argument that wipes the image) is allowed to every family. ``CONTRACTS`` holds
the table and ``contract_breaches`` the check; ``tests/catalog/test_entries.py`` runs it over every entry,
at its defaults and at the extremes of its arguments, whoever registered it.
"""

from __future__ import annotations

import math
import numbers
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from safeaug.catalog._signatures import DEFAULTS, REQUIRED
from safeaug.effects import GROUPS, IDENTITY, Envelope
from safeaug.errors import ConfigError, number_as_text
from safeaug.ir import Node
from safeaug.libraries import MODULES as LIBRARY_MODULES

# How a bare number given for a range parameter expands, as albumentations expands it.
#   symmetric  x -> (-|x|, |x|)         Rotate(limit=15)
#   zero       x -> (0, x)              GaussNoise-style "up to x"
#   one        x -> (1, x)              CLAHE(clip_limit=4), RandomGamma(gamma_limit=120)
#   fixed      x -> (x, x)              Affine(rotate=5)
#   around_one x -> (max(0, 1-x), 1+x)  ColorJitter(brightness=0.2)
Scalar = Literal["symmetric", "zero", "one", "fixed", "around_one"]


_UNSET = object()
_AXES = frozenset({"x", "y"})


class Params:
    """The arguments of one transform, with albumentations' defaults filled in.

    Every "number or (lo, hi)" argument goes through :meth:`range`, so every entry reads ranges the
    same way and bad values get the same message.
    """

    __slots__ = ("defaults", "given", "transform")

    def __init__(self, transform: str, given: Mapping[str, Any], defaults: Mapping[str, Any]) -> None:
        self.transform = transform
        self.given = given
        self.defaults = defaults

    def __contains__(self, name: str) -> bool:
        return name in self.given

    def raw(self, name: str) -> Any:
        value = self.given.get(name, _UNSET)
        if value is not _UNSET:
            return value
        if name not in self.defaults:
            raise ConfigError(f"{self.transform}: no value and no known default for `{name}`")
        value = self.defaults[name]
        if value == REQUIRED:
            raise ConfigError(f"{self.transform}: `{name}` is required and was not given")
        return value

    def _bad(self, name: str, value: Any, expected: str) -> ConfigError:
        shown = repr(value)
        shown = shown if len(shown) <= 120 else shown[:117] + "..."  # a nested value can be any size
        items = value if isinstance(value, (list, tuple)) else (value,)
        odd = sorted({type(v).__name__ for v in items if isinstance(v, (int, float)) and type(v) not in _EXACT})
        if odd:  # its repr looks like a number: say why it is not read as one
            shown += (
                f" (of type {', '.join(odd)}: a subclass of int or float can compute with another value than it "
                "shows, so only int, float and numpy numbers are read)"
            )
        return ConfigError(f"{self.transform}.{name}: expected {expected}, got {shown}{number_as_text(value)}")

    def number(self, name: str) -> float:
        value = self.raw(name)
        if not is_number(value):
            raise self._bad(name, value, "a number")
        return float(value)

    def optional_number(self, name: str) -> float | None:
        return None if self.raw(name) is None else self.number(name)

    def flag(self, name: str) -> bool:
        value = self.raw(name)
        if not isinstance(value, bool):
            raise self._bad(name, value, "true or false")
        return value

    def text(self, name: str) -> str | None:
        value = self.raw(name)
        if value is not None and not isinstance(value, str):
            raise self._bad(name, value, "a string")
        return value

    def range(self, name: str, scalar: Scalar = "symmetric") -> tuple[float, float]:
        """A ``(lo, hi)`` pair from a number or a pair, expanded as albumentations does."""
        return self.as_range(name, self.raw(name), scalar)

    def as_range(self, name: str, value: Any, scalar: Scalar = "symmetric") -> tuple[float, float]:
        if type(value) is tuple and len(value) == 2:  # the common case, from live objects: no checks needed
            lo, hi = value
            if type(lo) in _PLAIN and type(hi) in _PLAIN and lo == lo and hi == hi:
                return (float(lo), float(hi)) if lo <= hi else (float(hi), float(lo))
        if is_number(value):
            x = float(value)
            if scalar == "symmetric":
                return (-abs(x), abs(x))
            if scalar == "zero":
                return (min(0.0, x), max(0.0, x))
            if scalar == "one":
                return (min(1.0, x), max(1.0, x))
            if scalar == "around_one":
                return (max(0.0, 1.0 - x), 1.0 + x)
            return (x, x)
        if type(value).__module__ == "numpy" and getattr(value, "shape", None) == (2,):
            value = value.tolist()  # a pair computed with numpy (albumentations unpacks it as a pair)
        if isinstance(value, (list, tuple)) and len(value) == 2 and all(is_number(v) for v in value):
            lo, hi = float(value[0]), float(value[1])
            return (min(lo, hi), max(lo, hi))
        raise self._bad(name, value, "a number or a [low, high] pair")

    def axes(self, name: str, scalar: Scalar = "symmetric") -> list[tuple[float, float]]:
        """Ranges of a parameter that may also be a per-axis dict (``{"x": ..., "y": ...}``)."""
        value = self.raw(name)
        if type(value) is dict or isinstance(value, Mapping):
            if not value.keys() <= _AXES:
                raise self._bad(name, value, 'a dict with keys "x" and "y"')
            out = []
            for axis, v in value.items():
                try:
                    out.append(self.as_range(name, v, scalar))
                except ConfigError:
                    raise self._bad(f"{name}.{axis}", v, "a number or a [low, high] pair") from None
            return out
        return [self.as_range(name, value, scalar)]

    def magnitude(self, name: str, scalar: Scalar = "symmetric") -> float:
        """The largest absolute value a range parameter can take."""
        lo, hi = self.range(name, scalar)
        return max(abs(lo), abs(hi))


_PLAIN = (int, float)
_EXACT = (int, float, bool)


def round_down(x: float, digits: int = 3) -> str:
    """``x`` with ``digits`` significant digits, rounded toward zero: an example never exceeds its bound."""
    if x <= 0:
        return "0"
    step = 10.0 ** (math.floor(math.log10(x)) - (digits - 1))
    return f"{math.floor(x / step + 1e-9) * step:.{digits}g}"


def round_up(x: float, digits: int = 3) -> str:
    """``x`` with ``digits`` significant digits, rounded up: an example never falls below its floor."""
    if x <= 0:
        return "0"
    step = 10.0 ** (math.floor(math.log10(x)) - (digits - 1))
    return f"{math.ceil(x / step - 1e-9) * step:.{digits}g}"


_FLOAT_MAX = int(sys.float_info.max)


def is_number(value: Any) -> bool:
    """A real number: an int, a float or a numpy number, not a bool, not NaN.

    Not a subclass of int or float: its ``float()`` (what is read here) and its arithmetic and comparisons
    (what albumentations computes with) can each give another value.
    """
    kind = type(value)
    if kind is float:
        return bool(value == value)
    if kind is int:
        return bool(-_FLOAT_MAX <= value <= _FLOAT_MAX)  # (an int past every float is not read as one)
    return kind.__module__ == "numpy" and isinstance(value, numbers.Real) and not math.isnan(value)


Describe = Callable[[Params], Envelope]


@dataclass(frozen=True)
class Knob:
    """Which argument of a transform controls an effect, and how to write a value that fits a bound.

    ``example`` receives the policy's bound (``max`` or ``(min, max)``) and returns the argument text,
    e.g. ``lambda b: f"limit={b:g}"`` for ``Rotate``.
    """

    param: str
    example: Callable[[Any], str] | None = None
    # What inside the transform drives the effect, for a transform that holds others (``safeaug.auto``'s
    # RandAugment names the ops of its space that turn); given the node's arguments as written.
    detail: Callable[[Mapping[str, Any]], str] | None = None
    # Other arguments that drive the same effect (RGBShift's green and blue limits beside the red one):
    # findings quote each of them, not only ``param``.
    also: tuple[str, ...] = ()

    @property
    def params(self) -> tuple[str, ...]:
        """Every argument that drives the effect, ``param`` first."""
        return (self.param, *self.also)


@dataclass(frozen=True)
class Entry:
    """How one transform class maps to an envelope."""

    name: str
    describe: Describe
    family: str
    knobs: Mapping[str, Knob] = field(default_factory=dict)
    inheritable: bool = True
    summary: str = ""
    unknown: bool = False
    # Label transforms this transform performs alongside its effect (a flip that also swaps left/right
    # keypoint labels declares "swap left/right keypoint labels"); policies that allow an effect only
    # with a label transform accept it when the names match.
    label_transforms: frozenset[str] = frozenset()

    def envelope(self, params: Params) -> Envelope:
        return self.describe(params)


_ENTRIES: dict[str, Entry] = {}
_RESOLVED: dict[tuple[str, tuple[str, ...], tuple[str, ...]], Resolution] = {}  # cleared on any change
_KNOWN: list[frozenset[str]] = []  # what known_names() answers, emptied with _RESOLVED on any change
_ADDED_DEFAULTS: dict[str, dict[str, Any]] = {}  # defaults of transforms the generated table does not hold
_GENERATION = [0]  # see generation()
_REGISTERED: set[str] = set()  # names added through register_transform, which unregister_transform may remove
_OWN: set[str] = set()  # safeaug's own entries (sealed when the catalog package is imported): never removed


# ---------------------------------------------------------------- the family contract


@dataclass(frozen=True)
class Contract:
    """What an entry of a family may do: the envelope fields it may move, and a flag it must raise."""

    may: frozenset[str]
    says: str  # the contract in words, for the failure message
    must: frozenset[str] = frozenset()  # when it does anything, it raises one of these


_ALL = frozenset().union(*GROUPS.values())
# A degenerate argument that wipes the image (SA410) is a fact of the installed library, not of a family.
_ANY_FAMILY = frozenset({"destroys"})

CONTRACTS: dict[str, Contract] = {
    "geometric": Contract(
        GROUPS["geometry"] | _ANY_FAMILY,
        "moves pixels only: no tone, colour, detail, occlusion or mixing",
    ),
    "photometric": Contract(
        GROUPS["intensity"] | GROUPS["colour"] | _ANY_FAMILY,
        "changes tone and colour only: no mirror, turn, zoom, crop, shift, blur or occlusion",
    ),
    "degradation": Contract(
        GROUPS["detail"]
        | GROUPS["intensity"]
        | GROUPS["colour"]
        | {"translation_px", "nonrigid", "warp", "occlusion"}
        | _ANY_FAMILY,
        "loses or adds detail: no mirror, turn, zoom or crop (a motion blur may shift by pixels, a chromatic "
        "aberration warps channels, a pixel dropout hides pixels)",
    ),
    "occlusion": Contract(
        frozenset({"occlusion", "occlusion_unbounded", "topology"}) | _ANY_FAMILY,
        "hides or shuffles parts of the image: no geometry, tone, colour or detail",
    ),
    "mixing": Contract(
        GROUPS["intensity"] | GROUPS["colour"] | GROUPS["structure"] | {"crop_unbounded", "crop_min", "resize"},
        "takes content from other images: no mirror, turn, shear or warp",
        must=frozenset({"mixing"}),
    ),
    "overlay": Contract(
        GROUPS["intensity"] | GROUPS["colour"] | GROUPS["structure"] | {"blur"},
        "draws over the image: no geometry",
        must=frozenset({"overlay"}),
    ),
    "structural": Contract(_ANY_FAMILY, "changes the representation, not what the image shows: no effect at all"),
    "auto": Contract(_ALL, "a composition of a policy's op space: whatever its ops do"),
    "custom": Contract(_ALL, "registered by the user: whatever its envelope says"),
}


def contract_breaches(family: str, envelope: Envelope) -> list[str]:
    """How ``envelope`` breaks the contract of ``family`` (empty when it keeps it)."""
    contract = CONTRACTS.get(family)
    if contract is None:
        return [f"family `{family}` has no contract; families: {', '.join(CONTRACTS)}"]
    moved = envelope.differs()
    out = [f"moves `{name}`, but a {family} entry {contract.says}" for name in moved if name not in contract.may]
    if contract.must and moved and not contract.must & set(moved):
        out.append(f"moves {', '.join(moved)} without saying `{'` or `'.join(sorted(contract.must))}`")
    return out


# ---------------------------------------------------------------- registration


def _names(names: str | Iterable[str]) -> list[str]:
    return [names] if isinstance(names, str) else list(names)


def _add(new: Entry, *, replace: bool = False) -> None:
    """The one way into the catalog: a name has one entry, unless its replacement is asked for."""
    old = _ENTRIES.get(new.name)
    if old is not None and not replace:
        raise ValueError(
            f"{new.name} already has a catalog entry (family {old.family}: {old.summary.strip()[:80]!r}); "
            "pass replace=True to override it"
        )
    _ENTRIES[new.name] = new
    _forget()


def add_defaults(table: Mapping[str, Mapping[str, Any]]) -> None:
    """Argument defaults of transforms the generated albumentations table does not hold (other libraries'
    transforms, by dotted name). A transform's defaults are given once."""
    for name in table:
        if name in _ADDED_DEFAULTS or name in DEFAULTS:
            raise ValueError(f"{name} already has a defaults table")
    for name, defaults in table.items():
        _ADDED_DEFAULTS[name] = dict(defaults)
    _forget()


def entry(
    names: str | Iterable[str],
    *,
    family: str,
    knobs: Mapping[str, Knob] | None = None,
    inheritable: bool = True,
    summary: str = "",
    defaults: Mapping[str, Any] | None = None,
    label_transforms: Iterable[str] = (),
) -> Callable[[Describe], Describe]:
    """Decorator used by the catalog modules: ``@entry("Rotate", family="geometric")``.

    ``names`` are albumentations class names or dotted names of other libraries' classes
    (``"torchvision.transforms.v2.RandomRotation"``); ``defaults`` gives their argument defaults when the
    generated albumentations table does not. Registering a name twice is an error.
    """

    def wrap(fn: Describe) -> Describe:
        listed = _names(names)
        for name in listed:
            _add(
                Entry(
                    name,
                    fn,
                    family,
                    dict(knobs or {}),
                    inheritable,
                    summary or (fn.__doc__ or ""),
                    label_transforms=frozenset(label_transforms),
                )
            )
        if defaults is not None:
            add_defaults(dict.fromkeys(listed, defaults))
        return fn

    return wrap


def constant(names: str | Iterable[str], envelope: Envelope, *, family: str, summary: str = "") -> None:
    """Register transforms whose envelope does not depend on their arguments."""
    shared = IDENTITY if envelope == IDENTITY else envelope  # `is IDENTITY` is the validator's fast path
    entry(names, family=family, summary=summary)(lambda _p: shared)


def unknown(names: str | Iterable[str], *, family: str, summary: str) -> None:
    """Register transforms whose effect cannot be known from their arguments (``Lambda``)."""
    for name in _names(names):
        _add(Entry(name, lambda _p: Envelope(), family, {}, False, summary, unknown=True))


def register_transform(
    target: type | str,
    envelope: Envelope | Describe,
    *,
    defaults: Mapping[str, Any] | None = None,
    knobs: Mapping[str, Knob] | None = None,
    replace: bool = False,
    label_transforms: Iterable[str] = (),
    family: str = "custom",
    summary: str = "registered by the user",
) -> None:
    """Teach safeaug what a custom transform does, so pipelines using it can be judged.

    ``target`` is the class (or its dotted name as it appears in configs, e.g.
    ``"mypkg.aug.Sharpie"``). ``envelope`` is either a fixed :class:`~safeaug.Envelope` or a function
    from :class:`~safeaug.Params` to one. Subclasses of ``target`` inherit the entry.
    ``label_transforms`` names the label transforms it performs with its effect (see a policy's
    ``needs_label_transform``; the names must match), e.g. ``{"swap_left_right_keypoints"}`` for a
    label-aware flip. ``family`` (one of ``safeaug.catalog.CONTRACTS``) holds the entry to that family's
    contract in the catalog's tests; the default, ``"custom"``, promises nothing.

    >>> import safeaug
    >>> class Tint:  # doctest: +SKIP
    ...     ...
    >>> safeaug.register_transform(Tint, safeaug.Envelope(hue=5.0, color=True))  # doctest: +SKIP
    """
    name = target if isinstance(target, str) else qualified_name(target)
    if family not in CONTRACTS:
        raise ValueError(f"register_transform({name!r}): no family {family!r}; families: {', '.join(CONTRACTS)}")
    describe: Describe
    if isinstance(envelope, Envelope):
        fixed = envelope

        def _fixed(_p: Params) -> Envelope:
            return fixed

        describe = _fixed
    else:
        describe = envelope
    new = Entry(
        name,
        describe,
        family,
        dict(knobs or {}),
        True,
        summary,
        label_transforms=frozenset(label_transforms),
    )
    _add(new, replace=replace)
    _REGISTERED.add(name)
    if defaults is not None:
        _ADDED_DEFAULTS[name] = dict(defaults)


def seal_own_entries() -> None:
    """Mark every entry there is now as safeaug's own, which :func:`unregister_transform` refuses to remove."""
    _OWN.update(_ENTRIES)


def unregister_transform(target: type | str) -> None:
    """Remove an entry added with :func:`register_transform` (tests use it to clean up)."""
    name = target if isinstance(target, str) else qualified_name(target)
    if name not in _ENTRIES or name not in _REGISTERED or name in _OWN:
        raise ValueError(f"{name} was not registered with register_transform")
    del _ENTRIES[name]
    _REGISTERED.discard(name)
    _ADDED_DEFAULTS.pop(name, None)
    _forget()


def qualified_name(cls: type) -> str:
    """``HorizontalFlip`` for albumentations classes, ``module.Class`` for everything else."""
    module = cls.__module__ or ""
    if module == "albumentations" or module.startswith("albumentations."):
        return cls.__name__
    return f"{module}.{cls.__qualname__}"


def short_name(class_fullname: str) -> str:
    """Shorten a serialised class name the way albumentations does (``albumentations.x.Y`` -> ``Y``)."""
    if class_fullname.startswith("albumentations."):
        return class_fullname.rsplit(".", 1)[-1]
    return class_fullname


def _forget() -> None:
    """Forget what was worked out from the entries: one was added, replaced or removed."""
    _RESOLVED.clear()
    _KNOWN.clear()
    _GENERATION[0] += 1


def generation() -> int:
    """A number that changes whenever an entry or a defaults table is added, replaced or removed: what was
    worked out from the catalog before holds while it stays the same."""
    return _GENERATION[0]


def known_names() -> frozenset[str]:
    """Names of albumentations' (and safeaug's, and user-registered) entries; other libraries' entries, keyed by
    their canonical names (``torchvision.transforms.v2.RandomRotation``), are found with :func:`get_entry`."""
    if not _KNOWN:
        _KNOWN.append(frozenset(name for name in _ENTRIES if not _of_library(name)))
    return _KNOWN[0]


def _of_library(name: str) -> bool:
    """A canonical name of another augmentation library's class (``torchio.RandomFlip``)."""
    return name.split(".", 1)[0] in LIBRARY_MODULES


def get_entry(name: str) -> Entry | None:
    return _ENTRIES.get(name)


def defaults_for(name: str) -> Mapping[str, Any]:
    return _ADDED_DEFAULTS.get(name) or DEFAULTS.get(name) or {}


class Resolution(NamedTuple):
    """The entry that describes a node, or why there is none."""

    entry: Entry | None
    via: str | None = None  # the class the entry was inherited from, when not the node's own
    problem: str | None = None


def resolve(node: Node) -> Resolution:
    """Find the entry for a transform node: its own class first, then its bases (MRO)."""
    key = (node.name, node.mro, node.overrides)
    found = _RESOLVED.get(key)
    if found is None:
        found = _RESOLVED[key] = _resolve(node)
    return found


def _resolve(node: Node) -> Resolution:
    own = _ENTRIES.get(node.name)
    if own is not None:
        if node.overrides and ("." not in node.name or _of_library(node.name)):  # live state was changed
            return Resolution(None, None, _replaced(node.overrides))
        return Resolution(own)
    for base in node.mro[1:]:
        found = _ENTRIES.get(base)
        if found is None:
            continue
        if not found.inheritable or found.unknown:
            break
        if node.overrides:
            methods = ", ".join(node.overrides)
            return Resolution(
                None,
                base,
                f"it subclasses {base} but overrides {methods}, so {base}'s entry may not describe it",
            )
        return Resolution(found, base)
    if node.overrides and len(node.mro) > 1:
        base = next((b for b in node.mro[1:] if "." not in b), node.mro[1])
        return Resolution(None, base, _changed(node.overrides, base))
    return Resolution(None)


def _changed(what: tuple[str, ...], base: str) -> str:
    names = ", ".join(f"`{n}`" for n in what)
    return f"it changes {names} of {base}, so no catalog entry can say what it does"


def _replaced(what: tuple[str, ...]) -> str:
    changed = [n for n in what if not is_setting(n)]
    settings = [n for n in what if is_setting(n)]
    parts = []
    if changed:
        names = ", ".join(f"`{n}`" for n in changed)
        parts.append(
            f"{names} of this object or its class {'was' if len(changed) == 1 else 'were'} changed (set on the "
            "object, or patched onto the class), and the entry describes the library's own code"
        )
    if "replay_mode" in changed:
        parts.append(
            "in albumentations' replay mode it applies the parameters stored on it (`.params`), whatever its "
            "arguments and p allow (safeaug.ReplayCompose.replay replays a record once it has checked what it "
            "replays)"
        )
    if settings:
        names = ", ".join(f"`{n}`" for n in settings)
        one = len(settings) == 1
        kind = "is an AlbumentationsX argument that changes" if one else "are AlbumentationsX arguments that change"
        parts.append(f"{names} {kind} what it may do beyond what the entry describes")
    return "; ".join(parts)


def is_setting(override: str) -> bool:
    """Whether an override of a live object is an argument setting (``name=value``), not a changed attribute."""
    return "=" in override
