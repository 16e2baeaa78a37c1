"""``safeaug lint``: find files, settle settings, read, judge, filter, suppress.

Nothing it reads is run or changed: configs are parsed (YAML safely, Python as source), never imported,
and files are only ever opened for reading.

* :mod:`~safeaug.lint.settings`: ``[tool.safeaug]``, the command line, and the plan they make;
* :mod:`~safeaug.lint.discover`: which files are read;
* :mod:`~safeaug.lint.suppressions`: ``# safeaug: ignore[...] -- reason`` comments;
* :mod:`~safeaug.lint.engine`: each file read once, its pipelines judged;
* :mod:`~safeaug.lint.results`: what a run found.

>>> from safeaug.lint import lint
>>> result = lint(["examples/configs/chest_xray/good.yaml"], policy="chest_xray")  # doctest: +SKIP
>>> result.exit_code  # doctest: +SKIP
0
"""

from __future__ import annotations

from safeaug.lint.discover import SKIPPED_DIRS, SUFFIXES, discover, discover_with_origin
from safeaug.lint.engine import check_file, lint
from safeaug.lint.results import FileResult, JudgedFile, LintResult, Problem, Suppressed
from safeaug.lint.settings import Selection, SettingsError, UsageError
from safeaug.lint.suppressions import Suppression, apply_suppressions, read_suppressions

__all__ = [
    "SKIPPED_DIRS",
    "SUFFIXES",
    "FileResult",
    "JudgedFile",
    "LintResult",
    "Problem",
    "Selection",
    "SettingsError",
    "Suppressed",
    "Suppression",
    "UsageError",
    "apply_suppressions",
    "check_file",
    "discover",
    "discover_with_origin",
    "lint",
    "read_suppressions",
]
