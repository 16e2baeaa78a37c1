"""Every finding's wording: what is wrong, why it matters, what to write instead.

The checks decide; this module says it. Each function returns the ``message`` and ``fix`` (and, for the
codes not tied to a policy's invariant, the ``reason``) of a finding, as keyword arguments for
:meth:`~safeaug.validators.context.Judgement.finding`. Values and units are formatted by
:func:`safeaug.rules.fmt` and :func:`safeaug.rules.show`, the one copy of each.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from safeaug.catalog._registry import Entry, Knob, defaults_for, get_entry, is_setting
from safeaug.catalog._renames import X_ARGUMENTS, x_name
from safeaug.effects import Envelope, moved_fields
from safeaug.ir import Node
from safeaug.libraries import owner
from safeaug.libraries.timm import AUGMIX, AUTO, RAND
from safeaug.readers.vocabulary import installed_line
from safeaug.rules import Rule, fmt, show
from safeaug.validators.config_words import (
    BUILT_IN_FIX,
    STEP_FIXES,
    mm_form,
    refused_setting_fix,
    setting_fix,
    setting_form,
)
from safeaug.validators.context import Leaf
from safeaug.validators.plain import plain
from safeaug.validators.plain import written as plain_written

if TYPE_CHECKING:
    from safeaug.policy import Invariant
    from safeaug.probing import Measurement

Words = dict[str, str]


def allowance(inv: Invariant, rule: Rule, bound: Any) -> str:
    """What the policy allows of the effect, completing "policy `id` ..."."""
    if inv.needs_label_transform is not None and inv.allowed:
        return f"allows {rule.title} only together with a label transform that {inv.needs_label_transform.does}"
    if not inv.allowed or rule.kind == "flag":
        return f"does not allow {rule.title}"
    if rule.kind == "max":
        return f"allows at most {fmt(rule, bound)}"
    if rule.kind == "min":
        return f"requires at least {fmt(rule, bound)}"
    return f"allows {fmt(rule, bound)}"


def where(node: Node) -> str:
    return node.location or "the root"


# ------------------------------------------------------------------------------------------ arguments

# Arguments whose unit differs from the unit the message states: said next to the value, so that
# `hue_shift_limit=20` is not read as 20° when the message says ±40°.
_ARGUMENT_UNITS = {
    ("HueSaturationValue", "hue_shift_limit"): "in OpenCV hue units of 2°",
    ("HueSaturationValue", "sat_shift_limit"): "added to saturation on a 0–255 scale, so pale colours change most",
    ("HueSaturationValue", "val_shift_limit"): "added to value on a 0–255 scale",
    ("ColorJitter", "hue"): "a share of the colour wheel: 1 is 360°",
}


def spelled(transform: str, param: str) -> str:
    """An argument's name as the installed albumentations spells it: AlbumentationsX renamed some
    (``Rotate(limit=...)`` is ``angle_range`` there, and it drops ``limit`` with only a warning)."""
    if param not in X_ARGUMENTS.get(transform, {}).values():
        return param
    return x_name(transform, param) if installed_line().line == "X" else param


_ASSIGNED = re.compile(r"(?<![\w.])([A-Za-z_]\w*)=")


def _example(transform: str, knob: Knob, bound: Any) -> str:
    """The knob's example arguments, spelled as the installed albumentations takes them."""
    assert knob.example is not None
    text = knob.example(bound)
    if not X_ARGUMENTS.get(transform) or installed_line().line != "X":
        return text  # written in 2.0's names, which the installed line takes
    return _ASSIGNED.sub(lambda m: f"{spelled(transform, m.group(1))}=", text)


def param_note(leaf: Leaf, param: str) -> str:
    """The argument behind an effect, as written (or its default), in parentheses."""
    said = _param_said(leaf, param)
    return f" ({said})" if said else ""


def knob_note(leaf: Leaf, knob: Knob) -> str:
    """Every argument behind an effect, as written (or its default), in one pair of parentheses."""
    said = [s for s in (_param_said(leaf, p) for p in knob.params) if s]
    return f" ({'; '.join(said)})" if said else ""


