"""Reading another library's pipeline into the tree: from a config's class path and arguments, and from live
objects. Each reader calls one function here (``spelled`` for configs and source, ``live_node`` for objects),
so that what a library's class names, its positional arguments, its probability and its compositions mean is
decided in one place for every way a pipeline arrives.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, NamedTuple

from safeaug.ir import Mode, Node, child_location
from safeaug.libraries import Adapter, Composition, Library, canonical, owner

Path = tuple[Hashable, ...]


class Spelled(NamedTuple):
    """A library class as a config or source file writes it, resolved.

    ``name`` is the canonical name (or the path as written when the library exports no such class, which
    is then an unknown transform). ``params`` holds the arguments by name (positional ones placed by the
    signature), without the probability and the children; ``origin`` where each argument given by position
    sits (``("_args_", 0)``). ``p`` is the probability as written or its default, ``None`` for a class that
    always runs. ``children``/``children_at``: for a composition, the value holding its children and where it
    sits (relative to the spec). ``problems`` are arguments the class does not take.
    """

    name: str
    library: Library
    known: bool
    params: dict[str, Any]
    p: Any
    composition: Composition | None
    children: Any
    children_at: Path
    origin: dict[str, Path]
    problems: tuple[str, ...]


def is_library_class(path: Any) -> bool:
    """Whether a class path names a transform of one of the libraries safeaug reads.

    A class the library exports as a transform (:func:`canonical`), or any name under one of its transform
    modules (``torchvision.transforms.v2.Foo``: read, then refused as unknown). A path elsewhere in the library
    (``torchvision.models.resnet18``, ``torchio.ScalarImage``) is not a transform.
    """
    if not isinstance(path, str) or "." not in path:
        return False
    lib = owner(path)
    if lib is None:
        return False
    if canonical(path) is not None:
        return True
    module = path.rpartition(".")[0]
    return any("." in prefix and (module == prefix or module.startswith(prefix + ".")) for prefix in lib.public)


def spelled(path: str, args: Mapping[str, Any], positional: Sequence[Any], args_path: Path) -> Spelled | None:
    """What a config's ``path`` (``torchvision.transforms.v2.RandomRotation``) with these arguments means."""
    lib = owner(path) if isinstance(path, str) and "." in path else None
    if lib is None:
        return None
    name = canonical(path)
    if name is None:
        return Spelled(path, lib, False, dict(args), None, None, None, (), {}, ())
    signature = lib.signatures[name]
    order = [arg for arg, _ in signature]
    params = dict(args)
    origin: dict[str, Path] = {}
    problems: list[str] = []
    composition = lib.compositions.get(name)
    if composition is not None and composition.children == "*":  # children given as positional arguments
        params["*"] = list(positional)
        origin["*"] = ("_args_",)
        positional = ()
    if len(positional) > len(order):
        problems.append(f"{len(positional)} positional arguments given, but it takes {len(order)}")
    for i, (arg, value) in enumerate(zip(order, positional, strict=False)):
        if arg in params:
            problems.append(f"`{arg}` given both by position and by name")
            continue
        params[arg] = value
        origin[arg] = ("_args_", i)
    # a signature ending in ("**", ...) takes any other keyword (MONAI's pads pass them on to np.pad)
    unknown = [] if "**" in order else [k for k in params if k not in order and k not in ("**", "*")]
    if unknown:
        takes = ", ".join(order) or "no arguments"
        problems += [f"no argument `{k}` (it takes {takes})" for k in unknown]
    defaults = dict(signature)
    p: Any = None
    children: Any = None
    children_at: Path = ()
    if composition is not None:
        children = params.pop(composition.children, None)
        children_at = origin.get(composition.children, (*args_path, composition.children))
        if composition.p is not None:
            p = params.pop(composition.p, defaults.get(composition.p))
        if composition.weights is not None:
            params["weights"] = params.pop(composition.weights, defaults.get(composition.weights))
        if composition.n is not None or composition.mode == "some_of":
            # a some_of without the argument runs all of its children (MONAI's RandomOrder)
            written = params.pop(composition.n, defaults.get(composition.n)) if composition.n else None
            params["n"] = count(written, len(children) if isinstance(children, list) else 0)
    else:
        probability = lib.probability_of.get(name, lib.probability)
        if probability is not None and probability in defaults:
            p = params.pop(probability, defaults[probability])
    return Spelled(name, lib, True, params, p, composition, children, children_at, origin, tuple(problems))


def arranged(composition: Composition, params: Mapping[str, Any], children: int) -> tuple[Mode, dict[str, Any]]:
    """The mode of a composition with these arguments and ``children`` children, and its arguments with what the
    fold reads (``n``, ``replace``) added: fixed by the class, or by its arguments (``Composition.arrange``).
    Raises ``ValueError`` for arguments the library refuses."""
    if composition.arrange is None:
        return composition.mode, dict(params)
    mode, extra = composition.arrange(params, children)
    return mode, {**params, **extra}


