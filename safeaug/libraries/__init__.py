"""Augmentation libraries other than albumentations: what safeaug needs to know to read and run them.

Each library is one module here (``torchvision``, ``monai``, ``kornia``, ``torchio``, ``timm``) holding a
:class:`Library` named ``LIBRARY``. Nothing in this package imports the library it describes: configs are
read by name, and live objects through their attributes, so ``import safeaug`` and ``safeaug lint`` stay
free of torch. The catalog entries (what each transform does) live beside the albumentations ones, in
``safeaug/catalog/<library>.py``, registered under the canonical names this package gives.

Names. Every class has one *canonical* name: the library's public module and the class name
(``torchvision.transforms.v2.RandomRotation``, ``torchvision.transforms.RandomRotation`` for the v1 class,
``monai.transforms.RandFlipd``, ``kornia.augmentation.RandomRotation``, ``torchio.RandomFlip``). A config
may write any path the library exports the class under (``monai.transforms.spatial.dictionary.RandFlipd``,
``torchio.transforms.RandomFlip``) or an alias (MONAI's ``RandFlipD``/``RandFlipDict``): :func:`canonical`
maps them all to the canonical name, which is the node's name, the catalog key and what findings show.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from safeaug.ir import Mode

MODULES = ("torchvision", "monai", "kornia", "torchio", "timm")


@dataclass(frozen=True)
class Composition:
    """How one composition class of a library combines its children.

    ``children`` is the argument holding them (``"*"``: they are the positional arguments, as in Kornia's
    ``AugmentationSequential(*args)``); ``p`` the argument holding the probability that the group
    runs at all (torchvision ``RandomApply(p=)``), ``weights`` the per-child draw weights (torchvision
    ``RandomChoice(p=)``, MONAI ``OneOf(weights=)``), ``n`` the argument giving how many children are
    drawn (MONAI ``SomeOf(num_transforms=)``: a number, a ``(low, high)`` range read at ``high``, or ``None``
    for all of them).

    ``arrange``, for a class whose mode depends on its arguments (Kornia's ``random_apply``), is called with
    the node's arguments (as written, without defaults) and its number of children, and returns the mode and
    the arguments the fold reads (``n``, ``replace`` for ``some_of``), which override ``mode`` and ``n``; it
    raises ``ValueError`` for arguments the library itself refuses.
    """

    mode: Mode
    children: str = "transforms"
    p: str | None = None
    weights: str | None = None
    n: str | None = None
    arrange: Callable[[Mapping[str, Any], int], tuple[Mode, Mapping[str, Any]]] | None = None


@dataclass(frozen=True)
class Live:
    """A live object of a library as the reader needs it: canonical name, arguments, probability, children."""

    name: str
    params: Mapping[str, Any]
    p: float | None = None
    children: tuple[Any, ...] | None = None  # set for compositions only


@dataclass(frozen=True)
class Library:
    """What safeaug knows of one augmentation library.

    ``public`` maps each module path a config may name classes under (longest match wins) to the public
    module of the canonical name: ``{"torchvision.transforms.v2": "torchvision.transforms.v2",
    "torchvision.transforms": "torchvision.transforms"}``. ``signatures`` holds, per canonical name, the
    constructor's arguments in positional order with their defaults (``REQUIRED`` from
    ``safeaug.catalog._signatures`` for none), generated from the installed library by a script in
    ``scripts/``; it also lists every class the catalog knows, transforms and compositions alike.
    ``aliases`` maps other class names the library exports to the canonical class name (``RandFlipD`` ->
    ``RandFlipd``). ``probability`` is the argument that holds a transform's probability (``p``,
    ``prob``), with ``probability_of`` overriding it per class (``None`` for a class that always runs).
    ``read_live`` reads a live object of the library (given that its class's module is under one of the
    ``public`` paths), ``adapter`` says how to run the library's callables on the probe's ``H x W x C``
    numpy images (see :class:`Adapter`). ``catalog`` is the module that registers the entries.
    ``constant_border`` says how to ask the library for a constant border.
    """

    name: str
    version: str
    public: Mapping[str, str]
    signatures: Mapping[str, tuple[tuple[str, Any], ...]]
    compositions: Mapping[str, Composition]
    catalog: str
    probability: str | None = "p"
    probability_of: Mapping[str, str | None] = field(default_factory=dict)
    aliases: Mapping[str, str] = field(default_factory=dict)
    read_live: Callable[[Any], Live | None] | None = None
    adapter: Callable[[Any], Adapter | None] | None = None
    # What to write for a constant border in this library: the fix of a mirrored-border finding (SA109),
    # in place of a policy's fix, which speaks albumentations (`border_mode=0`).
    constant_border: str = ""


@dataclass(frozen=True)
class Adapter:
    """How to call one library callable on a numpy image and get a numpy image back.

    ``to_input`` turns an ``H x W x C`` array (uint8 or float32) into what the callable takes (a ``C x H x W``
    tensor, a dict keyed by the transform's keys, a TorchIO subject); ``from_output`` turns what it returns
    back into ``H x W x C``; ``seed`` seeds the library's random state so that two calls draw alike.
    """

    to_input: Callable[[Any], Any]
    from_output: Callable[[Any], Any]
    seed: Callable[[int], None]


_LOADED: dict[str, Library] = {}


def library(name: str) -> Library:
    """The :class:`Library` of one of :data:`MODULES` (importing the description, never the library)."""
    if name not in _LOADED:
        module = importlib.import_module(f"safeaug.libraries.{name}")
        _LOADED[name] = module.LIBRARY
        try:  # the catalog entries, registered under the canonical names
            importlib.import_module(module.LIBRARY.catalog)
        except ModuleNotFoundError as exc:
            if exc.name != module.LIBRARY.catalog:
                raise
    return _LOADED[name]


def owner(path: str) -> Library | None:
    """The library a dotted class or module path belongs to, or None (albumentations, a user's class)."""
    top = path.split(".", 1)[0]
    if top not in MODULES:
        return None
    try:
        return library(top)
    except ModuleNotFoundError as exc:  # a library whose description this installation does not have
        if exc.name != f"safeaug.libraries.{top}":
            raise
        return None


def canonical(path: str) -> str | None:
    """The canonical name of a class path of a known library, or None when the library does not export it."""
    lib = owner(path)
    if lib is None or "." not in path:
        return None
    module, _, cls = path.rpartition(".")
    cls = lib.aliases.get(cls, cls)
    for prefix in sorted(lib.public, key=len, reverse=True):
        if module == prefix or module.startswith(prefix + "."):
            name = f"{lib.public[prefix]}.{cls}"
            if name in lib.signatures:
                return name
    # A path under the library that no public prefix covers, or a class the chosen module does not
    # export: try every public module, so that `torchio.transforms.augmentation.spatial.RandomFlip` reads.
    found = [f"{pub}.{cls}" for pub in dict.fromkeys(lib.public.values()) if f"{pub}.{cls}" in lib.signatures]
    return found[0] if len(found) == 1 else None