def knob_names(knob: Knob, transform: str) -> str:
    """The knob's arguments for a sentence: `a`, `a` and `b`, `a`, `b` and `c`."""
    names = [f"`{spelled(transform, p)}`" for p in knob.params]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _param_said(leaf: Leaf, param: str) -> str:
    """What a finding says of one argument (its value as written or its default, and its unit when the message
    states another), or "" when it has neither value nor default."""
    node = leaf.node
    default = defaults_for(node.name).get(param)
    value = node.params.get(param, _ABSENT)
    name = spelled(node.name, param)  # what the installed albumentations calls it
    if value is not _ABSENT:
        if default is not None and node.alt_params and any(param not in alt for alt in node.alt_params):
            # Dropped by the installed line: written under another line's name (the 2.0 name on
            # AlbumentationsX is the one safeaug keeps; the other way round the note SA502 names it).
            said = (
                f"`{param}={show(value)}` as written; the installed albumentations ignores it and runs "
                f"`{name}={show(default)}`, the default"
            )
        else:
            # Given (in a config, a saved file or a live object): "the default" only when it is absent, so that
            # the verdict reads the same however the pipeline arrives.
            said = f"`{name}={show(value)}`"
    elif default is not None:
        said = f"`{name}={show(default)}`, the default"
    else:
        return ""
    unit = _ARGUMENT_UNITS.get((node.name, param))
    return f"{said}, {unit}" if unit else said


_ABSENT = object()


# ------------------------------------------------------------------------------------------ bounds


def over_bound(
    inv: Invariant, rule: Rule, leaf: Leaf, value: Any, bound: Any, policy_id: str, example_fits: str
) -> Words:
    """One transform that breaks an invariant on its own; ``example_fits``: whether its knob's example keeps it
    within the bound with its other arguments as written (``"yes"``), only at their defaults (``"alone"``), or
    not at all (``"no"``: the fix names the arguments and the bound), see ``bounds.example_fits``.

    The words are kept per everything they are made of (see :func:`_words_key`): a refused pipeline built
    again, as a training script does for each run or each worker, is worded once."""
    key = _words_key(inv, rule, leaf, value, bound, policy_id, example_fits)
    if key is not None:
        hit = _WORDS.get(key)
        if hit is not None and hit[0] is inv and hit[1] is leaf.entry and hit[2] is defaults_for(leaf.node.name):
            return dict(hit[3])
    words = _over_bound(inv, rule, leaf, value, bound, policy_id, example_fits)
    setting = setting_fix(leaf.node, rule, inv, bound)
    if setting is not None:  # a training setting (Ultralytics): its own value is what to change
        words["fix"] = setting
    if key is not None:
        if len(_WORDS) >= 1024:
            _WORDS.clear()
        # Holds the invariant, the entry and the defaults, so that no other object can take one of their ids.
        _WORDS[key] = (inv, leaf.entry, defaults_for(leaf.node.name), dict(words))
    return words


_WORDS: dict[tuple[Any, ...], tuple[Invariant, Entry | None, Any, Words]] = {}


def _words_key(
    inv: Invariant, rule: Rule, leaf: Leaf, value: Any, bound: Any, policy_id: str, example_fits: str
) -> tuple[Any, ...] | None:
    """What :func:`_over_bound`'s words depend on, or None when that cannot be told cheaply (another reading of
    the arguments, a knob whose detail reads any argument, a value that is not plain numbers and strings)."""
    node = leaf.node
    if node.alt_params:
        return None
    entry = leaf.entry
    knob = _knob(leaf, rule)
    if knob is not None and knob.detail is not None:
        return None
    said: tuple[Any, ...] = ()
    if knob is not None:
        params = node.params
        # Each argument the note quotes, as given (a 1-tuple) or absent (empty).
        said = tuple((v,) if (v := params.get(p, _ABSENT)) is not _ABSENT else () for p in knob.params)
    # The value, the bound and the arguments quoted, each plain, by their bytes: equal bytes are equal values of
    # the same types (an example written from a bound of 15 reads otherwise than from 15.0), which for an array
    # or a numpy number they are not.
    if not (plain(value) and plain(bound) and all(plain(v) for quoted in said for v in quoted)):
        return None
    written = plain_written((value, bound, said))
    if written is None:
        return None
    return (
        id(inv),
        id(entry),
        rule.name,
        node.name,
        node.written,
        node.foreign,
        policy_id,
        example_fits,
        installed_line().line,
        written,
    )


def _knob(leaf: Leaf, rule: Rule) -> Knob | None:
    """The transform's argument behind the effect, as its catalog entry names it (none for a step of another
    library, whose albumentations arguments the config does not write)."""
    return leaf.entry.knobs.get(rule.name) if leaf.entry is not None and not leaf.node.foreign else None


