"""``safeaug.Compose`` and ``safeaug.ReplayCompose``: albumentations compositions that keep their policy.

Both are judged against their policy when they are built (a refused pipeline cannot be built) and then
run albumentations' own call path: the same outputs for the same seed. They serialise with their
policy (``to_dict`` / ``A.save``), and loading re-judges the pipeline, so a config edited to add a
``HorizontalFlip`` is refused on load.

With ``audit=True`` every call is also checked at run time:

* the live pipeline is compared with what was judged (transform objects, their classes, their arguments
  and ``p``); when a curriculum sets ``rotate.limit = (-90, 90)`` or appends a transform, the tree is
  judged again before the call runs. Unchanged, the check is a few C-level passes over flat tuples of
  the whole tree's arguments (no Python code per transform); verdicts are cached by a fingerprint of the
  live arguments, so a curriculum that alternates costs one judgement per setting;
* after the call, the parameters each transform applied (albumentations keeps them on the transform
  as ``.params`` until its next call) are read: the linear part of an applied affine matrix (or the
  flip or quarter turn a transform performed) gives the angle, the mirror (a negative determinant) and
  the zoom, which are compared with the policy's ``rotation``, ``mirror`` and ``scale`` invariants, per
  transform and for the whole call.

Audit changes no output and adds nothing to the result.
"""

from __future__ import annotations

import copy
import inspect
import math
import operator
from collections.abc import Hashable, Iterator, Mapping, Sequence
from dataclasses import replace
from enum import Enum
from itertools import chain, compress, repeat
from typing import Any, ClassVar

import albumentations as A
import numpy as np
from albumentations.core.composition import BaseCompose

from safeaug.applied import applied_linear, matmul, measure_linear
from safeaug.catalog._registry import get_entry, qualified_name
from safeaug.errors import ConfigError, PolicyError, PolicyViolationError
from safeaug.policies import PolicyLike, load_policy
from safeaug.policies.stored import SerialisedPolicy, policy_from_dict, policy_to_dict
from safeaug.policy import Invariant, Policy
from safeaug.readers import read_transform_list
from safeaug.readers.objects import class_hooks, forget_classes, replay_checked, run_state, signature_names
from safeaug.readers.vocabulary import installed_line
from safeaug.report import Finding, Report
from safeaug.rules import RULES_BY_NAME, show
from safeaug.validators import input_size_of, judge, judge_live
from safeaug.validators.messages import allowance

_PARAMS_ONLY_WHEN_SAVED = installed_line().line == "X"

# ------------------------------------------------------------------------------------------ policies in dicts


def _resolve(policy: PolicyLike | SerialisedPolicy) -> Policy:
    if isinstance(policy, Mapping):
        return policy_from_dict(policy)
    return load_policy(policy)


# ------------------------------------------------------------------------------------------ the compositions


