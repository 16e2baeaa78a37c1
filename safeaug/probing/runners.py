"""How a transform is run on the probe images: one runner per kind of callable, chosen from a table.

A *runner* takes the probe images and a seed and returns one :data:`Run`: the output images by name
(``"geo"`` and every name in ``images.targets``, each an ``(H, W)`` or ``(H, W, C)`` numpy array), the
keypoints where the transform put them (an ``(N, 2)`` array in the order of ``_Images.keypoints``, NaN for
points it dropped; ``None`` when it was not given keypoints), and whether those keypoints tell the whole
geometry (the library's own code moved pixels and points alike). Every run with the same seed must make
the same random draw for all five images, so that readings of different images can be paired, and give the
same outputs when made again (the probe checks this, :func:`repeats`). The square runs send all five; a
variant run sends the geometry image and the ramp, a frame run the geometry image alone (what each is read
for), in the same order, so the images sent get what they would get among all five.

:data:`RUNNERS` is the table :func:`runner_for` reads: ``(accepts, make)`` pairs tried in order, the first
whose ``accepts(transform)`` is true giving ``make(transform) -> Runner``. Supporting a new kind of input
(torch tensors in CHW order, a dict of arrays keyed ``"image"``/``"label"``, a TorchIO subject) is one
``make`` function that converts the probe images to that input and the outputs back to numpy HWC, plus
one entry inserted before the catch-all plain-callable entry::

    from safeaug.probing.runners import RUNNERS, Run, Runner

    def torch_runner(transform): ...  # -> Runner

    RUNNERS.insert(-1, (lambda t: looks_like_torch(t), torch_runner))

Runners raise :class:`ProbeError` for a failure that is the probe's to report (an output it cannot
read); any other exception is the transform's own and is reported with its name by the probe.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import io
import pickle
import random
import sys
import warnings
import weakref
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

from safeaug.errors import SafeaugError
from safeaug.probing.images import _TARGETS, Array, FloatArray, _Images
from safeaug.readers.vocabulary import label_params


class ProbeError(SafeaugError):
    """A transform could not be run on the probe images (it needs other targets, it raised, ...)."""


# One run: the output images, the keypoints where the transform put them (None without keypoints), and
# whether those keypoints tell the whole geometry (albumentations' own code moved pixels and points alike).
Run = tuple[dict[str, Array], FloatArray | None, bool]


Runner = Callable[[_Images, int], Run]


# Methods whose override in a class of the user's means the pixels may move without the keypoints.
_PIXEL_METHODS = ("apply", "__call__", "apply_with_params")


def _keypoints_tell_all(t: Any) -> bool:
    """Whether albumentations' own code moves every pixel and keypoint of ``t`` (no Lambda, no user override)."""
    from safeaug.readers.objects import changed_state, patched_hooks

    cls = type(t)
    if cls.__name__ == "Lambda" or changed_state(t) or patched_hooks(cls):
        return False
    for base in cls.__mro__:
        module = base.__module__ or ""
        if module == "albumentations" or module.startswith("albumentations.") or base is object:
            break
        if any(name in vars(base) for name in _PIXEL_METHODS):
            return False
    return all(_keypoints_tell_all(c) for c in getattr(t, "transforms", None) or [])


def _same_run(a: Run, b: Run) -> bool:
    """Whether two runs gave the same outputs, bit for bit, and the same keypoints."""
    (out_a, kps_a, exact_a), (out_b, kps_b, exact_b) = a, b
    if exact_a != exact_b or out_a.keys() != out_b.keys() or (kps_a is None) != (kps_b is None):
        return False
    if kps_a is not None and kps_b is not None and not np.array_equal(kps_a, kps_b, equal_nan=True):
        return False
    for name, x in out_a.items():
        y = out_b[name]
        if x.shape != y.shape or x.dtype != y.dtype:
            return False
        if np.ascontiguousarray(x).tobytes() != np.ascontiguousarray(y).tobytes():
            return False
    return True


def _scribble(run: Run) -> None:
    """Hand the allocator back blocks the size of each of ``run``'s outputs, each holding the bitwise complement
    of that output: an output a transform returns without writing takes whatever its memory held, and if that
    is one of these blocks, every byte it did not write differs from the first run's (a fixed pattern could be
    what the first run's memory held too, left by an earlier scribble)."""
    blocks = [
        np.invert(np.ascontiguousarray(out).reshape(-1).view(np.uint8))
        for out in run[0].values()
        if out.dtype.kind not in "OV"  # (objects and records hold no bytes of their own to complement)
    ]
    del blocks