def _over_bound(
    inv: Invariant, rule: Rule, leaf: Leaf, value: Any, bound: Any, policy_id: str, example_fits: str
) -> Words:
    name = leaf.node.name
    knob = _knob(leaf, rule)
    note = knob_note(leaf, knob) if knob else ""
    if knob is not None and knob.detail is not None:
        note += knob.detail(leaf.node.params)
    needed = inv.needs_label_transform
    if needed is not None and inv.allowed:
        reach = "up to " if rule.kind == "max" else ""
        what = (
            f"`{name}` {rule.does}{note}"
            if rule.kind == "flag"
            else f"`{name}` {rule.does}: {reach}{fmt(rule, value)}{note}"
        )
        message = (
            f"{what}, and policy `{policy_id}` {allowance(inv, rule, None)}; `{name}` changes the image "
            "and leaves the labels as they were."
        )
        fix = (
            f"Remove `{name}` until the labels can change with it. A transform that also {needed.does} is "
            f"accepted once it declares the label transform `{needed.name}`, or once it is allowed by name "
            f"(`allow:`) in a policy that extends `{policy_id}`."
        )
        return {"message": message, "fix": _with_policy_fix(fix, inv, name)}
    if rule.kind == "flag":
        message = f"`{name}` {rule.does}{note} — policy `{policy_id}` {allowance(inv, rule, None)}."
    else:
        reach = "as little as " if rule.kind == "min" else "up to " if rule.kind == "max" else ""
        message = (
            f"`{name}` {rule.does}: {reach}{fmt(rule, value)}{note} — policy `{policy_id}` "
            f"{allowance(inv, rule, bound)}."
        )
    if rule.kind == "flag" or not inv.allowed:
        fix = (
            f"Change {knob_names(knob, name)} or remove `{name}`."
            if knob and rule.kind == "flag"
            else f"Remove `{name}`."
        )
    elif knob and knob.example is not None and example_fits == "yes":
        fix = f"Use `{name}({_example(name, knob, bound)})`."
    elif knob and knob.example is not None and example_fits == "alone":
        fix = (
            f"Use `{name}({_example(name, knob, bound)})`: with its other arguments as written it still goes beyond "
            f"{fmt(rule, bound)} (they move it too), so leave them at their defaults or narrow them as well."
        )
    elif knob:
        within = fmt(rule, bound)
        fix = f"Change {knob_names(knob, name)} of `{name}` so that it stays within {within}, or remove `{name}`."
    else:
        fix = f"Remove `{name}` or use a transform that stays within {fmt(rule, bound)}."
    step = STEP_FIXES.get((leaf.node.written, rule.name)) if leaf.node.foreign else None
    if step is not None:  # in the words of the library the step belongs to
        change, refused, own = step
        bounded = inv.allowed and rule.kind != "flag" and bound is not None
        said = change.format(bound=fmt(rule, bound)) if bounded else refused
        fix = f"{said}, or remove `{leaf.node.written}`."
        return {"message": message, "fix": fix if own else _with_policy_fix(fix, inv, name)}
    return {"message": message, "fix": _with_policy_fix(fix, inv, name)}


def as_written(node: Node) -> str:
    """The transform as the config writes it."""
    return node.written or node.name


def _with_policy_fix(fix: str, inv: Invariant, name: str) -> str:
    """The fix, then the policy's own (which speaks albumentations): for a mirrored border of another
    library's transform, that library's way to ask for a constant border instead."""
    if inv.effect == "reflect_border" and "." in name:
        library = owner(name)
        if library is not None and library.constant_border:
            return f"{fix} {library.constant_border}"
    return f"{fix} {inv.fix.strip()}" if inv.fix else fix


def part(leaf: Leaf, rule: Rule, value: Any) -> str:
    """A transform's share of an effect that several reach together."""
    return f"`{as_written(leaf.node)}` at {where(leaf.node)} ({fmt(rule, value)})"


def shear_part(leaf: Leaf) -> str:
    """A transform that shears only together with another (a turn followed by a stretch)."""
    env = leaf.envelope
    did = f"(turns up to ±{env.rotation:g}°)" if env.rotation else "(stretches one axis)"
    return f"`{as_written(leaf.node)}` at {where(leaf.node)} {did}"


def growth_part(leaf: Leaf) -> str:
    """A transform whose grown frame lets a later cut-out hide more of the content."""
    return (
        f"`{as_written(leaf.node)}` at {where(leaf.node)} (grows the frame around the content "
        f"{leaf.envelope.canvas_growth:.3g}× in area)"
    )


