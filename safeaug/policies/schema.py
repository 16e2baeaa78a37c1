"""The JSON Schema of policy files, shipped beside the built-in policies as ``policy.schema.json``.

Regenerate the shipped file after changing the models in ``safeaug/policy.py``::

    python -m safeaug.policies.schema          # rewrite safeaug/policies/policy.schema.json
    python -m safeaug.policies.schema --check  # exit 1 if the shipped file is out of date

Editors can validate policy files against it (for YAML, with a ``# yaml-language-server: $schema=...``
comment); ``safeaug schema`` prints the same document.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

from safeaug.policy import policy_json_schema

SCHEMA_PATH = Path(__file__).with_name("policy.schema.json")


def schema_text() -> str:
    """The schema as the shipped file holds it: JSON, indent 2, keys in model order, newline at the end."""
    return json.dumps(policy_json_schema(), indent=2, ensure_ascii=False) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    text = schema_text()
    if args == ["--check"]:
        current = SCHEMA_PATH.read_text(encoding="utf-8") if SCHEMA_PATH.exists() else ""
        if current != text:
            print(f"{SCHEMA_PATH} is out of date; run: python -m safeaug.policies.schema", file=sys.stderr)
            return 1
        return 0
    if args:
        print("usage: python -m safeaug.policies.schema [--check]", file=sys.stderr)
        return 2
    SCHEMA_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {SCHEMA_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
