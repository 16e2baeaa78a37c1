"""``safeaug auto POLICY [--method rand|trivial] [--n N] [--m M] [--set K=V] -o FILE``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from safeaug.errors import SafeaugError

_FORMATS = {".json": "json", ".yaml": "yaml", ".yml": "yaml"}


def run_auto(args: argparse.Namespace) -> int:
    """Write the config; 0 on success, 2 on a usage error (named, never a traceback)."""
    from safeaug.lint.settings import SettingsError, parse_param

    out = Path(args.output)
    fmt = _FORMATS.get(out.suffix.lower())
    if fmt is None:
        print(f"safeaug: error: {out}: expected a .json, .yaml or .yml file name", file=sys.stderr)
        return 2
    try:
        params = dict(parse_param(p) for p in args.params)
        import albumentations as A

        from safeaug.auto.transforms import RandAugment, TrivialAugment

        if args.method == "rand":
            m = int(args.m) if float(args.m).is_integer() else args.m
            transform = RandAugment(args.policy, n=args.n, m=m, params=params)
        else:
            transform = TrivialAugment(args.policy, params=params)
        pipeline = A.Compose([transform])
        A.save(pipeline, str(out), data_format=fmt)
    except (SafeaugError, SettingsError) as exc:
        print(f"safeaug: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"safeaug: error: {out}: cannot write: {exc.strerror or exc}", file=sys.stderr)
        return 2
    ops = ", ".join(transform.ops)
    print(
        f"wrote {out}: {type(transform).__name__} inside `{transform.policy.id}` over {len(transform.ops)} ops ({ops})"
    )
    return 0