def together(
    inv: Invariant,
    rule: Rule,
    parts: Iterable[str],
    value: Any,
    bound: Any,
    policy_id: str,
    *,
    after: bool,
    settings: Iterable[str] = (),
    added: bool = False,
) -> Words:
    """Several transforms that break an invariant together (``after``: besides those flagged on their own;
    ``settings``: the training settings, Ultralytics' or detectron2's, that some of them are read from, which
    no ``OneOf`` can hold; ``added``: some are the transforms Ultralytics adds by itself)."""
    lead = "Even without the transforms flagged above, " if after else ""
    message = (
        f"{lead}{'together' if lead else 'Together'}, {', '.join(parts)} {rule.does.removeprefix('may ')} "
        f"by {fmt(rule, value)} — policy `{policy_id}` {allowance(inv, rule, bound)}."
    )
    named = list(settings)
    if named or added:
        keys = ", ".join(f"`{key}`" for key in named)
        fix = f"Lower {keys} so that together they stay within {fmt(rule, bound)}." if named else ""
        fix = f"{fix} {BUILT_IN_FIX}".strip() if added else fix
    else:
        fix = (
            f"Reduce them so that together they stay within {fmt(rule, bound)}, "
            "or put them in a OneOf so that only one of them runs."
        )
    return {"message": message, "fix": fix}


def combined_flag(inv: Invariant, rule: Rule, selective: list[Node], policy_id: str, *, after: bool) -> Words:
    """A yes/no effect that only the combination has (a SelectiveChannelTransform changing some channels)."""
    named = ", ".join(f"`{n.name}` at {where(n)}" for n in selective) or "the way they are combined"
    lead = "Even without the transforms flagged above, " if after else ""
    message = (
        f"{lead}{named} can {rule.does.removeprefix('may ')} by changing some channels and not others — policy "
        f"`{policy_id}` {allowance(inv, rule, None)}."
    )
    return {
        "message": message,
        "fix": "Apply the change to every channel (outside SelectiveChannelTransform), or remove it.",
    }


# ------------------------------------------------------------------------------------------ by name


def denied(name: str, policy_id: str) -> Words:
    return {"message": f"`{name}` is denied by name in policy `{policy_id}`.", "fix": f"Remove `{name}`."}


_UNKNOWN_REASON = "An unchecked transform could mirror, turn or recolour images without anyone noticing."


def unknown(leaf: Leaf, what: str, after: str = "") -> Words:
    """A transform safeaug cannot describe: refused."""
    return {
        "message": f"{what}; safeaug refuses what it cannot check.{after}",
        "reason": _UNKNOWN_REASON,
        "fix": unknown_fix(leaf.node, leaf.entry),
    }


def unknown_what(leaf: Leaf, problem: str | None) -> str:
    """Why a transform has no usable catalog entry."""
    name = leaf.node.name
    if leaf.entry is not None and leaf.entry.unknown:
        return f"`{name}` {leaf.entry.summary}"
    held = _odd_children(leaf.node)
    if held:
        return (
            f"`{name}` holds its transforms in a `{held}`, not a list: albumentations iterates, indexes and counts "
            "it, and each of those can give other transforms than the ones read"
        )
    if problem:
        if get_entry(name) is not None:  # the library's own class, changed on the object or patched
            return f"`{name}` cannot be judged by its catalog entry: {problem}"
        return f"`{name}` has no catalog entry: {problem}"
    setting = setting_form(leaf.node)
    if setting is not None:
        owner = {"ultralytics": "Ultralytics", "timm": "timm"}.get(leaf.node.name.split(".", 1)[0], "detectron2")
        return (
            f"the {owner} setting `{leaf.node.written}` cannot be read here ({setting}), so what it does to an "
            "image is unknown"
        )
    unread = mm_form(leaf.node)
    if unread == "unscoped":
        step = leaf.node.written
        return (
            f"`{step}` means one thing in mmseg (`crop_size` is (h, w)) and another in mmdet ((w, h)), and nothing "
            f"in this pipeline says whose it is: write `type='mmseg.{step}'` or `type='mmdet.{step}'`"
        )
    if unread is not None:
        return (
            f"`{leaf.node.written}` is an mmcv step safeaug reads only in some forms, and not as written here "
            f"({unread}), so what it does to an image is unknown"
        )
    return f"`{name}` is not in safeaug's catalog, so what it does to an image is unknown"


def probe_failed(reason: str) -> str:
    return f" Probing it failed: {reason}"