def repeats(runner: Runner, images: _Images, seed: int, first: Run) -> bool:
    """Whether ``runner`` gives ``first`` again for the same images and seed.

    Not for a transform that returns memory it never wrote (albumentations 2.0.8's ``Posterize`` with a
    bit count per channel fills only the first columns of a 2-D grey image), or that draws from a source the
    probe does not seed (``secrets``, a generator made without a seed, a counter kept between calls): what it
    does is then not told by its input and draw, and one probe could read it differently from the next. The
    allocator is handed back blocks holding the complement of ``first``'s outputs before the second run, so
    that an unwritten output reads differently from the first run's.
    """
    _scribble(first)
    try:
        again = runner(images, seed)
    except ProbeError:
        raise
    except Exception:  # it ran with this seed once: failing the second time is not repeating it either
        return False
    return _same_run(first, again)


def _is_albumentations(obj: Any) -> bool:
    module = type(obj).__module__ or ""
    if module == "albumentations" or module.startswith("albumentations."):
        return True
    return any((c.__module__ or "").startswith("albumentations.") for c in type(obj).__mro__[1:])


def _force(t: Any) -> None:
    """p=1 everywhere except where p is 0 (a switched-off branch stays off)."""
    p = getattr(t, "p", None)
    if isinstance(p, (int, float)) and not isinstance(p, bool) and p > 0:
        t.p = 1.0
    for child in getattr(t, "transforms", None) or []:
        _force(child)
    if hasattr(t, "transforms_ps") and getattr(t, "transforms", None):
        ps = [getattr(c, "p", 0.0) for c in t.transforms]
        total = sum(ps)
        t.transforms_ps = [q / total for q in ps] if total > 0 else ps


def _seed_generators(seed: int) -> None:
    """Seed every global generator a transform may draw from: ``random``, ``numpy.random`` and, when torch is
    loaded, torch's CPU generator (a callable written for torchvision draws its coins with ``torch.rand``).

    Left unseeded, a torch coin was drawn afresh for each of the five probe images of one run, so one run
    mirrored some of its images and not others: readings of different images could not be paired, and the same
    probe gave different verdicts from one process to the next. Only the CPU generator's own seed is set
    (``torch.manual_seed`` also seeds every accelerator, a hundred times slower); torch is not loaded here.
    """
    random.seed(seed)
    np.random.seed(seed % (2**32))
    torch = sys.modules.get("torch")
    generator = getattr(torch, "default_generator", None) if torch is not None else None
    if generator is not None:
        generator.manual_seed(seed % (2**63))


# The generators of albumentations objects a plain callable calls (see _inner_albumentations), as they were
# before the probe reseeded them: (object, its attributes ``seed``, ``random_generator``, ``py_random``).
_INNER_KEPT: list[tuple[Any, tuple[Any, ...]]] = []
_GENERATOR_NAMES = ("seed", "random_generator", "py_random")


@contextlib.contextmanager
def kept_generators() -> Iterator[None]:
    """Restore the global generators :func:`_seed_generators` seeds (``random``, ``numpy.random``, torch's CPU
    generator), and those of albumentations objects a probed callable calls, to their states before, whatever
    happens inside.

    A probe seeds them before every run; left so, a training script that calls ``safeaug.wrap`` before drawing
    its own random splits or initial weights would draw them from the probe's last seed, on every run alike.
    """
    torch = sys.modules.get("torch")
    generator = getattr(torch, "default_generator", None) if torch is not None else None
    states = (random.getstate(), np.random.get_state(), None if generator is None else generator.get_state())
    try:
        yield
    finally:
        random.setstate(states[0])
        np.random.set_state(states[1])
        if generator is not None:
            generator.set_state(states[2])
        while _INNER_KEPT:  # (``set_random_seed`` replaces the generator objects: the old ones are put back)
            obj, kept = _INNER_KEPT.pop()
            for name, value in zip(_GENERATOR_NAMES, kept, strict=True):
                if value is _ABSENT:
                    vars(obj).pop(name, None)
                else:
                    vars(obj)[name] = value


