"""What the validator found, as data (:class:`Finding`, :class:`Report`), and how ``safeaug lint`` writes it.

One module per output format: :mod:`~safeaug.report.text` for people, :mod:`~safeaug.report.json_output`
for scripts, :mod:`~safeaug.report.github` for workflow annotations, :mod:`~safeaug.report.sarif` for code
scanning; :mod:`~safeaug.report.stream` maps ``--format`` names to them and streams each file's findings as
they are known. Importing this package loads only the data classes: the formats load when asked for.
"""

from __future__ import annotations

from safeaug.report.findings import Finding, Report, Severity, merge_reports

__all__ = ["Finding", "Report", "Severity", "merge_reports"]