def _outside_catalog(node: Node) -> str:
    """Why a probed transform was not judged by the catalog."""
    if node.overrides and get_entry(node.name) is not None:
        names = ", ".join(f"`{n}`" for n in node.overrides)
        if all(map(is_setting, node.overrides)):
            return f"`{node.name}` is set with AlbumentationsX arguments its catalog entry does not model ({names})"
        return (
            f"`{node.name}` no longer runs only the library's own code ({names} changed), so its catalog entry "
            "does not hold"
        )
    return f"`{node.name}` is not in safeaug's catalog"


def probe_blind(node: Node, blind: list[str], policy_id: str, notes: list[str]) -> str:
    """A probed transform whose probe could not measure what the policy bounds."""
    said = "; ".join(notes)
    return (
        f"{_outside_catalog(node)}, and probing it could not measure {', '.join(blind)}, which "
        f"policy `{policy_id}` bounds" + (f" ({said})" if said else "")
    )


def _odd_children(node: Node) -> str:
    """The type holding a composition's transforms, when the reader refused it for not being a list or a tuple."""
    if node.mode is not None or "transforms" not in node.overrides:
        return ""
    held = getattr(node.obj, "transforms", None)
    return "" if held is None or type(held) in (list, tuple) else type(held).__name__


def unknown_fix(node: Node, entry: Entry | None, *, probed: bool = False) -> str:
    if _odd_children(node):
        return f"Give `{node.name}` its transforms as a plain list: {node.name}(list(transforms), ...)."
    if entry is not None and entry.unknown:  # Lambda: one entry cannot describe every function
        return (
            f"Write the function as a transform class and describe it with safeaug.register_transform(...), "
            f"or add `{node.name}` to the policy's `allow` list with the reason every function in it is safe."
        )
    short = node.name.rsplit(".", 1)[-1]
    if entry is None and node.overrides and all(map(is_setting, node.overrides)) and get_entry(node.name):
        return (  # AlbumentationsX arguments the catalog does not model
            f"Leave {', '.join(f'`{n.split(chr(61))[0]}`' for n in node.overrides)} at the default, "
            f"{'' if probed else 'run validate(..., probe=True) to measure what it does, '}or describe it with "
            f"safeaug.register_transform({short}, safeaug.Envelope(...), replace=True)."
        )
    if entry is None and node.overrides and get_entry(node.name) is not None:  # the library's class, changed
        return (
            f"Undo the change to {', '.join(f'`{n}`' for n in node.overrides)} (build a fresh `{short}`, or drop "
            f"the patch), {'' if probed else 'run validate(..., probe=True) to measure what it does now, '}or "
            f"describe it with safeaug.register_transform({short}, safeaug.Envelope(...), replace=True)."
        )
    refused = refused_setting_fix(node)
    if refused is not None:
        return refused
    if mm_form(node) is not None:
        return (
            f"Write `{node.written}` in a form safeaug reads (docs/lint.md lists them), or add `{node.name}` to "
            "the policy's `allow` list with the reason it is safe."
        )
    return (
        f"Describe it with safeaug.register_transform({short}, safeaug.Envelope(...)), "
        f"or add `{node.name}` to the policy's `allow` list with the reason it is safe."
    )


# What no probe sees, named in SA408 findings.
BLIND_SPOTS = frozenset({"mixing", "topology", "overlay", "equalization", "compression"})


def describe_effects(env: Envelope) -> list[str]:
    out: list[str] = []
    for name, value in moved_fields(env):
        if isinstance(value, bool):
            out.append(name.replace("_", " "))
        else:
            out.append(f"{name} {value:.3g}")
    return out


def rarest_seen(draws: int) -> float:
    """The rate (0-1) above which an effect shows in ``draws`` independent draws with 95% confidence: the chance
    ``(1 - rate) ** draws`` that every draw misses it is 0.05 (16 draws: 17%; 256: 1.2%)."""
    return float(1.0 - 0.05 ** (1.0 / max(draws, 1)))


def probed(leaf: Leaf, measured: Measurement) -> Words:
    """A transform without a catalog entry, judged by what probing saw it do."""
    seen = ", ".join(describe_effects(leaf.envelope)) or "no effect"
    blind = ", ".join(sorted(BLIND_SPOTS & set(measured.unmeasured)))
    unrun = "".join(f", and {n.split(': ', 1)[0]}" for n in measured.notes if n.startswith("it did not run on"))
    return {
        "message": (
            f"{_outside_catalog(leaf.node)}; it was described by probing {measured.samples} runs "
            f"({seen}; widened by the measurement tolerance) and judged by that. A probe is a sample, not a "
            f"guarantee: it ran on {'; '.join(measured.inputs) or 'its probe images'}, so other image sizes, "
            f"aspect ratios, channel counts and pixel types stay unseen{unrun}; it cannot see {blind}; and an "
            f"effect drawn on fewer than {100 * rarest_seen(measured.samples):.2g}% of calls can have shown in none "
            f"of the {measured.samples} draws (a chance over 5%; `seeds=` draws more)."
        ),
        "reason": "A measured description holds for the runs that were made; a catalog entry holds for every run.",
        "fix": "For a static guarantee: " + unknown_fix(leaf.node, leaf.entry, probed=True),
    }


