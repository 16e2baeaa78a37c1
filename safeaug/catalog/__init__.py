"""Transform -> envelope: what each albumentations transform can do, given its arguments.

Entries live in one module per effect family; importing this package registers them all.
"""

from __future__ import annotations

from safeaug.catalog import auto as auto  # safeaug.auto's RandAugment and TrivialAugment, judged by their op space
from safeaug.catalog import degradation, geometric, occlusion, photometric, structural
from safeaug.catalog import label_aware as label_aware  # safeaug.labels' transforms; reuses photometric's ColorJitter
from safeaug.catalog._registry import (
    CONTRACTS,
    Contract,
    Entry,
    Knob,
    Params,
    Resolution,
    add_defaults,
    contract_breaches,
    defaults_for,
    entry,
    get_entry,
    known_names,
    qualified_name,
    register_transform,
    resolve,
    seal_own_entries,
    short_name,
    unregister_transform,
)

seal_own_entries()  # every entry so far is safeaug's own: unregister_transform removes only a user's

FAMILIES = (geometric, photometric, degradation, occlusion, structural)

__all__ = [
    "CONTRACTS",
    "Contract",
    "Entry",
    "Knob",
    "Params",
    "Resolution",
    "add_defaults",
    "contract_breaches",
    "defaults_for",
    "entry",
    "get_entry",
    "known_names",
    "qualified_name",
    "register_transform",
    "resolve",
    "short_name",
    "unregister_transform",
]