def count(value: Any, children: int) -> int:
    """How many children a ``SomeOf`` may draw: a number, the top of a ``(low, high)`` range, else all of them."""
    if isinstance(value, (list, tuple)) and len(value) == 2:
        value = value[1]
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, float) and value.is_integer() and value >= 0:
        return int(value)
    return children  # None (all of them), or a value that cannot be read: the worst case


def drawn(weights: Any, n: int) -> list[bool]:
    """Which children of a weighted choice can be drawn: all, unless a weight is a literal 0."""
    if not isinstance(weights, (list, tuple)) or len(weights) != n:
        return [True] * n
    return [not (isinstance(w, (int, float)) and not isinstance(w, bool) and w == 0) for w in weights]


def live_node(obj: Any, location: str, read_child: Callable[[Any, str], Node]) -> Node | None:
    """A live object of one of the libraries as a node, or None when it is not one (a user's subclass is not)."""
    cls = type(obj)
    lib = owner(cls.__module__ or "")
    if lib is None or lib.read_live is None:
        return None
    live = lib.read_live(obj)
    if live is None:
        return None
    changed = changed_behaviour(obj)
    p = 1.0 if live.p is None else live.p
    composition = lib.compositions.get(live.name)
    if composition is not None and live.children is not None and not changed:
        weights = live.params.get("weights")
        kids = tuple(
            read_child(child, child_location(location, i))
            for i, (child, ok) in enumerate(zip(live.children, drawn(weights, len(live.children)), strict=True))
            if ok
        )
        mode, params = arranged(composition, live.params, len(live.children))
        return Node(
            name=live.name,
            params=params,
            p=p,
            children=kids,
            mode=mode,
            location=location,
            obj=obj,
            mro=(live.name,),
        )
    return Node(
        name=live.name, params=live.params, p=p, location=location, obj=obj, mro=(live.name,), overrides=changed
    )


# torch.nn.Module keeps hooks that run around ``forward`` (and may replace its output) in these attributes.
_HOOKS = ("_forward_hooks", "_forward_pre_hooks", "_forward_hooks_with_kwargs", "_forward_hooks_always_called")
_GLOBAL_HOOKS = ("_global_forward_hooks", "_global_forward_pre_hooks")


def changed_behaviour(obj: Any) -> tuple[str, ...]:
    """What of a live object no longer runs as its class does: a method replaced on the object, module hooks."""
    cls = type(obj)
    stored = getattr(obj, "__dict__", None) or {}
    found = [
        name
        for name, value in stored.items()
        if callable(value) and not name.startswith("__") and callable(getattr(cls, name, None))
    ]
    found += [name for name in _HOOKS if stored.get(name)]
    torch_module = sys.modules.get("torch.nn.modules.module")
    if torch_module is not None and any(getattr(torch_module, name, None) for name in _GLOBAL_HOOKS):
        found.append("global forward hooks")
    return tuple(found)


def adapter_for(obj: Any) -> Adapter | None:
    """How to run an object on numpy images: its own library's adapter, or that of a library class it subclasses."""
    for base in type(obj).__mro__:
        lib = owner(base.__module__ or "")
        if lib is not None and lib.adapter is not None:
            return lib.adapter(obj)
    return None


def numpy_callable(obj: Any) -> Callable[[Any], Any] | None:
    """``obj`` as a function from an ``H x W x C`` numpy image to one, when it is a library's callable.

    It runs a copy whose probabilities are forced to 1 (a branch switched off with ``p=0`` stays off), so that
    a probe sees what the transform does when it runs; the library's random state is seeded from Python's,
    which the probe seeds before every call, so every probe image of one run gets the same draw.
    """
    adapter = adapter_for(obj)
    if adapter is None:
        return None
    import copy
    import random

    forced = copy.deepcopy(obj)
    _force(forced)
    adapter = adapter_for(forced) or adapter  # seeds the copy that runs (MONAI keeps a random state per object)

    def run(image: Any) -> Any:
        adapter.seed(random.getrandbits(31))
        return adapter.from_output(forced(adapter.to_input(image)))

    return run


# Where each library keeps the probability that an object runs: `p` (torchvision, Kornia), `prob` (MONAI),
# `p_batch` (Kornia: the draw for the whole batch), `probability` (TorchIO, whose `p` is only an argument).
_PROBABILITIES = ("p", "prob", "p_batch", "probability")


def _force(obj: Any) -> None:
    for name in _PROBABILITIES:
        value = getattr(obj, name, None)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
            setattr(obj, name, 1.0)
    for child in getattr(obj, "transforms", None) or []:
        _force(child)
    modules = getattr(obj, "__dict__", {}).get("_modules")  # torch containers (Kornia's) hold their members here
    for child in modules.values() if isinstance(modules, dict) else ():
        _force(child)