# ------------------------------------------------------------------------------------------ destroyed images

# How degenerate arguments destroy the image, per transform (the catalog entry says when).
_DESTROYS = {
    "GaussianBlur": (
        "a zero sigma builds a kernel of NaN (0/0), so every output pixel is NaN, white once stored as uint8. "
        "albumentations 1.x read sigma 0 (its default) as 'derive sigma from the kernel size'; a config saved "
        "under 1.x whitens every image under 2.0.8."
    ),
    "AdvancedBlur": (
        "a sigma range at 0 on one axis makes the kernel's covariance singular, so a call either fails or (under "
        "a turn that leaves it barely invertible) gives NaN for every pixel, white once stored as uint8."
    ),
    "RingingOvershoot": "a zero cutoff makes the sinc kernel 0/0, so every pixel is NaN, white once stored as uint8.",
}
_NO_BIT = (
    "its Posterize keeps no bit at the lowest levels its magnitude (or its noise) may draw: older Pillow returns a "
    "black image, Pillow 13 stops the run with an error (bits must be 1 to 8)."
)
_DESTROYS.update(dict.fromkeys((RAND, AUTO, AUGMIX), _NO_BIT))
_DESTROYS_ANY = "every output pixel takes one value."


def destroyed(leaf: Leaf) -> Words:
    name = leaf.node.name
    knob = leaf.entry.knobs.get("destroys") if leaf.entry is not None else None
    note = knob_note(leaf, knob) if knob else ""
    fix = f"Use `{name}({_example(name, knob, None)})`." if knob and knob.example is not None else f"Remove `{name}`."
    lib = owner(name)
    maker = f"{lib.name} {lib.version}" if lib is not None else "albumentations 2.0.8"
    return {
        "message": f"`{name}`{note} makes {maker} replace every pixel: {_DESTROYS.get(name, _DESTROYS_ANY)}",
        "reason": "An image whose every pixel is one value (or NaN) carries no label; training on it teaches noise.",
        "fix": fix,
    }


# ------------------------------------------------------------------------------------------ folding grids


def folding_grid(
    name: str, magnitude: float, grid: tuple[int, int], width: float, height: float, safe: int, side: int
) -> Words:
    return {
        "message": (
            f"`{name}(num_grid_xy=({grid[0]}, {grid[1]}), magnitude={magnitude:g})` can fold a grid "
            f"cell on images up to {width:g} px wide or {height:g} px high (a cell folds from a magnitude "
            f"of a quarter of its side): albumentations 2.0.8 then moves keypoints off the pixels they "
            f"mark, while the image and masks stay together."
        ),
        "reason": (
            "A keypoint that lands on other content keeps its label: landmarks, poses and point "
            "annotations become wrong without any error. Images and masks are not affected."
        ),
        "fix": (
            f"Keep `magnitude` below a quarter of the smallest cell on your images (image side / "
            f"num_grid_xy / 4; at most {safe} for {side} px images with this grid): lower "
            "`magnitude` or use fewer grid cells, or use ElasticTransform when the pipeline carries "
            "keypoints. Without keypoints, ignore this warning."
        ),
    }


# ------------------------------------------------------------------------------------------ shear after a turn


def turns_then_stretches(name: str, policy_id: str) -> Words:
    return {
        "message": (
            f"`{name}` turns the image and then scales each axis back into the frame by its "
            f"own factor: on a non-square image the turned image is sheared by an amount that depends "
            f"on the input's aspect — policy `{policy_id}` bounds shear."
        ),
        "fix": f"Use `Rotate` (with `crop_border=True` to keep no fill) instead of `{name}`, or "
        "make the images square first.",
    }


def resize_after_turn(name: str, turner: Node, policy_id: str) -> Words:
    return {
        "message": (
            f"`{name}` resizes to a fixed size after `{turner.name}` at {where(turner)} turns the "
            f"image: when the resize changes the aspect, the turned image is sheared by an amount that "
            f"depends on the input size — policy `{policy_id}` bounds shear."
        ),
        "fix": f"Resize before `{turner.name}`, or keep the input's aspect (LongestMaxSize, SmallestMaxSize).",
    }