_ABSENT = object()


def _inner_albumentations(fn: Any) -> list[Any]:
    """The albumentations transforms and compositions a plain callable keeps (in its closure, defaults, bound
    object, ``partial`` arguments or the module-level names its code uses), each with everything under it.

    ``lambda img: aug(image=img)["image"]`` draws from ``aug``'s own generators, which seeding ``random`` and
    NumPy does not reach: two runs with one seed then differ, and the callable was refused as unreproducible.
    The probe seeds these objects with each run's seed, as it seeds an albumentations transform it runs itself,
    and puts their generators back when it ends.
    """
    parts: dict[str, Any] = {}
    _callable_state(fn, parts, _is_albumentations)  # (a pipeline is callable: kept state leaves it out)
    found: list[Any] = []
    pending = [v for value in parts.values() for v in (value if isinstance(value, (list, tuple)) else (value,))]
    pending += [v for value in parts.values() if isinstance(value, dict) for v in value.values()]
    while pending:
        obj = pending.pop()
        if _is_albumentations(obj) and all(obj is not seen for seen in found):
            found.append(obj)
            pending.extend(getattr(obj, "transforms", None) or ())
    return found


def state_moved(runner: Runner, transform: Any, images: _Images, seed: int) -> list[str]:
    """The parts of what ``runner``'s object keeps (:func:`kept_state`) that a run with ``seed`` changes when made
    right after a run with the same seed: a counter or a schedule moves with every call, while a cache filled once,
    the last image or the last draw kept (even by a branch of a ``OneOf`` that this seed does not take) comes out
    the same. Call it right after a run with ``seed`` (the repeat of :func:`repeats`)."""
    before = kept_state(runner, transform)
    if not before:
        return []
    with contextlib.suppress(Exception):  # (it ran with this seed twice already: compared as it stands)
        runner(images, seed)
    return sorted(k for k, v in kept_state(runner, transform).items() if k in before and before[k] != v)


def kept_state(runner: Runner, transform: Any) -> dict[str, bytes]:
    """What the object ``runner`` runs keeps between calls, by name, each part as pickled bytes (a part that
    cannot be pickled is left out).

    For a plain callable, the callable itself: its attributes (a bound method's object's), the cells of its
    closure, its defaults, what a ``functools.partial`` binds, and the module-level data its code (or its
    class's methods') names. For albumentations, the copy the runner runs: the attributes of every transform
    along its tree (methods left out), the data attributes of the classes a user wrote and the module-level data
    their methods name. Nothing for a library callable (torchvision, MONAI, Kornia, TorchIO): the copy it runs
    keeps the library's own state (MONAI's and Kornia's generators, lazily built grids), not compared yet.
    Comparing what it keeps after one run and after the same run made again (same seed, same inputs, right
    after) tells an object whose state moves with every call (a counter, a schedule) from one that fills a cache
    once: only the first may act otherwise after the probe's last call, which no probe can see.
    """
    ran = _RUNS_ON.get(runner, transform)
    parts: dict[str, Any] = {}
    if ran is None:
        return {}
    if _is_albumentations(ran):
        _transform_state(ran, "", parts)
    else:
        _callable_state(ran, parts)
    kept: dict[str, bytes] = {}
    for name, value in parts.items():
        try:
            kept[name] = _state_bytes(value)
        except Exception:  # (what cannot be pickled cannot be compared: left out)
            continue
    return kept


class _StatePickler(pickle.Pickler):
    """Pickles a torch tensor as the numpy array of its values: torch's own pickle of two equal tensors is not
    the same bytes (a Kornia module closed over by a callable keeps its last call's parameters as tensors)."""

    def reducer_override(self, obj: Any) -> Any:
        if any(c.__name__ == "Tensor" and c.__module__ == "torch" for c in type(obj).__mro__):
            return (np.asarray, (obj.detach().cpu().numpy(),))
        return NotImplemented


def _state_bytes(value: Any) -> bytes:
    out = io.BytesIO()
    _StatePickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return out.getvalue()


