"""A check-in's resolution written into the shared desk, inside the caller's ONE transaction.

The caller (``services/checkin.py``) has locked the section row (``lock_section``) and re-read the three
sides in this transaction; here, in order: the pictures the result names that the shared desk lacks are
copied from the laptop; stories the laptop changed or wrote are saved (new ones get new ids; a slug
another story took meanwhile is renamed, with a notice); every losing version of a conflicted story is
kept as a draft copy; the settings, then the block (``sections.write_block``: stories leaving it become
former slots with their overrides) and the losing slots of the laptop become former slots too; last,
stories the laptop deleted and nobody touched here are deleted, unless another block holds one (another
section's, or a scheduled variant's).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select
from sqlalchemy.orm import Session

from ca_editor.domain.errors import Problem, ValidationError
from ca_editor.domain.merge import KeptCopy, Resolution, SlotPick, StoryKey
from ca_editor.domain.merge_fields import same
from ca_editor.domain.model import SlotEntry, StoryFields, StoryStatus
from ca_editor.domain.slugs import MAX_SLUG_LENGTH, unique_slug
from ca_editor.export.sanitize import render_markdown
from ca_editor.persistence.checkout_rows import BaseStoryRow
from ca_editor.persistence.models import AssetRow, FormerSlotRow, SectionRow, SlotRow, StoryRow, utcnow
from ca_editor.services.merge_sides import Sides, key_id
from ca_editor.services.rendering import store
from ca_editor.services.sections import write_block
from ca_editor.services.stories import apply_fields, slug_taken


@dataclass
class Applied:
    updated: int = 0
    created: int = 0
    copies: int = 0
    deleted: int = 0
    former: int = 0
    pictures: int = 0
    notices: list[str] = field(default_factory=list)
    #: Ids of the stories written as new rows (the laptop's new stories, kept copies, stories back under
    #: their id): the window's undo step deletes exactly these (``ui/checkin_command.py``).
    created_ids: list[int] = field(default_factory=list)


def apply_resolution(
    session: Session, laptop: Connection, section: SectionRow, sides: Sides, resolution: Resolution
) -> Applied:
    applied = Applied()
    result = resolution.result
    ids: dict[StoryKey, int] = {k: key_id(k)[1] for k in (*sides.theirs.stories, *sides.base.stories)}
    _copy_pictures(session, laptop, resolution, applied)
    changed = [
        key
        for key in sorted(result.stories, key=key_id)
        if key not in sides.theirs.stories
        or not same(dict(sides.theirs.stories[key]), dict(result.stories[key]))
    ]
    _load_stories(session, [key_id(key)[1] for key in changed if key in sides.theirs.stories])
    saved: list[StoryRow] = []
    for key in changed:
        on_shared = key in sides.theirs.stories
        saved.append(_save_story(session, laptop, key, result.stories[key], on_shared, applied))
        ids[key] = saved[-1].id
    saved.extend(_keep_copy(session, copy, applied) for copy in resolution.kept_copies)
    # Rendered once for all, in one write of the cache (a save per story renders and writes each alone).
    store(session, [(row.id, row.version, row.body, render_markdown(row.body)) for row in saved])
    _apply_settings(section, result.settings, sides.theirs.settings, applied)
    if not same(_picks(result.slots), _picks(sides.theirs.slots)):
        write_block(section, [_entry(ids[pick.story], pick.overrides) for pick in result.slots])
    in_block = {pick.story for pick in result.slots}
    mine_places = {pick.story: index for index, pick in enumerate(sides.mine.slots)}
    theirs_block = {pick.story for pick in sides.theirs.slots}
    for pick in resolution.former:
        if pick.story in in_block or pick.story not in ids:
            continue
        applied.former += 1
        if pick.story not in theirs_block:  # write_block remembered theirs' own departures
            _remember(session, section.id, ids[pick.story], mine_places.get(pick.story, 0), pick)
    for key in sorted(set(sides.theirs.stories) - set(result.stories), key=key_id):
        _delete_story(session, section.id, ids[key], sides.theirs.stories[key], applied)
    applied.notices[:0] = resolution.notices
    return applied


def _load_stories(session: Session, story_ids: list[int]) -> None:
    """The rows about to be saved, read in a few queries instead of one each (then ``get`` finds them)."""
    for start in range(0, len(story_ids), 900):
        session.scalars(select(StoryRow).where(StoryRow.id.in_(story_ids[start : start + 900]))).all()


def _save_story(
    session: Session,
    laptop: Connection,
    key: StoryKey,
    fields: Mapping[str, object],
    on_shared: bool,
    applied: Applied,
) -> StoryRow:
    prefix, story_id = key_id(key)
    row = session.get(StoryRow, story_id) if prefix in "st" and on_shared else None
    new = row is None
    if row is None:
        # New on the laptop (a new id), or deleted here while the laptop changed it: back under its id and
        # its creation time, the same story to any other check-out that took it (``merge_sides``); under a
        # new id when this desk gave the id to another story meanwhile (SQLite reuses a deleted one's).
        restoring = prefix == "s" and session.get(StoryRow, story_id) is None
        row = StoryRow(id=story_id, created_at=_taken_at(laptop, story_id)) if restoring else StoryRow()
        applied.created += 1
    else:
        applied.updated += 1
    story = story_fields_of(fields)
    free = _free_slug(session, story.slug, row.id)
    if free != story.slug:
        applied.notices.append(
            f"“{story.title}”: the slug {story.slug} belongs to another story on the shared desk now; it was "
            f"saved as {free}."
        )
        story = StoryFields(**{**_as_kwargs(story), "slug": free})
    apply_fields(session, row, story)
    session.add(row)
    session.flush()
    if new:
        applied.created_ids.append(row.id)
    return row


def _taken_at(laptop: Connection, story_id: int) -> datetime:
    """The creation time the check-out recorded for a story it took."""
    query = select(BaseStoryRow.created_at).where(BaseStoryRow.story_id == story_id)
    return laptop.execute(query).scalar_one()


def _keep_copy(session: Session, copy: KeptCopy, applied: Applied) -> StoryRow:
    story = story_fields_of(copy.fields)
    slug = unique_slug(f"{story.slug[: MAX_SLUG_LENGTH - 5]}-copy", lambda s: slug_taken(session, s))
    row = StoryRow()
    apply_fields(
        session, row, StoryFields(**{**_as_kwargs(story), "slug": slug, "status": StoryStatus.DRAFT})
    )
    session.add(row)
    session.flush()
    applied.created_ids.append(row.id)
    whose = "the laptop's" if copy.side == "mine" else "the shared desk's"
    applied.copies += 1
    applied.notices.append(
        f"“{story.title}”: {whose} version lost a conflict; it is kept as the draft {slug}."
    )
    return row


def _apply_settings(
    section: SectionRow, result: Mapping[str, object], theirs: Mapping[str, object], applied: Applied
) -> None:
    changed = False
    for name in ("title", "description", "slug", "slot_count", "teaser_limit"):
        value = result.get(name)
        if value is None or same(value, theirs.get(name)):
            continue
        setattr(section, name, value)
        changed = True
    if changed:
        section.updated_at = utcnow()
        applied.notices.append("the section's settings were changed")


def _remember(session: Session, section_id: int, story_id: int, position: int, pick: SlotPick) -> None:
    row = session.scalar(
        select(FormerSlotRow).where(
            FormerSlotRow.section_id == section_id,
            FormerSlotRow.variant_id.is_(None),  # the main layout's list
            FormerSlotRow.story_id == story_id,
        )
    )
    if row is None:
        row = FormerSlotRow(section_id=section_id, story_id=story_id)
        session.add(row)
    entry = _entry(story_id, pick.overrides)
    row.last_position = position
    row.removed_at = utcnow()
    row.headline_override = entry.headline
    row.summary_override = entry.summary
    row.image_override_sha256 = entry.image_sha256
    row.image_override_alt = entry.image_alt
    row.image_override_focus_x, row.image_override_focus_y = entry.image_focus or (None, None)


def _delete_story(
    session: Session, section_id: int, story_id: int, fields: Mapping[str, object], applied: Applied
) -> None:
    row = session.get(StoryRow, story_id)
    if row is None:
        return
    elsewhere = session.scalar(
        select(SlotRow.section_id).where(
            SlotRow.story_id == story_id,
            (SlotRow.section_id != section_id) | SlotRow.variant_id.is_not(None),  # a variant's block too
        )
    )
    if elsewhere is not None:
        applied.notices.append(
            f"“{fields.get('title')}” was deleted on the laptop but another block holds it (another "
            "section's, or a scheduled variant's): it is kept."
        )
        return
    session.delete(row)
    session.flush()
    applied.deleted += 1


def _copy_pictures(session: Session, laptop: Connection, resolution: Resolution, applied: Applied) -> None:
    wanted: set[str] = set()
    stories = [*resolution.result.stories.values(), *(copy.fields for copy in resolution.kept_copies)]
    wanted.update(str(f["image_sha256"]) for f in stories if f.get("image_sha256"))
    for pick in (*resolution.result.slots, *resolution.former):
        if pick.overrides.get("image_sha256"):
            wanted.add(str(pick.overrides["image_sha256"]))
    missing = sorted(sha for sha in wanted if session.get(AssetRow, sha) is None)
    assets = AssetRow.__table__
    for sha in missing:
        row = laptop.execute(select(assets).where(assets.c.sha256 == sha)).first()
        if row is None:
            raise ValidationError(
                [Problem("image", f"picture {sha[:12]} is on neither desk; nothing was changed")]
            )
        session.execute(insert(AssetRow).values(**row._mapping))
        applied.pictures += 1


def story_fields_of(fields: Mapping[str, object]) -> StoryFields:
    """The merge's JSON-able story fields (``checkout_rows.story_fields``) as ``StoryFields``."""
    published = fields.get("published_at")
    focus = fields.get("image_focus")
    tags = fields.get("tags") or ()
    return StoryFields(
        title=str(fields.get("title") or ""),
        slug=str(fields.get("slug") or ""),
        summary=str(fields.get("summary") or ""),
        body=str(fields.get("body") or ""),
        byline=str(fields.get("byline") or ""),
        published_at=datetime.fromisoformat(published) if isinstance(published, str) else None,
        status=StoryStatus(str(fields.get("status") or "draft")),
        tags=tuple(str(tag) for tag in tags) if isinstance(tags, list | tuple) else (),
        image_sha256=str(fields["image_sha256"]) if fields.get("image_sha256") else None,
        image_alt=str(fields.get("image_alt") or ""),
        image_caption=str(fields.get("image_caption") or ""),
        image_credit=str(fields.get("image_credit") or ""),
        image_focus=_focus(focus),
    )


def _entry(story_id: int, overrides: Mapping[str, object]) -> SlotEntry:
    def text(name: str) -> str | None:
        value = overrides.get(name)
        return str(value) if value is not None else None

    return SlotEntry(
        story_id, text("headline"), text("summary"), text("image_sha256"), text("image_alt"),
        _focus(overrides.get("image_focus")),
    )  # fmt: skip


def _focus(value: object) -> tuple[float, float] | None:
    if isinstance(value, list | tuple) and len(value) == 2:
        return float(value[0]), float(value[1])
    return None


def _picks(picks: tuple[SlotPick, ...]) -> list[Any]:
    return [[pick.story, dict(pick.overrides)] for pick in picks]


def _free_slug(session: Session, slug: str, own_id: int | None) -> str:
    if not slug or not slug_taken(session, slug, own_id):
        return slug
    return unique_slug(slug, lambda s: slug_taken(session, s, own_id))


def _as_kwargs(story: StoryFields) -> dict[str, Any]:
    return {name: getattr(story, name) for name in StoryFields.__dataclass_fields__}