class _Policed:
    """What ``Compose`` and ``ReplayCompose`` add to their albumentations base class."""

    policy: Policy
    report: Report
    audit: bool
    input_size: tuple[int, int] | None
    _auditor: _Auditor | None
    _policy_dict: dict[str, Any] | None
    _ALBUMENTATIONS_BASE: ClassVar[type]
    save_applied_params: bool  # albumentations' own

    def __init__(
        self,
        transforms: Sequence[Any],
        *,
        policy: PolicyLike | SerialisedPolicy | None = None,
        audit: bool = False,
        input_size: tuple[int, int] | None = None,
        **kwargs: Any,
    ) -> None:
        if policy is None:
            name = (
                f"safeaug.{type(self).__name__}" if type(self).__module__.startswith("safeaug") else type(self).__name__
            )
            raise PolicyError(
                f'{name} needs a policy: {name}([...], policy="chest_xray") (a built-in id, a policy file or a '
                "Policy); `safeaug policies` lists the built-in ones. Use albumentations' own Compose for a "
                "pipeline that is not checked."
            )
        resolved = _resolve(policy)
        size = input_size_of(input_size)
        p = kwargs.get("p", 1.0)
        # albumentations wraps a single transform given for the list (with a warning); judge what it will run.
        single = callable(transforms) and not isinstance(transforms, Sequence)
        listed = [transforms] if single else list(transforms)
        report = judge_live(listed, resolved, listed=True, p=p, input_size=size)
        if not report.ok:
            raise PolicyViolationError(report)
        # What was judged is what runs: a generator is spent by now, and a sequence of another type may give
        # other items when albumentations iterates it again; a list or a tuple is kept as given (a curriculum may
        # hold it).
        kept = transforms if single or type(transforms) in (list, tuple) else listed
        super().__init__(kept, **kwargs)  # type: ignore[call-arg]
        self.policy = resolved
        self.report = report
        self.input_size = size
        self.audit = bool(audit)
        self._policy_dict = None
        self._auditor = _Auditor(self, report) if self.audit else None

    def __call__(self, *args: Any, force_apply: bool = False, **data: Any) -> dict[str, Any]:
        if not self.audit:
            return super().__call__(*args, force_apply=force_apply, **data)  # type: ignore[misc, no-any-return]
        auditor = self._auditor
        if auditor is None:
            auditor = self._auditor = _Auditor(self, None)
        auditor.before(self)
        if _PARAMS_ONLY_WHEN_SAVED and not self.save_applied_params:
            # AlbumentationsX keeps what a transform applied only while it collects applied parameters.
            self.save_applied_params = True
            try:
                result: dict[str, Any] = super().__call__(*args, force_apply=force_apply, **data)  # type: ignore[misc]
            finally:
                self.save_applied_params = False
            result.pop("applied_transforms", None)
        else:
            result = super().__call__(*args, force_apply=force_apply, **data)  # type: ignore[misc]
        auditor.after(self)
        return result

    # -------------------------------------------------------------- serialisation

    def _policy_entry(self) -> dict[str, Any]:
        if self._policy_dict is None:
            self._policy_dict = policy_to_dict(self.policy)
        return {k: dict(v) if isinstance(v, dict) else v for k, v in self._policy_dict.items()}

    def to_dict_private(self) -> dict[str, Any]:
        out: dict[str, Any] = super().to_dict_private()  # type: ignore[misc]
        out["policy"] = self._policy_entry()
        if self.audit:
            out["audit"] = True
        if self.input_size is not None:
            out["input_size"] = list(self.input_size)
        return out

    def get_dict_with_id(self) -> dict[str, Any]:
        out: dict[str, Any] = super().get_dict_with_id()  # type: ignore[misc]
        out["policy"] = self._policy_entry()
        if self.audit:
            out["audit"] = True
        if self.input_size is not None:
            out["input_size"] = list(self.input_size)
        return out

    @classmethod
    def from_dict(
        cls,
        data: Mapping[str, Any],
        *,
        policy: PolicyLike | SerialisedPolicy | None = None,
        nonserializable: dict[str, Any] | None = None,
    ) -> Any:
        """Rebuild from ``to_dict`` output (or the ``transform`` part of it), judging it again.

        The policy stored in the dict is used unless ``policy`` is given; a plain ``A.Compose`` dict
        needs ``policy``. A pipeline the policy refuses raises :class:`~safeaug.PolicyViolationError`.
        """
        if not isinstance(data, Mapping):
            raise ConfigError(f"expected a dict from to_dict(), got {type(data).__name__}")
        inner = data["transform"] if "transform" in data and "__class_fullname__" not in data else data
        if not isinstance(inner, Mapping) or "__class_fullname__" not in inner:
            found = ", ".join(sorted(map(str, inner))) if isinstance(inner, Mapping) else type(inner).__name__
            raise ConfigError(
                "expected a dict from to_dict(): {'__version__': ..., 'transform': {'__class_fullname__': ..., "
                f"'transforms': [...], ...}}; found: {found or 'an empty dict'}"
            )
        args = {k: v for k, v in inner.items() if k not in ("__class_fullname__", "id", "params", "applied")}
        children = [A.from_dict({"transform": t}, nonserializable=nonserializable) for t in args.pop("transforms", [])]
        if policy is not None:
            args["policy"] = policy
        elif "policy" not in args:
            raise PolicyError(
                f"this {inner['__class_fullname__']} dict records no policy (it was not saved from a safeaug "
                "composition); pass one: from_dict(d, policy='chest_xray')"
            )
        accepted = inspect.signature(cls._ALBUMENTATIONS_BASE).parameters
        if isinstance(args.get("input_size"), list):
            args["input_size"] = tuple(args["input_size"])
        args = {k: v for k, v in args.items() if k in accepted or k in ("policy", "audit", "input_size")}
        return cls(children, **args)

    # -------------------------------------------------------------- pickling

    def __getstate__(self) -> Any:
        # The base class's state (AlbumentationsX leaves out its locks), without the auditor: it is rebuilt,
        # and the live tree judged again, on the first call after unpickling.
        base = getattr(super(), "__getstate__", None)
        state = base() if base is not None else self.__dict__
        if isinstance(state, dict) and "_auditor" in state:
            state = {**state, "_auditor": None}
        return state


