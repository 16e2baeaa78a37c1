"""What a live albumentations pipeline is, in a few C-level passes: the key under which its verdict is kept.

Reading a live pipeline (:func:`~safeaug.readers.objects.read_object`) and judging it costs more than a
tenth of building it, and a program that builds the same pipeline again (a dataset per split, per fold, per
epoch) gets the same verdict each time. The fingerprint of a tree of albumentations' own classes says
everything that reading looks at, so that two trees with equal fingerprints read to the same tree:

* each object's class, with the class's version tag (:mod:`~safeaug.readers.class_versions`): a hook patched
  onto the class or one of its bases gives it a new tag, and so the tree another key;
* the names of the attributes the object holds, exactly (an attribute set on the object, a method there
  replacing the class's, changes them), and the value of every one but those reading never looks at
  (:data:`_NOT_READ`), pickled by a pickler that refuses everything but Python's own plain types (:func:`_written`):
  equal bytes are equal values of the same exact types (``1``, ``1.0`` and ``True`` apart; a list apart from a
  tuple), and a value of any other type (an array, a numpy number, an enum, a subclass, a function, an object)
  has no fingerprint, so the pipeline is read in full. (Not marshal: it writes anything with a buffer, an array
  or a numpy number among them, as its raw bytes, so that ``np.float64(1.0)`` and ``np.int64(4607182418800017408)``
  would read alike);
* the functions albumentations calls for each target (``_key2func``): each a bound method of this very
  object, of the very function the class holds under its name, in the order its class's plan has them (made
  from the last object of the class met whose attributes or functions differed from the plan's before);
* the tree's shape: the number of roots, and each composition's number of children.

Only what is albumentations' own (the exported class itself, not a subclass or a namesake) gets a
fingerprint; everything else (user subclasses, other libraries, an object placed twice or a composition
holding itself, a child list of another type) returns None and is read in full.
"""

from __future__ import annotations

import io
import operator
import pickle
import sys
import threading
import types
from itertools import chain, repeat
from typing import Any

from safeaug.readers.class_versions import tag_reader, version
from safeaug.readers.objects import _compose_mode, _is_albumentations

# Attributes of albumentations' objects that reading never looks at, and that say nothing about what a
# transform may do to an image: its random generators (a seed draws within the ranges its arguments set), the
# names of the targets it accepts without complaint (``_available_keys``: what runs on each is ``_key2func``,
# checked apart), its label processors (how boxes and points are converted and checked, not what the image
# undergoes). A composition's children (``transforms``) and a transform's ``_key2func`` are taken apart (a
# transform's own ``transforms``, ColorJitter's steps, is one of its values).
_NOT_READ = frozenset({"random_generator", "py_random", "_available_keys", "processors", "check_each_transform"})
_MAX_OBJECTS = 4096  # a tree this large is read in full (and a runaway one is not walked for ever)
_SELF = operator.attrgetter("__self__")
# A bound method's function, read through the method type's own descriptor: a TypeError for any object that is
# not exactly a bound method (which cannot be subclassed), however it spells ``__func__``.
_METHOD_FUNC = types.MethodType.__func__.__get__
_METHOD = types.MethodType
_FUNCTION = types.FunctionType
_ITEMS: Any = operator.itemgetter  # (typed loosely: mypy 2.4 cannot expand it over a tuple of names)


class _Plan:
    """What a fingerprint reads of one class's objects: the names of the attributes they hold, and the functions
    its ``_key2func`` holds (each the class's own, checked when the plan is made)."""

    __slots__ = ("cls", "compose", "count", "functions", "items", "size", "tag", "version")

    def __init__(self, cls: type, stored: dict[str, Any], tag: Any, version: int) -> None:
        self.cls = cls  # (held, so that the class, and so the address its tag is read at, stays alive)
        self.version = version
        self.tag = tag
        self.compose = _compose_mode(cls) is not None
        apart = "transforms" if self.compose else "_key2func"
        read = tuple(k for k in stored if k not in _NOT_READ and k != apart)
        # Every attribute, those read first: an object with as many attributes, all of these among them, holds
        # exactly these (a method set on it in place of one deleted changes the names, and is caught).
        self.items = _getter((*read, *(k for k in stored if k not in read)))
        self.size = len(stored)
        self.count = len(read)
        self.functions = () if self.compose else _own_functions(cls, stored.get("_key2func"))


def _getter(names: tuple[str, ...]) -> Any:
    """What gives a dict's values under ``names``, as a tuple (a KeyError when one is missing)."""
    if len(names) > 1:
        return _ITEMS(*names)
    return lambda stored: tuple(stored[name] for name in names)


def _own_functions(cls: type, funcs: Any) -> tuple[Any, ...] | None:
    """The functions of ``funcs`` (a transform's ``_key2func``), in order, when each is a bound method whose
    function is a plain Python function the class itself holds under its name; otherwise None."""
    if type(funcs) is not dict:
        return None
    found = []
    for method in funcs.values():
        if type(method) is not _METHOD:  # (whose object fingerprint() checks, each time)
            return None
        func = method.__func__
        if type(func) is not _FUNCTION or getattr(cls, func.__name__, None) is not func:
            return None
        found.append(func)
    return tuple(found)


_PLANS: dict[type, _Plan] = {}