def _callable_state(fn: Any, parts: dict[str, Any], named: Callable[[Any], bool] | None = None) -> None:
    """Fill ``parts`` (see :func:`kept_state`); ``named``: which module-level values to take (data by default)."""
    while isinstance(fn, functools.partial):  # (the arguments it binds, and what it calls)
        parts[f"partial{len(parts)}"] = (fn.args, fn.keywords)
        fn = fn.func
    owner = getattr(fn, "__self__", None) if inspect.ismethod(fn) else fn
    fn = getattr(fn, "__func__", fn)
    if inspect.isfunction(fn):
        for name, cell in zip(fn.__code__.co_freevars, fn.__closure__ or (), strict=False):
            try:
                parts[name] = cell.cell_contents
            except ValueError:  # (a cell not yet filled)
                continue
        parts["defaults"] = (fn.__defaults__, fn.__kwdefaults__)
        _global_state(fn, parts, named)
    if owner is not None and not inspect.isfunction(owner):
        attributes = getattr(owner, "__dict__", None)
        if isinstance(attributes, dict):
            parts.update({f"self.{k}": v for k, v in attributes.items()})
        for cls in type(owner).__mro__[:-1]:  # (the methods of a callable object's classes, but object's)
            for method in vars(cls).values():
                if inspect.isfunction(method):
                    _global_state(method, parts, named)


def _is_data(value: Any) -> bool:
    return value is not None and not (inspect.ismodule(value) or isinstance(value, type) or callable(value))


def _global_state(fn: Any, parts: dict[str, Any], named: Callable[[Any], bool] | None = None) -> None:
    """The module-level values ``fn`` names that ``named`` takes; by default data (a counter it declares
    ``global``), not modules, classes or functions."""
    names = getattr(getattr(fn, "__code__", None), "co_names", ())
    module = getattr(fn, "__globals__", {})
    for name in names:
        value = module.get(name)
        if (named or _is_data)(value):
            parts[f"global {name}"] = value


def _transform_state(t: Any, path: str, parts: dict[str, Any]) -> None:
    for name, value in vars(t).items():
        if name == "transforms" or name == "_key2func" or inspect.ismethod(value) or inspect.isfunction(value):
            continue  # (the children are walked below; methods are code, not state)
        parts[f"{path}{type(t).__name__}.{name}"] = value
    for cls in type(t).__mro__:
        module = cls.__module__ or ""
        if module == "albumentations" or module.startswith("albumentations.") or cls is object:
            break
        for name, value in vars(cls).items():  # a counter kept on the user's class, or in its module
            if inspect.isfunction(value):
                _global_state(value, parts)
            elif not name.startswith("__") and not callable(value) and not isinstance(value, (property, classmethod)):
                parts[f"{path}{cls.__name__}.class.{name}"] = value
    for i, child in enumerate(getattr(t, "transforms", None) or []):
        _transform_state(child, f"{path}{i}.", parts)


# The object each runner runs (a copy for albumentations, the function that runs a library callable's copy),
# for kept_state; a plain callable's runner runs the callable itself.
_RUNS_ON: weakref.WeakKeyDictionary[Runner, Any] = weakref.WeakKeyDictionary()


