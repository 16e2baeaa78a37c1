"""The ``--format`` table and the streamed reporter: a streamed run writes what the whole-result reporter writes."""

from __future__ import annotations

import io

import pytest
from hand_built import per_file, result

from safeaug.report.stream import REPORTERS, STREAMED, Stream


def test_every_format_has_a_reporter_and_sarif_alone_is_written_whole() -> None:
    assert set(REPORTERS) == {"text", "json", "github", "sarif"}
    assert set(REPORTERS) - {"sarif"} == STREAMED


@pytest.mark.parametrize("fmt", sorted(STREAMED))
@pytest.mark.parametrize("show_suppressed", [False, True])
def test_streaming_file_by_file_writes_what_the_whole_result_writes(fmt: str, show_suppressed: bool) -> None:
    whole, streamed = io.StringIO(), io.StringIO()
    done = result()
    REPORTERS[fmt](done, whole, show_suppressed=show_suppressed)
    stream = Stream(fmt, streamed, show_suppressed=show_suppressed)
    for outcome in per_file():
        stream.file(outcome)
    stream.end(done)
    assert streamed.getvalue() == whole.getvalue()