def _plan(obj: Any, cls: type) -> _Plan | None:
    """The class's plan, made anew from ``obj``; None for a class that gets no fingerprint (asked again each time:
    whether it is albumentations' own class depends on what the module exports now)."""
    library = sys.modules.get("albumentations")
    stored = getattr(obj, "__dict__", None)
    if (
        library is None
        or not _is_albumentations(cls)
        or getattr(library, cls.__name__, None) is not cls
        or type(stored) is not dict
    ):
        return None
    tag_now = version(cls)
    reader = tag_reader(cls) if tag_now else None
    if reader is None:
        return None  # tags cannot be read here: no fingerprint can tell a changed class
    if len(_PLANS) > 1024:
        _PLANS.clear()
    made = _PLANS[cls] = _Plan(cls, stored, reader, tag_now)
    return made


def fingerprint(roots: list[Any]) -> tuple[tuple[Any, ...], bytes] | None:
    """The key of the tree under ``roots`` (one object, or the items of a list given for a ``Compose``): each
    object's class plan, kept by identity, and bytes; None when it has none."""
    plans: list[_Plan] = []
    values: list[Any] = []
    leaves: list[Any] = []  # every transform ...
    methods: list[Any] = []  # ... its target functions, bound to it ...
    counts: list[int] = []  # ... as many as it holds ...
    expected: list[Any] = []  # ... and the functions its class's plan says they are
    compositions: set[int] = set()
    stack = list(reversed(roots))
    values.append(len(roots))
    while stack:
        obj = stack.pop()
        cls = type(obj)
        plan = _PLANS.get(cls)
        stored = obj.__dict__
        if type(stored) is not dict:
            return None
        if plan is None or plan.tag.value != plan.version or plan.functions is None or len(stored) != plan.size:
            plan = _plan(obj, cls)
            if plan is None:
                return None
        try:
            held = plan.items(stored)
        except KeyError:
            # Made again from this object: the class changed, or the object the plan was made from held other
            # attributes or target functions than this one (one tampered with, met first, stands for no other).
            plan = _plan(obj, cls)
            if plan is None:
                return None
            held = plan.items(stored)
        plans.append(plan)
        values.append(held[: plan.count])
        if plan.compose:
            if id(obj) in compositions or len(plans) > _MAX_OBJECTS:
                return None  # a composition met twice (or inside itself), or a runaway tree: read in full
            compositions.add(id(obj))
            children = stored["transforms"]
            if type(children) is not list:
                return None  # (a subclass of list can give albumentations other items than it shows)
            values.append(len(children))
            stack.extend(reversed(children))
            continue
        funcs = stored["_key2func"]
        own = plan.functions
        if own is None or type(funcs) is not dict or len(funcs) != len(own):
            return None
        # (its keys are not read: reading checks that every function it holds is the object's own method)
        leaves.append(obj)
        methods.extend(funcs.values())
        counts.append(len(own))
        expected.extend(own)
    if len(set(map(id, leaves))) != len(leaves):
        return None  # a transform placed twice: read in full
    # In C: each target function a bound method (of exactly that type) of the object that holds it, of the very
    # function its class's plan holds (by identity: an object bound as a method can be made equal to anything).
    try:
        if not (
            all(map(operator.is_, map(_METHOD_FUNC, methods), expected))
            and all(map(operator.is_, map(_SELF, methods), chain.from_iterable(map(repeat, leaves, counts))))
        ):
            return None
    except TypeError:  # (not exactly a bound method: see _METHOD_FUNC)
        return None
    written = _written(values)
    return None if written is None else (tuple(plans), written)


class _NotPlain(Exception):
    pass


class _PlainPickler(pickle.Pickler):
    """Pickles Python's own plain values only. The C pickler writes None, booleans and exact ints, floats, strings,
    bytes, bytearrays, tuples, lists, dicts, sets and frozensets itself, each with its own opcodes, and asks
    ``reducer_override`` about every other object (subclasses of those included) before anything of the object's
    own runs: that refuses it."""

    def reducer_override(self, obj: Any) -> Any:
        raise _NotPlain


class _Picklers(threading.local):
    """One plain pickler and its buffer per thread, made once (making them costs a third of a pickling)."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.out = io.BytesIO()
        self.pickler = _PlainPickler(self.out, 5)


_PICKLERS = _Picklers()


def _written(values: list[Any]) -> bytes | None:
    """``values`` pickled (equal bytes: equal values, of the same types), or None when one of them is not plain."""
    kept = _PICKLERS
    out, pickler = kept.out, kept.pickler
    out.seek(0)
    out.truncate()
    pickler.clear_memo()
    try:
        pickler.dump(values)
    except (_NotPlain, pickle.PicklingError, RecursionError, ValueError, TypeError):
        kept.reset()  # (a dump stopped half-way leaves the pickler's state behind: start again clean)
        return None
    return out.getvalue()


def shape(roots: list[Any]) -> tuple[Any, ...]:
    """A cheap stand-in for the tree's form: the roots' classes, and the number of children of a root that is a
    composition (read as the reader reads them). Trees of another shape cannot have the same fingerprint."""
    kinds = tuple(map(type, roots))
    if len(roots) == 1 and _compose_mode(kinds[0]) is not None:
        children = getattr(roots[0], "transforms", None)
        if type(children) is list:
            return (kinds, len(children))
    return (kinds,)