def _albumentations_runner(transform: Any) -> Runner:
    """Runs with keypoints, which come back as an (N, 2) array, or None when the pixels may move without them."""
    import albumentations as A

    exact = _keypoints_tell_all(transform)

    from safeaug.coordmap import _copy_to_reseed

    forced = _copy_to_reseed(transform)  # (every run reseeds the pipeline, and through it the copy)
    _force(forced)
    forced.p = 1.0  # the transform itself always runs; switched-off branches inside it stay off
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pipe = A.Compose(
            [forced],
            keypoint_params=label_params("KeypointParams", format="xy", remove_invisible=False),
            additional_targets={name: "image" for name in _TARGETS},
            p=1.0,
            strict=False,
            seed=0,
        )

    def run(images: _Images, seed: int) -> Run:
        pipe.set_random_seed(seed)
        _seed_generators(seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = pipe(
                image=images.geo,
                keypoints=images.indexed_keypoints,
                **{name: getattr(images, name) for name in images.targets},
            )
        result = {"geo": np.asarray(out["image"])}
        for name in images.targets:
            result[name] = np.asarray(out[name])
        kps = np.asarray(out["keypoints"], dtype=float)
        if kps.ndim != 2 or kps.shape[1] < 3 or len(kps) < 4:
            return result, None, False
        n = len(images.keypoints)
        h, w = result["geo"].shape[:2]
        if len(kps) > n and len(kps) % n == 0:
            # Reflecting borders tile the points with mirrored copies (3x3 for albumentations 2): the
            # tile that keeps the most points inside the frame is the image itself.
            tiles = kps.reshape(-1, n, kps.shape[1])
            x, y = tiles[..., 0], tiles[..., 1]
            inside = ((x >= -0.5) & (x <= w - 0.5) & (y >= -0.5) & (y <= h - 0.5)).sum(axis=1)
            kps = tiles[int(np.argmax(inside))]
        moved = np.full_like(images.keypoints, np.nan)
        index = np.rint(kps[:, 2]).astype(int)
        ok = (index >= 0) & (index < n)
        moved[index[ok]] = kps[ok, :2]
        return result, moved, exact

    _RUNS_ON[run] = forced
    return run


def _callable_runner(fn: Callable[..., Any]) -> Runner:
    keyword = _takes_image_keyword(fn)
    inner = [obj for obj in _inner_albumentations(fn) if callable(getattr(obj, "set_random_seed", None))]
    for obj in inner:
        _INNER_KEPT.append((obj, tuple(vars(obj).get(name, _ABSENT) for name in _GENERATOR_NAMES)))

    def call(image: Array, seed: int) -> Array:
        _seed_generators(seed)
        for obj in inner:
            obj.set_random_seed(seed)
        out = fn(image=image.copy()) if keyword else fn(image.copy())
        if isinstance(out, Mapping):
            if "image" not in out:
                raise ProbeError(f"{_name(fn)} returned a dict without an `image` key")
            out = out["image"]
        return np.asarray(out)

    def run(images: _Images, seed: int) -> Run:
        result = {"geo": call(images.geo, seed)}
        for name in images.targets:
            result[name] = call(getattr(images, name), seed)
        return result, None, False

    _RUNS_ON[run] = fn
    return run


def _takes_image_keyword(fn: Callable[..., Any]) -> bool:
    if any(c.__module__ == "torch.nn.modules.module" and c.__name__ == "Module" for c in type(fn).__mro__):
        # A torch module's call forwards (*args, **kwargs) to its forward(): how forward() takes the image is
        # what counts (read from the call, a module whose forward(img) takes it by place was called with image=
        # and refused as failing on the probe image).
        fn = getattr(fn, "forward", fn)
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return False
    params = sig.parameters
    if "image" in params and params["image"].kind in (
        inspect.Parameter.KEYWORD_ONLY,
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
    ):
        return True
    positional = [
        q
        for q in params.values()
        if q.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        and q.default is inspect.Parameter.empty
    ]
    return not positional and any(q.kind == inspect.Parameter.VAR_KEYWORD for q in params.values())


def _name(obj: Any) -> str:
    if inspect.isfunction(obj) or inspect.ismethod(obj):
        return getattr(obj, "__qualname__", repr(obj))
    return type(obj).__name__


def _is_library_callable(transform: Any) -> bool:
    """A torchvision, MONAI, Kornia or TorchIO callable (see ``safeaug.libraries``)."""
    from safeaug.libraries.reading import adapter_for

    return adapter_for(transform) is not None


def _library_runner(transform: Any) -> Runner:
    """Runs a library callable on its own input type (a tensor, a dict, a subject) through its adapter."""
    from safeaug.libraries.reading import numpy_callable

    run = numpy_callable(transform)
    if run is None:
        raise ProbeError(f"cannot probe {_name(transform)}: its library gives no way to run it on an image")
    runner = _callable_runner(run)
    _RUNS_ON[runner] = None  # (its copy's state is not compared: see kept_state)
    return runner


# (accepts, make): the first entry whose ``accepts(transform)`` is true makes the runner. Keep the plain
# callable last: it accepts anything callable.
RUNNERS: list[tuple[Callable[[Any], bool], Callable[[Any], Runner]]] = [
    (_is_albumentations, _albumentations_runner),
    (_is_library_callable, _library_runner),
    (callable, _callable_runner),
]


def runner_for(transform: Any) -> Runner:
    """The runner of the first :data:`RUNNERS` entry that accepts ``transform``; :class:`ProbeError` if none does."""
    for accepts, make in RUNNERS:
        if accepts(transform):
            return make(transform)
    raise ProbeError(f"cannot probe {transform!r}: it is neither an albumentations transform nor a callable")