# ------------------------------------------------------------------------------------------ occlusion after growth


def occlusion_after_growth(name: str, hiders: list[Leaf], rule: Rule, inv: Invariant, policy_id: str) -> Words:
    named = ", ".join(f"`{leaf.node.name}`" for leaf in hiders) or "a later cut-out"
    bound = fmt(rule, inv.max or 0.0)
    return {
        "message": (
            f"`{name}` grows the frame around the image by an amount that depends on the input size, "
            f"so {named} after it can hide a larger share of the content than of the frame — policy "
            f"`{policy_id}` allows at most {bound} hidden."
        ),
        "fix": (
            "Cut out before padding, or pad by a fraction of the image (`CropAndPad(percent=...)`, which "
            f"safeaug can bound); otherwise check that padding plus cut-outs stay within {bound} for your inputs."
        ),
    }


# ------------------------------------------------------------------------------------------ effects in pixels


def crops_refused(name: str, policy_id: str) -> Words:
    return {
        "message": f"`{name}` crops the image — policy `{policy_id}` does not allow crops.",
        "fix": f"Remove `{name}`.",
    }


def crop_share_by_aspect(name: str, rule: Rule, kept: float, floor: float, policy_id: str, foreign: bool) -> Words:
    """A crop whose share holds for a square input only (``foreign``: see ``Node.foreign``)."""
    bound = fmt(rule, floor)
    ratio = "an `aspect_ratio_range`" if foreign else "a `ratio` range"
    return {
        "message": (
            f"`{name}` keeps {fmt(rule, kept)} of a square input, but the share depends on the "
            f"input's aspect: on a longer or thinner image it keeps less (a random-resized crop falls "
            f"back to a centre crop of its largest ratio, a turned crop to a thinner rectangle) — "
            f"policy `{policy_id}` requires crops to keep at least {bound}."
        ),
        "fix": f"Make sure your inputs' aspect lets `{name}` keep {bound} (for a random-resized crop, {ratio} "
        "that contains the input's width/height), or pad the inputs to a square first.",
    }


# mmcv steps read as a crop in pixels that take no crop size (their cut depends on the input and a drawn centre).
_CUT_WITHOUT_A_SIZE = frozenset({"Mosaic", "CachedMosaic", "RandomAffine", "mosaic"})


def crop_in_pixels(name: str, rule: Rule, floor: float, policy_id: str, foreign: bool, written: str = "") -> Words:
    """``written``: the step as the config writes it, when it is read as another transform (an mmcv step)."""
    bound = fmt(rule, floor)
    message = (
        f"`{name}` crops to a size in pixels, so the share of the image it keeps depends on the "
        f"input size — policy `{policy_id}` requires crops to keep at least {bound}."
    )
    if foreign and written.partition(": ")[0] in _CUT_WITHOUT_A_SIZE:  # a mosaic's cut: no crop size to change
        return {"message": message, "fix": f"Make sure `{written}` keeps {bound} of your inputs, and allow it by name."}
    instead = (
        f"a larger `crop_size` (or mmpretrain's `RandomResizedCrop(scale=..., crop_ratio_range=({floor:g}, 1.0))`)"
        if foreign
        else f"`RandomResizedCrop(size=..., scale=({floor:g}, 1.0))`"
    )
    return {
        "message": message,
        "fix": f"Use {instead}, or make sure the crop keeps {bound} of your inputs and allow it by name.",
    }


def shift_in_pixels(leaf: Leaf, rule: Rule, inv: Invariant, policy_id: str) -> Words:
    return {
        "message": (
            f"`{leaf.node.name}` shifts by up to {leaf.envelope.translation_px:g} px, which cannot be compared with "
            f"policy `{policy_id}`'s bound of {fmt(rule, inv.max or 0.0)} without the image size."
            if not math.isinf(leaf.envelope.translation_px)  # a distance in mm (TorchIO): no image size settles it
            else f"`{leaf.node.name}` shifts by a distance in mm, whose size in pixels depends on the voxel spacing: "
            f"it cannot be compared with policy `{policy_id}`'s bound of {fmt(rule, inv.max or 0.0)}."
        ),
        "fix": shift_fix(leaf, inv),
    }


