"""The pre-export checklist: each check on its own, over the demo section and small changes to it."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image
from tests import layout_steps

from ca_editor.domain.checklist import FixPlace, Severity
from ca_editor.domain.model import ImageAsset, SlotOverrides, StoryFields, StoryImage, StoryStatus
from ca_editor.domain.section_settings import SectionSettings
from ca_editor.domain.snapshots import SnapshotKind
from ca_editor.export.card_images import card_image_need
from ca_editor.services import checks
from ca_editor.services.container import Services
from ca_editor.services.image_checks import CARD_MIN_WIDTH

PAST = datetime(2024, 3, 1, 9, tzinfo=UTC)


def codes(report: checks.CheckReport) -> list[tuple[str, str, int | None]]:
    return [(f.code, f.severity.value, f.slot) for f in report.findings]


def png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (20, 90, 140)).save(buffer, "PNG")
    return buffer.getvalue()


def story(services: Services, title: str, **fields: object) -> int:
    """A story that passes every check unless ``fields`` say otherwise (``image_sha256=None``: no image)."""
    image = services.images.add(png(1200, 675))
    values: dict[str, object] = {
        "status": StoryStatus.PUBLISHED,
        "published_at": PAST,
        "summary": "A teaser.",
        "image_sha256": image.sha256,
        "image_alt": "A photograph",
    }
    values.update(fields)
    if values["image_sha256"] is None:
        values["image_alt"] = ""
    return services.stories.create(StoryFields(title=title, **values)).id  # type: ignore[arg-type]


def put_in_slot(services: Services, story_id: int, slot: int) -> None:
    """Replace the story in ``slot`` (1-based) with ``story_id``, keeping the block full."""
    section_id = services.section_id()
    layout = services.sections.layout(section_id)
    layout_steps.remove(services, section_id, layout.slots[slot - 1].id)
    layout_steps.assign(services, section_id, story_id, slot)


LONGER_THAN_THE_DEMO = 1_500  # a teaser advice the client's own teasers (up to 1,370) pass


def teaser_advice(services: Services, limit: int | None) -> None:
    """Set the section's teaser limit (the demo section has none: the client's teasers run long)."""
    settings = services.section_settings
    section = settings.by_slug("central-asia")
    changed = replace(SectionSettings.of(section), teaser_limit=limit)
    settings.change(section.id, changed, expected_version=section.version)


def test_the_demo_section_passes_clean(services: Services) -> None:
    report = services.checks.run(services.section_id())
    assert report.findings == ()
    assert report.ok


def test_an_empty_slot_is_an_error(services: Services) -> None:
    section_id = services.section_id()
    layout = services.sections.layout(section_id)
    layout_steps.remove(services, section_id, layout.slots[2].id)
    report = services.checks.run(section_id)
    assert codes(report) == [("empty_slot", "error", 8)]
    assert not report.ok


def test_a_story_placed_twice_is_one_error_at_its_second_slot(services: Services) -> None:
    section_id = services.section_id()
    layout = services.sections.layout(section_id)
    layout_steps.remove(services, section_id, layout.slots[-1].id)
    layout_steps.assign(services, section_id, layout.slots[1].story.id, 5)
    report = services.checks.run(section_id)
    assert codes(report) == [("placed_twice", "error", 5)]
    assert "also in slot 2" in report.findings[0].message
    assert report.findings[0].story_id == layout.slots[1].story.id


def test_an_unapproved_slotted_story_is_an_error_unless_included(services: Services) -> None:
    draft = story(services, "Still a draft", status=StoryStatus.READY)
    put_in_slot(services, draft, 4)
    report = services.checks.run(services.section_id())
    assert codes(report) == [("unapproved", "error", 4)]
    assert "ready, not approved" in report.findings[0].message
    included = services.checks.run(services.section_id(), include_unapproved=True)
    assert codes(included) == [("unapproved", "warning", 4)]
    assert included.ok


def test_dates_undated_and_future(services: Services) -> None:
    now = datetime.now(UTC)
    put_in_slot(services, story(services, "No date", published_at=None), 2)
    put_in_slot(services, story(services, "Tomorrow", published_at=now + timedelta(days=1)), 3)
    story(services, "Archive no date", published_at=None)
    story(services, "Archive next year", published_at=now + timedelta(days=365))
    story(services, "A draft next year", published_at=now + timedelta(days=365), status=StoryStatus.DRAFT)
    report = services.checks.run(services.section_id())
    assert codes(report) == [
        ("undated", "error", 2),
        ("future_date", "error", 3),
        ("future_date", "warning", None),
        ("undated", "warning", None),
    ]
    assert "Archive next year" in report.findings[2].message  # the draft is not exported: not listed


def test_slot_image_alt_width_and_shape(services: Services) -> None:
    section_id = services.section_id()
    assert card_image_need(lead=True).min_width < CARD_MIN_WIDTH  # one rule covers every card
    narrow = services.images.add(png(719, 405))  # one pixel short of the 720 px derivative
    enough = services.images.add(png(720, 405))
    square = services.images.add(png(1200, 1200))
    layout = services.sections.layout(section_id)

    def override(slot: int, image: ImageAsset, alt: str, focus: tuple[float, float] | None = None) -> None:
        overrides = SlotOverrides(image=StoryImage(image, alt, focus=focus))
        layout_steps.set_overrides(services, section_id, layout.slots[slot - 1].id, overrides)

    override(1, narrow, "A map")
    override(2, enough, "A map")
    override(3, square, "")
    report = services.checks.run(section_id)
    assert codes(report) == [
        ("image_too_small", "warning", 1),
        ("missing_alt", "error", 3),
        ("image_ratio", "warning", 3),
        ("no_focal_point", "hint", 3),
    ]
    assert "719 px wide" in report.findings[0].message and "720×405" in report.findings[0].message
    assert "slot's own image" in report.findings[1].message
    assert "cutting 44%" in report.findings[2].message  # a square loses 1 - 9/16 of its height
    assert "focal point" in report.findings[3].message
    assert {f.fix for f in report.findings} == {FixPlace.SLOT_IMAGE}  # each opens the slot's override
    assert len(report.warnings) == 2 and len(report.hints) == 1  # a hint is not a warning

    override(3, square, "A square", focus=(0.5, 0.2))  # someone chose where the crop centres
    assert codes(services.checks.run(section_id))[-1] == ("image_ratio", "warning", 3)


def test_the_width_rule_measures_the_16_9_cut_not_the_picture(services: Services) -> None:
    panorama = story(services, "Panorama", image_sha256=services.images.add(png(2000, 300)).sha256)
    put_in_slot(services, panorama, 4)
    report = services.checks.run(services.section_id())
    small = next(f for f in report.findings if f.code == "image_too_small")
    assert "only 533 px wide once cut to 16:9" in small.message  # 300 px tall: 533 × 300
    assert (small.slot, small.story_id, small.fix) == (4, panorama, FixPlace.STORY_IMAGE)


def test_photo_findings_of_the_story_image_open_the_story(services: Services) -> None:
    portrait = services.images.add(png(900, 1400))
    no_alt = story(services, "Portrait", image_sha256=portrait.sha256, image_alt="")
    put_in_slot(services, no_alt, 5)
    report = services.checks.run(services.section_id())
    assert [(f.code, f.severity.value, f.fix) for f in report.findings] == [
        ("missing_alt", "error", FixPlace.STORY_IMAGE),
        ("image_ratio", "warning", FixPlace.STORY_IMAGE),
        ("no_focal_point", "hint", FixPlace.STORY_IMAGE),
    ]
    fields = replace(services.stories.get(no_alt).fields(), image_alt="A portrait", image_focus=(0.5, 0.3))
    services.stories.update(no_alt, fields, expected_version=services.stories.get(no_alt).version)
    assert codes(services.checks.run(services.section_id())) == [("image_ratio", "warning", 5)]


def test_slot_without_image_and_summaries(services: Services) -> None:
    teaser_advice(services, LONGER_THAN_THE_DEMO)
    section_id = services.section_id()
    layout = services.sections.layout(section_id)
    layout_steps.set_overrides(services, section_id, layout.slots[5].id, SlotOverrides(summary=""))
    layout_steps.set_overrides(services, section_id, layout.slots[6].id, SlotOverrides(summary="x" * 1_501))
    put_in_slot(services, story(services, "Words only", image_sha256=None), 8)
    report = services.checks.run(section_id)
    assert codes(report) == [
        ("summary_empty", "warning", 6),
        ("summary_too_long", "warning", 7),
        ("no_image", "warning", 8),
    ]


def test_archive_story_data_faults_are_warnings(services: Services) -> None:
    teaser_advice(services, LONGER_THAN_THE_DEMO)
    image = services.images.add(png(1200, 675))
    with_image = story(services, "Pictured", image_sha256=image.sha256, image_alt=" ")
    story(services, "Long teaser", summary="y" * 1_501)
    story(services, "A draft with a long teaser", summary="y" * 1_501, status=StoryStatus.DRAFT)
    report = services.checks.run(services.section_id())
    assert codes(report) == [("missing_alt", "warning", None), ("summary_too_long", "warning", None)]
    assert report.findings[0].story_id == with_image
    assert report.ok


def test_links_that_lead_nowhere_and_what_the_sanitiser_removes(services: Services) -> None:
    demo_slug = services.sections.layout(services.section_id()).slots[7].story.slug
    body = (
        "## Background\n\n"
        f"See [the summit](../stories/{demo_slug}.html), [gone](no-such-story), [away](not-a-story.html), "
        f"[bare]({demo_slug}), "
        "[bad](javascript:alert(1)), [up](#background), [web](https://example.org) and a note[^1].\n\n"
        "![a pasted chart](chart.png)\n\n[^1]: The note."
    )
    put_in_slot(services, story(services, "Linked", body=body), 2)
    report = services.checks.run(services.section_id())
    assert codes(report) == [("broken_link", "warning", 2), ("sanitised", "warning", 2)]
    broken, cleaned = report.findings[0].message, report.findings[1].message
    assert "'no-such-story' leads to no page" in broken
    assert "'../stories/not-a-story.html' leads to no page in the bundle" in broken  # kept, but dead
    assert "'#background' points at nothing" in broken  # headings keep no ids; footnote links resolve
    assert "fn:1" not in broken
    assert f"(write '{demo_slug}.html')" in cleaned
    assert f"../stories/{demo_slug}.html" not in broken + cleaned  # a story link that resolves is kept
    assert "javascript:alert(1)" in cleaned
    assert "the image 'a pasted chart'" in cleaned
    assert "example.org" not in broken + cleaned


def test_archive_bodies_are_checked_where_the_cache_shows_a_reason(services: Services) -> None:
    clean = story(services, "Plain links", body="See [web](https://example.org) and a note[^1].\n\n[^1]: n")
    defanged = story(services, "Relative link", body="See [there](elsewhere.html).")
    pictured = story(services, "Body image", body="![chart](chart.png)")
    report = services.checks.run(services.section_id())
    found = {(f.code, f.story_id) for f in report.findings}
    assert found == {("broken_link", defanged), ("sanitised", pictured)}
    assert clean not in {f.story_id for f in report.findings}


def test_many_archive_findings_are_listed_up_to_a_limit(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checks, "MAX_LISTED", 3)
    for n in range(5):
        story(services, f"Undated {n}", published_at=None)
    report = services.checks.run(services.section_id())
    assert [f.code for f in report.findings] == ["undated"] * 4
    assert report.findings[-1].story_id is None
    assert "and 2 more" in report.findings[-1].message


def test_sign_off_and_whether_the_block_changed_since(services: Services) -> None:
    section_id = services.section_id()
    assert services.checks.sign_off(section_id) is None
    services.snapshots.take(section_id, SnapshotKind.SIGN_OFF, "looks good")
    signed = services.checks.sign_off(section_id)
    assert signed is not None and not signed.changed_since and signed.note == "looks good"
    # A save that changes nothing visible is not a change.
    first = services.sections.layout(section_id).slots[0].story
    services.stories.update(first.id, first.fields(), expected_version=first.version)
    assert services.checks.sign_off(section_id).changed_since is False  # type: ignore[union-attr]
    services.stories.update(
        first.id, replace(first.fields(), title="Retitled"), expected_version=first.version + 1
    )
    assert services.checks.sign_off(section_id).changed_since is True  # type: ignore[union-attr]


def test_an_unknown_section_is_a_clear_error(services: Services) -> None:
    from ca_editor.domain.errors import NotFoundError

    with pytest.raises(NotFoundError):
        services.checks.run(999)


def test_severity_vocabulary_is_shared() -> None:
    assert {s.value for s in Severity} == {"error", "warning", "hint"}


def turned_jpeg(width: int, height: int, orientation: int) -> bytes:
    """A camera's JPEG: ``width``×``height`` stored pixels and an EXIF orientation saying how to turn them."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (20, 90, 140)).save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def test_a_rotated_photo_is_measured_as_the_reader_sees_it(services: Services) -> None:
    """1000×600 stored, EXIF orientation 6: shown 600×1000, so its 16:9 cut is 600 px wide, too narrow."""
    asset = services.images.add(turned_jpeg(1000, 600, 6))
    assert (asset.width, asset.height) == (600, 1000)
    assert (services.images.add(turned_jpeg(1000, 600, 3)).width, 600) == (1000, 600)  # a half turn: same
    portrait = story(services, "Portrait", image_sha256=asset.sha256)
    put_in_slot(services, portrait, 4)
    found = {f.code: f for f in services.checks.run(services.section_id()).findings if f.slot == 4}
    assert set(found) == {"image_too_small", "image_ratio", "no_focal_point"}
    assert "600 px wide" in found["image_too_small"].message
    assert "600×1000" in found["image_ratio"].message
