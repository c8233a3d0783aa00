"""domain/schedule.py: which layout is live when, the timeline with its gaps and overlaps, typed moments."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ca_editor.domain.schedule import (
    LayoutVariant,
    ScheduleError,
    SegmentKind,
    iso_utc,
    live_variant,
    name_problem,
    overlapping_pairs,
    parse_moment,
    timeline,
    timeline_days,
    variant_slug,
    window_problem,
)

T0 = datetime(2026, 12, 11, 0, 0, tzinfo=UTC)


def hours(n: float) -> datetime:
    return T0 + timedelta(hours=n)


def variant(vid: int, start: float, end: float | None, name: str = "") -> LayoutVariant:
    return LayoutVariant(vid, 1, name or f"v{vid}", hours(start), hours(end) if end is not None else None)


def test_a_variant_is_live_inside_its_window_and_main_outside() -> None:
    weekend = variant(1, 10, 20)
    assert live_variant([weekend], hours(9.99)) is None
    assert live_variant([weekend], hours(10)) == weekend
    assert live_variant([weekend], hours(19.9)) == weekend
    assert live_variant([weekend], hours(20)) is None  # the end is exclusive


def test_an_open_ended_variant_stays_live() -> None:
    election = variant(1, 5, None)
    assert live_variant([election], hours(5000)) == election


def test_overlap_the_latest_start_wins_then_the_first_created() -> None:
    early, late = variant(1, 0, 30), variant(2, 10, 20)
    assert live_variant([early, late], hours(15)) == late
    assert live_variant([early, late], hours(25)) == early
    twin_a, twin_b = variant(7, 10, 20), variant(3, 10, 12)
    assert live_variant([twin_a, twin_b], hours(11)) == twin_b


def test_timeline_marks_main_variant_gap_and_overlap() -> None:
    a, b, c = variant(1, 10, 20), variant(2, 30, 50), variant(3, 40, 60)
    segments = timeline([a, b, c], hours(0), hours(72))
    shape = [(s.starts_at, s.ends_at, s.kind, s.label, s.gap) for s in segments]
    assert shape == [
        (hours(0), hours(10), SegmentKind.MAIN, "main", False),
        (hours(10), hours(20), SegmentKind.VARIANT, "v1", False),
        (hours(20), hours(30), SegmentKind.MAIN, "main", True),
        (hours(30), hours(40), SegmentKind.VARIANT, "v2", False),
        (hours(40), hours(50), SegmentKind.OVERLAP, "v3", False),
        (hours(50), hours(60), SegmentKind.VARIANT, "v3", False),
        (hours(60), hours(72), SegmentKind.MAIN, "main", False),
    ]
    assert segments[4].covering == (b, c)


def test_timeline_over_days_and_empty_span() -> None:
    assert timeline_days([], T0, 7)[0].ends_at == T0 + timedelta(days=7)
    assert timeline([], T0, T0) == ()


def test_overlapping_pairs_touching_windows_do_not_overlap() -> None:
    a, b, c = variant(1, 0, 10), variant(2, 10, 20), variant(3, 15, None)
    assert overlapping_pairs([c, a, b]) == [(b, c)]


windows = st.lists(st.tuples(st.integers(0, 200), st.one_of(st.none(), st.integers(1, 100))), max_size=6).map(
    lambda pairs: [
        variant(i + 1, start, None if length is None else start + length)
        for i, (start, length) in enumerate(pairs)
    ]
)


@given(windows, st.integers(0, 150), st.integers(1, 150))
def test_timeline_tiles_the_span_and_agrees_with_live_variant(
    variants: list[LayoutVariant], start: int, length: int
) -> None:
    segments = timeline(variants, hours(start), hours(start + length))
    assert segments[0].starts_at == hours(start)
    assert segments[-1].ends_at == hours(start + length)
    for first, second in itertools.pairwise(segments):
        assert first.ends_at == second.starts_at
        assert {v.id for v in first.covering} != {v.id for v in second.covering}  # merged when equal
    for segment in segments:
        for probe in (segment.starts_at, segment.ends_at - timedelta(minutes=30)):
            assert segment.live == live_variant(variants, probe)
            covering = {v.id for v in variants if v.live_at(probe)}
            assert {v.id for v in segment.covering} == covering
        assert segment.kind is not SegmentKind.OVERLAP or len(overlapping_pairs(list(segment.covering))) > 0


@settings(max_examples=40)
@given(windows)
def test_overlapping_pairs_match_shared_moments(variants: list[LayoutVariant]) -> None:
    found = {(a.id, b.id) for a, b in overlapping_pairs(variants)}
    for a in variants:
        for b in variants:
            if a.id < b.id:
                shared = any(a.live_at(hours(h / 2)) and b.live_at(hours(h / 2)) for h in range(700))
                assert ((a.id, b.id) in found or (b.id, a.id) in found) == shared


def test_window_and_name_problems() -> None:
    assert window_problem(hours(2), hours(1)) == "the end must come after the start"
    assert window_problem(hours(2), hours(2)) is not None
    assert window_problem(hours(2), None) is None
    assert window_problem(datetime(2026, 1, 1), None) is not None
    assert name_problem(" ") is not None
    assert name_problem("Main") is not None
    assert name_problem("Weekend") is None


def test_variant_slug_is_file_safe() -> None:
    assert variant_slug("Election night: Тоқаев / 2026") == "election-night-tokaev-2026"
    assert variant_slug("../../etc") == "etc"
    assert variant_slug("!!!") == "variant"


def test_parse_moment_reads_the_desk_zone_and_offsets() -> None:
    almaty = timezone(timedelta(hours=5))
    assert parse_moment("2026-12-12 18:00", almaty) == datetime(2026, 12, 12, 13, 0, tzinfo=UTC)
    assert parse_moment("2026-12-12", almaty) == datetime(2026, 12, 11, 19, 0, tzinfo=UTC)
    assert parse_moment("2026-12-12T18:00Z", almaty) == datetime(2026, 12, 12, 18, 0, tzinfo=UTC)
    assert parse_moment("2026-12-12T18:00+01:00") == datetime(2026, 12, 12, 17, 0, tzinfo=UTC)
    assert iso_utc(parse_moment("2026-12-12T18:00+01:00")) == "2026-12-12T17:00:00Z"
    for bad in ("", "tomorrow", "2026-13-01", "12/12/2026"):
        with pytest.raises(ScheduleError):
            parse_moment(bad, almaty)