def shift_fix(leaf: Leaf, inv: Invariant) -> str:
    """A fix for a shift in pixels that names only arguments the transform has."""
    name = leaf.node.name
    if "translate_percent" in defaults_for(name):
        return f"Give the shift as a fraction: `translate_percent=({-(inv.max or 0):g}, {inv.max or 0:g})`."
    knob = leaf.entry.knobs.get("translation") if leaf.entry is not None else None
    if knob is not None:
        return f"Change {knob_names(knob, name)} of `{name}` so that it does not shift the image, or remove `{name}`."
    return f"Remove `{name}`, or shift with `Affine(translate_percent=...)`, whose shift is a share of the image."


def crop_on_frame(
    name: str, rule: Rule, kept: float, floor: float, frame: tuple[float, float], policy_id: str, foreign: bool
) -> Words:
    """A crop in pixels on a frame of known size (``foreign``: see ``Node.foreign``)."""
    h, w = frame
    instead = (
        "a larger `crop_size`"
        if foreign
        else f"`RandomResizedCrop(size=({h:g}, {w:g}), scale=({floor:g}, 1.0))`, or a larger crop"
    )
    return {
        "message": (
            f"`{name}` {rule.does}: it keeps as little as {fmt(rule, kept)} of a {h:g}×{w:g} px image "
            f"— policy `{policy_id}` requires at least {fmt(rule, floor)}."
        ),
        "fix": f"Crop at least {fmt(rule, floor)} of the image: {instead}.",
    }


def shift_on_frame(
    leaf: Leaf, rule: Rule, inv: Invariant, shift: float, frame: tuple[float, float], policy_id: str
) -> Words:
    h, w = frame
    limit = inv.max or 0.0
    return {
        "message": (
            f"`{leaf.node.name}` {rule.does}: up to {fmt(rule, shift)} ({leaf.envelope.translation_px:g} px of a "
            f"{h:g}×{w:g} px image) — policy `{policy_id}` {allowance(inv, rule, limit)}."
        ),
        "fix": f"Shift by at most {limit * min(h, w):.0f} px. {shift_fix(leaf, inv)}",
    }


# ------------------------------------------------------------------------------------------ resolution


def size_words(node: Node) -> str:
    """The size a resize gives, as its arguments say it."""
    params = node.params
    if node.name == "Resize" and "height" in params and "width" in params:
        return f"to {show(params['height'])}×{show(params['width'])} px"
    if node.name in ("LongestMaxSize", "SmallestMaxSize") and params.get("max_size") is not None:
        side = "longest" if node.name == "LongestMaxSize" else "shortest"
        return f"{side} side to {show(params['max_size'])} px"
    if "size" in params:
        return f"to {show(params['size'])} px"
    return ""


def resizers(nodes: Iterable[Node]) -> str:
    return ", then ".join(
        f"`{as_written(n)}` at {where(n)}" + (f" ({size_words(n)})" if size_words(n) else "") for n in nodes
    )


def resolution_lost(
    named: str, on: str, rule: Rule, inv: Invariant, kept: float, floor: float, policy_id: str
) -> Words:
    return {
        "message": (
            f"Together, {named} pass the image through a smaller size than they give it: {on} they "
            f"keep {fmt(rule, kept)}, the detail `Downscale(scale_range=({kept:.3g}, {kept:.3g}))` "
            f"keeps — policy `{policy_id}` {allowance(inv, rule, floor)}."
        ),
        "fix": (
            "Resize once, to the size the model takes, and crop or pad around it; or make the smallest "
            f"size in the chain at least {floor:g} of the final size."
        ),
    }


def resolution_by_aspect(
    named: str, rule: Rule, inv: Invariant, worst: float, square: float, floor: float, policy_id: str
) -> Words:
    return {
        "message": (
            f"Together, {named} may keep as little as {fmt(rule, worst)} on images "
            f"of aspect 1:4 or 4:1 (square images keep at least {fmt(rule, square)}): the resolution "
            f"they lose depends on the input's aspect — policy `{policy_id}` "
            f"{allowance(inv, rule, floor)}."
        ),
        "fix": "Give the input size (`input_size=(H, W)`, `--input-size HxW`) for an exact verdict, or "
        "resize with the input's aspect kept at every step.",
    }


def on_inputs(input_size: tuple[int, int] | None, worst_input: tuple[float, float] | None, huge: float) -> str:
    """Which inputs lose the resolution, in words."""
    if input_size is not None:
        return f"on a {input_size[0]}×{input_size[1]} px input"
    if worst_input is not None and worst_input[0] >= huge:
        return "on large inputs"
    if worst_input is not None:
        return f"on inputs of {worst_input[0]:g} px a side"
    return ""