class Compose(_Policed, A.Compose):  # type: ignore[misc]
    """Judge the pipeline against ``policy`` when built, then behave exactly like ``albumentations.Compose``.

    >>> import albumentations as A, safeaug  # doctest: +SKIP
    >>> safeaug.Compose([A.RandomGamma(gamma_limit=(80, 120))], policy="chest_xray")  # doctest: +SKIP
    >>> safeaug.Compose([A.HorizontalFlip()], policy="chest_xray")  # doctest: +SKIP
    Traceback (most recent call last):
    safeaug.errors.PolicyViolationError: policy 'chest_xray' refuses this pipeline (1 error): ...

    Every ``A.Compose`` keyword is accepted and passed on. ``policy`` is a built-in id, a path to a
    policy file or a :class:`~safeaug.Policy`. ``audit=True`` checks every call at run time (see the
    module documentation). ``.report`` keeps the warnings; ``.policy`` the resolved policy.
    """

    _ALBUMENTATIONS_BASE = A.Compose


class ReplayCompose(_Policed, A.ReplayCompose):  # type: ignore[misc]
    """``albumentations.ReplayCompose``, judged against ``policy`` like :class:`Compose`.

    ``safeaug.ReplayCompose.replay(result["replay"], image=...)`` applies the recorded parameters again;
    the recorded dict carries the policy, so the replayed pipeline is judged again too.
    """

    _ALBUMENTATIONS_BASE = A.ReplayCompose

    @staticmethod
    def replay(saved_augmentations: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        """Apply a record again, as ``albumentations.ReplayCompose.replay`` does, once it is judged.

        The rebuilt pipeline's arguments are judged against the policy the record carries, and then what
        the record will replay: every transform it applies is run alone on its stored parameters and
        measured, and must stay inside what its arguments allow (see :mod:`safeaug.replay`). Raises
        :class:`~safeaug.PolicyViolationError` for a record that fails, :class:`~safeaug.PolicyError` for
        one that records no policy and :class:`~safeaug.ConfigError` for one that cannot be read.
        """
        from safeaug.replay import replay_findings

        if not isinstance(saved_augmentations, Mapping) or "__class_fullname__" not in saved_augmentations:
            raise ConfigError("expected the `replay` dict a ReplayCompose call returned")
        # Objects in replay mode apply what is stored on them (unknown to a reader): here what they replay is
        # checked (replay_findings), so they are read by their arguments.
        with replay_checked():
            try:
                root = A.ReplayCompose._restore_for_replay(dict(saved_augmentations))
            except (PolicyViolationError, PolicyError):
                raise
            except (KeyError, TypeError, ValueError) as exc:
                raise ConfigError(f"this replay record cannot be rebuilt: {type(exc).__name__}: {exc}") from None
            if not isinstance(root, _Policed):
                raise PolicyError(
                    f"this replay record was made by {saved_augmentations['__class_fullname__']}, not by a safeaug "
                    "composition, so it records no policy; replay it with albumentations.ReplayCompose.replay, "
                    "or record it with safeaug.ReplayCompose"
                )
            findings = replay_findings(root, root.policy)
            if findings:
                raise PolicyViolationError(Report(policy=root.policy.id, findings=tuple(findings)))
            return root(force_apply=True, **kwargs)


# ------------------------------------------------------------------------------------------ audit


class AuditError(PolicyViolationError):
    """A call refused by ``audit=True`` (a :class:`~safeaug.PolicyViolationError`; it pickles the same way)."""


_MISSING = object()
# Attributes that change on every call or with the seed, and say nothing about what a transform may do.
_VOLATILE = frozenset({"params", "random_generator", "py_random", "deterministic", "save_key"})
# albumentations' replay mode changes what an object runs (its stored parameters; every child of a OneOf): watched.
_REPLAY = ("replay_mode",)  # (applied_in_replay matters only once replay_mode is set, which is judged again)
_COMPOSE_NAMES = ("p", "n", "replace", "replay_mode", "transforms_ps")  # transforms_ps: a OneOf's weights
_ANGLE_TOLERANCE = 0.5  # degrees: the matrix is built in floating point around the image centre
_SCALE_TOLERANCE = 0.005  # relative


class _Snapshot:
    """One object of the live tree: what it is, where, and its arguments (and children) when judged.

    For a transform, also the run-time state beyond its arguments that judging it reads (``changed_state``):
    the attributes its class derives from its arguments (ColorJitter's steps, Normalize's arrays), the functions
    albumentations calls for each target (``_key2func``), and which of its class's behaviour methods are not set
    on the object itself (one set there later replaces the class's).
    """

    __slots__ = (
        "child_list",
        "children",
        "cls",
        "func_values",
        "funcs",
        "location",
        "methods",
        "mutable",
        "names",
        "obj",
        "own",
        "refs",
        "unset",
        "whole_dict",
    )

    def __init__(self, obj: Any, location: str) -> None:
        self.obj = obj
        self.cls = type(obj)
        self.location = location
        self.names, self.whole_dict = _argument_names(obj)
        stored = getattr(obj, "__dict__", None)
        self.own: dict[str, Any] | None = None
        self.unset: frozenset[str] = frozenset()
        self.funcs: dict[str, Any] | None = None
        self.func_values: tuple[Any, ...] = ()
        self.methods: tuple[tuple[str, int], ...] = ()  # behaviour methods set on the object itself
        if not isinstance(obj, BaseCompose) and isinstance(stored, dict):
            shadowed, derived = run_state(self.cls)
            self.names += tuple(n for n in derived if n not in self.names and n in stored)
            self.own = stored
            self.unset = shadowed.difference(stored)
            self.methods = tuple((n, id(stored[n])) for n in sorted(shadowed.intersection(stored)))
            funcs = stored.get("_key2func")
            if isinstance(funcs, dict):
                self.funcs, self.func_values = funcs, tuple(funcs.values())
        self.refs = _read(obj, self.names)
        self.mutable = tuple((i, _copy(v)) for i, v in enumerate(self.refs) if _is_mutable(v))
        self.child_list: Any = obj.transforms if isinstance(obj, BaseCompose) else None
        self.children = tuple(self.child_list) if self.child_list is not None else ()

    def key(self) -> Hashable:
        state = (tuple(map(id, self.func_values)), self.methods)
        return (
            id(self.obj),
            type(self.obj),
            tuple(map(id, self.children)),
            tuple(_freeze(v) for v in self.refs),
            state,
        )


class _Watch:
    """The per-call "pipeline unchanged" check, flattened over the whole tree into a few C-level passes.

    Every watched attribute of every object is one ``(object, name, value)`` triple of three parallel
    tuples, so the check is ``map(getattr, ...)`` and ``map(operator.is_, ...)`` run by the interpreter's C
    loops: no Python code runs per transform or per argument. What it sees:

    * an argument rebound (``rotate.limit = (-90, 90)``), an argument deleted, ``p`` changed;
    * an object's class reassigned (``obj.__class__ = A.HorizontalFlip`` keeps every argument it had): each
      object's ``__class__`` is one of the watched attributes;
    * a composition's list replaced, grown, shrunk or given another object at any index;
    * an argument held in a container and changed in place (``affine.scale["x"] = (0.5, 2.0)``): the
      container is compared with a deep copy taken when it was judged (``==`` on builtins, in C);
    * an attribute added to a user's transform that cannot list its arguments (all its attributes are
      watched, and the size of its ``__dict__``);
    * a transform's run-time state beyond its arguments, which judging it reads: the attributes its class
      derives from its arguments (ColorJitter's steps, Normalize's arrays: watched as arguments), the
      functions albumentations calls for each target (``_key2func``: the dict and every function in it), and
      the size of its ``__dict__`` (``rotate.apply_with_params = f`` adds an attribute that replaces the
      class's method; the words name it). An attribute deleted in the same step as one is added keeps the size:
      that takes deleting albumentations' own bookkeeping, and is not looked for;
    * a run-time hook of a class in the tree replaced on the class (``A.RandomBrightnessContrast.get_params_
      dependent_on_data = f``: every object of it runs ``f``): each class's hooks are watched as its attributes.
    """

    __slots__ = (
        "absent",
        "counted",
        "counts",
        "func_lengths",
        "func_values",
        "funcs",
        "items",
        "lengths",
        "lists",
        "names",
        "objs",
        "odd",
        "own_lengths",
        "owns",
        "plain",
        "plain_copies",
        "refs",
    )

    def __init__(
        self, snapshots: Sequence[_Snapshot], hooks: Sequence[tuple[type, str, Any]], class_dicts: Sequence[Any]
    ) -> None:
        """``hooks``: (class, name, value) of each class's own run-time hooks, watched as attributes of the class;
        ``class_dicts``: the attributes of each class (``vars``), whose number is watched."""
        objs: list[Any] = []
        names: list[str] = []
        refs: list[Any] = []
        absent: list[tuple[Any, str]] = []
        plain: list[Any] = []
        plain_copies: list[Any] = []
        odd: list[tuple[Any, Any]] = []
        lists: list[Any] = []
        items: list[Any] = []
        counted: list[Any] = []
        funcs: list[dict[str, Any]] = []
        func_values: list[Any] = []
        owns: list[dict[str, Any]] = []

        def watch(obj: Any, name: str, ref: Any) -> None:
            objs.append(obj)
            names.append(name)
            refs.append(ref)

        for snap in snapshots:
            obj = snap.obj
            watch(obj, "__class__", snap.cls)
            if snap.own is not None:
                watch(obj, "__dict__", snap.own)
                owns.append(snap.own)
            if snap.funcs is not None:
                watch(obj, "_key2func", snap.funcs)
                funcs.append(snap.funcs)
                func_values.extend(snap.func_values)
            for name, ref in zip(snap.names, snap.refs, strict=True):
                if ref is _MISSING:
                    absent.append((obj, name))
                else:
                    watch(obj, name, ref)
            for i, then in snap.mutable:
                if _plain(then):
                    plain.append(snap.refs[i])
                    plain_copies.append(then)
                else:
                    odd.append((snap.refs[i], then))
            if snap.child_list is not None:
                watch(obj, "transforms", snap.child_list)
                lists.append(snap.child_list)
                items.extend(snap.children)
            if snap.whole_dict:
                counted.append(obj.__dict__)
        for cls, name, value in hooks:
            watch(cls, name, value)
        counted.extend(class_dicts)
        self.objs, self.names, self.refs = tuple(objs), tuple(names), tuple(refs)
        self.absent = tuple(absent)
        self.plain, self.plain_copies, self.odd = tuple(plain), tuple(plain_copies), tuple(odd)
        self.lists = tuple(lists)
        self.lengths = tuple(len(x) for x in lists)
        self.items = tuple(items)
        self.counted = tuple(counted)
        self.counts = tuple(len(d) for d in counted)
        self.funcs, self.func_values = tuple(funcs), tuple(func_values)
        self.func_lengths = tuple(len(d) for d in funcs)
        self.owns = tuple(owns)
        self.own_lengths = tuple(map(len, owns))

    def unchanged(self) -> bool:
        try:
            if not all(map(operator.is_, map(getattr, self.objs, self.names), self.refs)):
                return False
        except AttributeError:  # an argument was deleted
            return False
        # The lists are the ones judged (checked above): the same lengths, the same object at every index.
        if self.lengths != tuple(map(len, self.lists)):
            return False
        if not all(map(operator.is_, chain.from_iterable(self.lists), self.items)):
            return False
        if self.plain and self.plain != self.plain_copies:  # tuple ==: element-wise ``==`` of builtins, in C
            return False
        if self.counted and self.counts != tuple(map(len, self.counted)):
            return False
        # The functions albumentations calls for each target, and no behaviour method set on an object: in C.
        if self.funcs and (
            self.func_lengths != tuple(map(len, self.funcs))
            or not all(map(operator.is_, chain.from_iterable(map(dict.values, self.funcs)), self.func_values))
        ):
            return False
        if self.owns and self.own_lengths != tuple(map(len, self.owns)):
            return False  # an attribute set on an object (a method there replaces the class's), or one deleted
        if self.absent and any(_get(obj, name) is not _MISSING for obj, name in self.absent):
            return False
        return all(_same(now, then) for now, then in self.odd)


def _plain(value: Any) -> bool:
    """Built of builtins only, so that ``==`` compares it completely and always answers a bool."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return True
    if isinstance(value, (tuple, list, set, frozenset)):
        return all(map(_plain, value))
    if isinstance(value, dict):
        return all(map(_plain, value)) and all(map(_plain, value.values()))
    return False


def _copy(value: Any) -> Any:
    return value.copy() if isinstance(value, np.ndarray) else copy.deepcopy(value)


def _same(now: Any, then: Any) -> bool:
    if isinstance(now, np.ndarray) or isinstance(then, np.ndarray):
        return isinstance(now, np.ndarray) and isinstance(then, np.ndarray) and np.array_equal(now, then)
    try:
        return bool(now == then)
    except Exception:  # a comparison that cannot say: count it as a change (it is judged again)
        return False


_NAMES: dict[type, tuple[str, ...] | None] = {}


def _argument_names(obj: Any) -> tuple[tuple[str, ...], bool]:
    """The attributes to watch, and whether they are all of the object's (no list of arguments)."""
    cls = type(obj)
    if isinstance(obj, BaseCompose):
        return tuple(n for n in _COMPOSE_NAMES if hasattr(obj, n)), False
    if cls not in _NAMES:
        names: tuple[str, ...] | None = None
        getter = getattr(obj, "get_transform_init_args_names", None)
        if getter is not None:
            # A user's subclass may leave out of its list an argument that still runs (the reader reads every
            # argument of every __init__ in its MRO): those are watched too.
            read = () if getattr(A, cls.__name__, None) is cls else signature_names(cls)
            try:
                names = tuple(sorted({*getter(), *read, "p", *_REPLAY} - _VOLATILE))
            except Exception:  # a user's transform that cannot list its arguments: watch all attributes
                names = None
        _NAMES[cls] = names
    found = _NAMES[cls]
    if found is not None:
        return found, False
    stored = getattr(obj, "__dict__", None)
    if not isinstance(stored, dict):
        return (), False
    return tuple(sorted(k for k in stored if k not in _VOLATILE and k != "_key2func")), True  # (watched apart)


def _get(obj: Any, name: str) -> Any:
    return getattr(obj, name, _MISSING)


def _read(obj: Any, names: tuple[str, ...]) -> tuple[Any, ...]:
    # ``getattr``, as the per-call check reads them (a class attribute or a property reads the same way)
    return tuple(getattr(obj, n, _MISSING) for n in names)


def _is_mutable(value: Any) -> bool:
    return isinstance(value, (list, dict, set, np.ndarray))


def _freeze(value: Any) -> Hashable:
    """A hashable stand-in for ``value`` that compares equal exactly when the values are equal."""
    if value is None or isinstance(value, (bool, int, float, str, Enum)):
        return value
    if isinstance(value, (tuple, list)):
        return (type(value).__name__, tuple(_freeze(v) for v in value))
    if isinstance(value, dict):
        return ("dict", tuple(sorted(((repr(k), _freeze(v)) for k, v in value.items()), key=lambda kv: kv[0])))
    if isinstance(value, set):
        return ("set", tuple(sorted(repr(v) for v in value)))
    if isinstance(value, np.ndarray):
        return ("ndarray", value.shape, str(value.dtype), value.tobytes())
    if isinstance(value, np.generic):
        return value.item()  # type: ignore[no-any-return]
    return ("object", type(value).__qualname__, id(value))


def _tree(owner: Any) -> Iterator[tuple[Any, str]]:
    """The composition itself, then every object below it, depth first, with its location."""
    yield owner, ""
    stack: list[tuple[Any, str]] = [(owner, "")]
    while stack:
        node, where = stack.pop()
        children = list(getattr(node, "transforms", []) or [])
        for i, child in enumerate(children):
            location = f"{where}.transforms[{i}]" if where else f"transforms[{i}]"
            yield child, location
            if isinstance(child, BaseCompose):
                stack.append((child, location))


def _state_changes(obj: Any, before: _Snapshot, where: str) -> list[str]:
    """What of ``obj``'s run-time state beyond its arguments changed since ``before``, in words."""
    out: list[str] = []
    stored = getattr(obj, "__dict__", None)
    if before.own is not None and stored is not before.own:
        out.append(f"{where}'s attributes were replaced as a whole")
    if isinstance(stored, dict):
        out += [
            f"{where}.{n} was set on the object (it replaces the class's method)"
            for n in sorted(before.unset)
            if n in stored
        ]
    if before.funcs is not None:
        now = getattr(obj, "_key2func", None)
        if now is not before.funcs:
            out.append(f"{where}._key2func (the functions albumentations calls for each target) was replaced")
        elif len(now) != len(before.func_values) or not all(map(operator.is_, now.values(), before.func_values)):
            out.append(f"{where}._key2func (the functions albumentations calls for each target) was changed in place")
    return out


def _show(value: Any) -> str:
    return "(unset)" if value is _MISSING else show(value)


class _Auditor:
    """The run-time checks of one composition (see the module documentation)."""

    def __init__(self, owner: _Policed, verdict: Report | None) -> None:
        """``verdict``: the judgement of the tree as it is now, when known (at construction).

        Without it (audit switched on later, or the composition was unpickled in a worker) the live tree
        is judged now, once.
        """
        self.calls = 0
        self.policy = owner.policy
        self.cache: dict[Hashable, Report] = {}
        self.snapshots: list[_Snapshot] = []
        self.leaves: list[_Snapshot] = []
        self.leaf_objs: tuple[Any, ...] = ()
        self.leaf_range = range(0)
        self.param_names: tuple[str, ...] = ()
        self.seen: list[Any] = []
        self.hooks: tuple[tuple[type, str, Any], ...] = ()
        self.classes: tuple[type, ...] = ()
        self.class_dicts: tuple[Any, ...] = ()
        self.class_sizes: tuple[int, ...] = ()
        self.watch = _Watch((), (), ())
        self.verdict = owner.report
        if verdict is None:
            self._rejudge(owner, changes=[])
        else:
            self._take(owner)
            self.cache[self._key()] = verdict
            self.verdict = verdict
        self._limits()

    # -------------------------------------------------------------- the live tree

    def _take(self, owner: Any) -> None:
        self.snapshots = [_Snapshot(obj, location) for obj, location in _tree(owner)]
        # Leaves whose applied parameters may hold a turn, a mirror or a zoom: every one but albumentations' own
        # classes outside the geometric family (whose code applies none, as their catalog tests show on pixels).
        # An object placed twice (a OneOf listing one branch twice, to weight it) keeps one ``params``: read once.
        self.leaves = []
        placed: set[int] = set()
        for s in self.snapshots:
            if not isinstance(s.obj, BaseCompose) and _may_move(type(s.obj)) and id(s.obj) not in placed:
                placed.add(id(s.obj))
                self.leaves.append(s)
        self.leaf_objs = tuple(s.obj for s in self.leaves)
        self.leaf_range = range(len(self.leaves))
        self.param_names = ("params",) * len(self.leaves)
        # albumentations gives a transform a new ``params`` dict each time it runs and leaves the old one in
        # place when it does not (a OneOf branch not taken): the same object as last time means "not run".
        self.seen = self._params()
        # The run-time hooks of every class in the tree, as judged: one patched onto a class later runs unseen.
        # Each base is watched once (its own hooks, and its number of attributes: a hook added to it).
        bases = dict.fromkeys(b for s in self.snapshots for b in s.cls.__mro__ if b is not object)
        self.hooks = tuple((base, name, value) for base in bases for name, value in class_hooks(base))
        self.classes = tuple(bases)
        self.class_dicts = tuple(vars(base) for base in bases)
        self.class_sizes = tuple(map(len, self.class_dicts))
        self.watch = _Watch(self.snapshots, self.hooks, self.class_dicts)

    def _params(self) -> list[Any]:
        """Every leaf's ``params`` now, in one C-level pass."""
        return list(map(getattr, self.leaf_objs, self.param_names, repeat(None)))

    def _key(self) -> Hashable:
        return (
            tuple(s.key() for s in self.snapshots),
            tuple(id(value) for _, _, value in self.hooks),
            self.class_sizes,
        )

    def _changes(self, owner: Any) -> list[str]:
        """What changed since the last judgement, in words."""
        old = {id(s.obj): s for s in self.snapshots}
        out: list[str] = []
        seen: set[int] = set()
        for obj, location in _tree(owner):
            seen.add(id(obj))
            name = type(obj).__name__
            before = old.get(id(obj))
            where = f"{location} {name}" if location else name
            if before is None:
                out.append(f"{where} was added")
                continue
            if type(obj) is not before.cls:
                out.append(f"{location or 'the composition'} was a {before.cls.__name__} and is now a {name}")
            for n, ref in zip(before.names, before.refs, strict=True):
                now = _get(obj, n)
                if now is not ref and _freeze(now) != _freeze(ref):
                    out.append(f"{where}.{n} changed from {_show(ref)} to {_show(now)}")
            for i, then in before.mutable:
                now = _get(obj, before.names[i])
                if now is before.refs[i] and not _same(now, then):
                    out.append(f"{where}.{before.names[i]} was changed in place (now {_show(now)})")
            out += _state_changes(obj, before, where)
        out += [f"{s.location} {type(s.obj).__name__} was removed" for s in self.snapshots if id(s.obj) not in seen]
        patched = [f"{cls.__name__}.{name}" for cls, name, value in self.hooks if getattr(cls, name, None) is not value]
        grown = [c.__name__ for c, size in zip(self.classes, self.class_sizes, strict=True) if len(vars(c)) != size]
        out += [f"{name} was given or lost a class attribute (a hook set on it replaces its bases')" for name in grown]
        if patched or grown:
            forget_classes()  # what the reader found of these classes no longer holds
            out += [f"{name} was replaced on the class" for name in patched]
        return out

    def _rejudge(self, owner: Any, changes: list[str]) -> None:
        self._take(owner)
        key = self._key()
        verdict = self.cache.get(key)
        if verdict is None:
            verdict = judge(
                read_transform_list(list(owner.transforms), p=owner.p),
                self.policy,
                input_size=getattr(owner, "input_size", None),
            )
            if len(self.cache) >= 64:
                self.cache.pop(next(iter(self.cache)))
            self.cache[key] = verdict
        if not verdict.ok and changes:
            what = "; ".join(changes)
            verdict = replace(
                verdict,
                findings=tuple(
                    replace(f, message=f"the pipeline changed after it was built ({what}): {f.message}")
                    for f in verdict.findings
                ),
            )
        self.verdict = verdict
        self._limits()

    def before(self, owner: Any) -> None:
        self.calls += 1
        if not self.watch.unchanged():
            self._rejudge(owner, self._changes(owner))
        if not self.ok:
            raise AuditError(
                replace(
                    self.verdict,
                    findings=tuple(
                        replace(f, message=f"call {self.calls}: {f.message}") if f.severity == "error" else f
                        for f in self.verdict.findings
                    ),
                )
            )

    # -------------------------------------------------------------- what was applied

    def after(self, owner: Any) -> None:
        now = self._params()
        seen, self.seen = self.seen, now
        total: tuple[float, float, float, float] | None = None
        moved = 0
        findings: list[Finding] = []
        leaves = self.leaves
        for i in compress(self.leaf_range, map(operator.is_not, now, seen)):  # in C: who ran this call
            params = now[i]
            if not params:
                continue
            snap = leaves[i]
            linear = applied_linear(snap.obj, params)
            if linear is None:
                continue
            moved += 1
            total = linear if total is None else matmul(linear, total)
            findings += self._judge_applied(linear, snap.obj, snap.location)
        if moved > 1 and total is not None:
            findings += self._judge_applied(total, None, "")
        if findings:
            errors = [f for f in findings if f.severity == "error"]
            if errors:
                raise AuditError(Report(policy=self.policy.id, findings=tuple(errors)))

    def _limits(self) -> None:
        """The policy's bounds on what one call may apply, read once per verdict (not on every call)."""
        self.ok = self.verdict.ok
        policy = self.policy
        self.mirror_rule = policy.invariant("mirror")
        rotation = policy.invariant("rotation")
        self.rotation_rule = rotation if rotation is not None and rotation.needs_label_transform is None else None
        self.max_turn = math.inf
        if self.rotation_rule is not None:
            bound = self.rotation_rule.max if self.rotation_rule.allowed else 0.0
            if bound is not None:
                # A shear the pipeline is allowed tilts the axes by up to half its angle in this reading.
                self.max_turn = bound + self.verdict.envelope.shear / 2 + _ANGLE_TOLERANCE
        scale = policy.invariant("scale")
        self.scale_rule = scale if scale is not None and scale.needs_label_transform is None else None
        self.min_zoom, self.max_zoom = 0.0, math.inf
        if self.scale_rule is not None:
            lo, hi = (self.scale_rule.min, self.scale_rule.max) if self.scale_rule.allowed else (1.0, 1.0)
            self.min_zoom = lo * (1 - _SCALE_TOLERANCE) if lo is not None else 0.0
            self.max_zoom = hi * (1 + _SCALE_TOLERANCE) if hi is not None else math.inf

    def _judge_applied(self, m: tuple[float, float, float, float], obj: Any, location: str) -> list[Finding]:
        mirrored, angle, zoom = measure_linear(m)
        mirror_bad = mirrored and obj is not None and self.mirror_rule is not None
        if not mirror_bad and angle <= self.max_turn and self.min_zoom <= zoom <= self.max_zoom:
            return []  # the common case: nothing to say, nothing built
        name = type(obj).__name__ if obj is not None else None
        what = (
            f"{name} at {location} (read from the parameters it applied)"
            if obj is not None
            else "the transforms applied in this call, together (read from the parameters they applied),"
        )
        out: list[Finding] = []
        if mirror_bad and self.mirror_rule is not None and not self._mirror_ok(self.mirror_rule, obj):
            text = f"{what} mirrored the image (negative determinant)"
            out.append(self._finding(self.mirror_rule, name, location, text))
        if self.rotation_rule is not None and angle > self.max_turn:
            out.append(self._finding(self.rotation_rule, name, location, f"{what} turned the image by {angle:.3g}°"))
        if self.scale_rule is not None and not self.min_zoom <= zoom <= self.max_zoom:
            out.append(self._finding(self.scale_rule, name, location, f"{what} zoomed by {zoom:.3g}×"))
        return out

    def _mirror_ok(self, inv: Invariant, obj: Any) -> bool:
        if not inv.allowed:
            return False
        needed = inv.needs_label_transform
        if needed is None:
            return True
        for cls in type(obj).__mro__:
            entry = get_entry(qualified_name(cls))
            if entry is not None:
                return needed.name in entry.label_transforms
        return False

    def _finding(self, inv: Invariant, name: str | None, location: str, what: str) -> Finding:
        rule = RULES_BY_NAME[inv.effect]
        if rule.kind == "range":
            allows = allowance(inv, rule, (inv.min or 0.0, inv.max if inv.max is not None else math.inf))
        else:
            allows = allowance(inv, rule, inv.max)
        return Finding(
            code=rule.code,
            severity=inv.severity,
            message=f"call {self.calls}: {what}; policy {self.policy.id!r} {allows}.",
            transform=name,
            location=location,
            reason=inv.reason.strip(),
            fix=(inv.fix or "").strip()
            or "A transform did more at run time than its arguments say: check for a subclass or a changed "
            "attribute, and report the transform if its catalog entry is wrong.",
            effect=inv.effect,
            policy=self.policy.id,
            references=inv.references,
        )


_MOVES: dict[type, bool] = {}


def _may_move(cls: type) -> bool:
    """Whether a call of a ``cls`` transform may apply a turn, a mirror or a zoom that its parameters show."""
    found = _MOVES.get(cls)
    if found is None:
        entry = get_entry(cls.__name__)
        own = getattr(A, cls.__name__, None) is cls  # the exported class itself, not a subclass or a namesake
        found = _MOVES[cls] = not (own and entry is not None and entry.family != "geometric")
    return found


__all__ = ["AuditError", "Compose", "ReplayCompose"]
