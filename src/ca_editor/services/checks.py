"""The pre-export checklist: what is wrong with the page before it goes out (``domain.checklist``).

One read, three parts, so it stays quick over a large archive:

- the block (a handful of slots) is checked in Python: empty slots, a story placed twice, unapproved,
  undated or future-dated stories, the card's image (alt text, the width of its 16:9 cut, its shape
  against ``export.card_images``, a focal point chosen where the cut loses something) and summary, and
  each slotted story's body (rendered before and after the sanitiser, compared);
- every other exported story is checked by one SQL query for the data faults (no date, a future date,
  a summary longer than the section's ``teaser_limit``, an image without alt text), listed up to
  ``MAX_LISTED`` per kind;
- bodies of other exported stories are read only when the render cache shows something the sanitiser
  removed (a link without its target) or an in-page link (``href="#``), or when the source holds an image
  (``![``), which the sanitiser drops without a trace: those few are rendered and compared like a slot's.

Severities (README, "Pre-export checklist"): errors block an export unless overridden with a reason;
hints are suggestions. Image findings name where they are fixed (``Finding.fix``): the story's image
field, or the slot's override form when the card shows a page-only picture.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from functools import lru_cache
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

from sqlalchemy import ColumnElement, and_, func, not_, or_, select
from sqlalchemy.orm import Session

from ca_editor.domain.checklist import CheckReport, Finding, FixPlace, Severity
from ca_editor.domain.model import PUBLISHABLE_STATUSES, SectionLayout, Slot, Story
from ca_editor.domain.release import Release, ReleaseBlockedError, SignOff, UnapprovedSlot
from ca_editor.domain.slugs import is_valid_slug
from ca_editor.domain.text import shorten
from ca_editor.export.sanitize import STORY_LINK, _markdown, sanitize_html
from ca_editor.persistence.database import Database
from ca_editor.persistence.models import RenderedBodyRow, StoryRow
from ca_editor.services import rendering
from ca_editor.services.export_scope import exported_where
from ca_editor.services.identity import Identity
from ca_editor.services.image_checks import MISSING_ALT, card_image_findings  # and the other photo codes

# One truth for 'changed since sign-off': the review window's (a change a reviewer would see).
from ca_editor.services.review import latest_sign_off
from ca_editor.services.sections import read_layout
from ca_editor.services.variant_checks import variant_findings

MAX_LISTED = 50  # findings of one kind about stories outside the block, before one "and N more"

E, W = Severity.ERROR, Severity.WARNING

# Codes, for scripts, tests and the review sheet. Severities as decided in the README's table.
EMPTY_SLOT = "empty_slot"
PLACED_TWICE = "placed_twice"
UNAPPROVED = "unapproved"
UNDATED = "undated"
FUTURE_DATE = "future_date"
SUMMARY_EMPTY = "summary_empty"
SUMMARY_TOO_LONG = "summary_too_long"
BROKEN_LINK = "broken_link"
SANITISED = "sanitised"


class CheckService:
    def __init__(self, db: Database, identity: Identity | None = None) -> None:
        self._db = db
        self._identity = identity or Identity()

    def run(
        self, section_id: int, *, include_unapproved: bool = False, variant_id: int | None = None
    ) -> CheckReport:
        """The checklist of the section's block (or ``variant_id``'s) for an export with or without unapproved
        stories; stories the render cache misses (an import) are rendered into it first, as exports do."""
        with self._db.read() as session:
            read_layout(session, section_id, variant_id)  # NotFoundError for an unknown one, before any work
            missing = rendering.missing_ids(session, exported_where(section_id, include_unapproved))
        rendering.fill_cache(self._db, missing)
        with self._db.read() as session:
            layout = read_layout(session, section_id, variant_id)
            return _checks(session, layout, include_unapproved, None, archive_bodies=True)

    def sign_off(self, section_id: int) -> SignOff | None:
        """The latest sign-off of the section, and whether the block changed since; ``None`` if never."""
        with self._db.read() as session:
            return latest_sign_off(session, section_id)


def run_checks(
    session: Session, section_id: int, *, include_unapproved: bool = False, now: datetime | None = None
) -> CheckReport:
    """The whole checklist, inside the caller's unit of work (``CheckService.run``, ``ca-editor check``)."""
    return _checks(session, read_layout(session, section_id), include_unapproved, now, archive_bodies=True)


def run_export_checks(
    session: Session, section_id: int, *, include_unapproved: bool = False, now: datetime | None = None
) -> CheckReport:
    """The checks the export gate runs and the manifest records (``EXPORT_SCOPE``): all of the block's
    (every error-level check is one) and, outside the block, the dates and image alt texts (found on
    indexes), but not the summaries' lengths nor the bodies of stories outside the block.

    Those two only ever warn, and they read every story row (and the bodies the pre-filter picks), which
    over a large archive costs more than an incremental export itself; ``ca-editor check`` and the
    Checklist pane run them. The gate refuses exactly what the whole checklist refuses: it has the same
    errors.
    """
    return _checks(session, read_layout(session, section_id), include_unapproved, now, archive_bodies=False)


#: What ``run_export_checks`` covers, as the manifest's ``release.checks.scope`` names it.
EXPORT_SCOPE = ("block", "archive_dates", "archive_images")


def _checks(
    session: Session,
    layout: SectionLayout,
    include_unapproved: bool,
    now: datetime | None,
    *,
    archive_bodies: bool,
) -> CheckReport:
    now = now or datetime.now(UTC)
    section_id = layout.section.id
    findings = _slot_findings(layout, include_unapproved, now)
    teaser_limit = layout.section.teaser_limit  # per section: None for a page whose teasers run long
    where = exported_where(section_id, include_unapproved)
    slotted = {slot.story.id for slot in layout.slots}
    bodies = _BodyChecks(session, where)
    seen: set[int] = set()
    for slot in layout.slots:
        if slot.story.id not in seen:
            seen.add(slot.story.id)
            findings.extend(bodies.findings(slot.story.id, slot.story.title, slot.story.body, slot.position))
    findings.sort(key=lambda f: f.slot or 0)  # the block in page order (stable: each slot's own order)
    findings += variant_findings(session, section_id, now)  # overlapping windows, unready variants
    findings.extend(_archive_findings(session, where, slotted, now, teaser_limit, whole=archive_bodies))
    if archive_bodies:
        findings.extend(_archive_body_findings(session, where, slotted, bodies))
    return CheckReport(tuple(findings))


def prepare_release(
    session: Session,
    section_id: int,
    release: Release,
    by: str,
    *,
    now: datetime | None = None,
    layout: SectionLayout | None = None,
) -> Release:
    """``release`` filled in from ``session``: checks, sign-off, unapproved slots, who overrode.

    The checks are ``run_export_checks`` (``EXPORT_SCOPE``). Raises ``ReleaseBlockedError`` when they find
    errors and ``release`` gives no reason. ``layout``: the section's, if the caller read it in ``session``.
    """
    layout = layout or read_layout(session, section_id)
    report = _checks(session, layout, release.include_unapproved, now, archive_bodies=False)
    if not report.ok and not release.reason:
        raise ReleaseBlockedError(report)
    unapproved = tuple(
        UnapprovedSlot(
            slot.position,
            slot.story.id,
            slot.story.slug,
            slot.story.title,
            slot.story.status.value,
            release.include_unapproved,
        )
        for slot in layout.slots
        if slot.story.status not in PUBLISHABLE_STATUSES
    )
    filled = replace(
        release,
        checks=report,
        checks_scope=EXPORT_SCOPE,
        sign_off=latest_sign_off(session, section_id),
        unapproved=unapproved,
    )
    return replace(filled, override_by=by if filled.overridden else "")


# ------------------------------------------------------------------------------------------- the block


def _slot_findings(layout: SectionLayout, include_unapproved: bool, now: datetime) -> list[Finding]:
    findings: list[Finding] = []
    first_at: dict[int, int] = {}
    for slot in layout.slots:
        story, p = slot.story, slot.position
        name = _name(story)
        if story.id in first_at:
            findings.append(
                Finding(PLACED_TWICE, E, f"{name} is also in slot {first_at[story.id]}", p, story.id)
            )
            continue  # the rest was said at its first slot (only the overrides may differ)
        first_at[story.id] = p
        if story.status not in PUBLISHABLE_STATUSES:
            if include_unapproved:
                message = f"{name} is {story.status.value}, not approved; it is exported as it is"
            else:
                message = (
                    f"{name} is {story.status.value}, not approved: approve it or take it out "
                    "(exported anyway, it is left off the page unless unapproved stories are included)"
                )
            findings.append(Finding(UNAPPROVED, W if include_unapproved else E, message, p, story.id))
        if story.published_at is None:
            findings.append(
                Finding(UNDATED, E, f"{name} has no publication date; no archive month lists it", p, story.id)
            )
        elif story.published_at > now:
            when = story.published_at.astimezone(UTC).strftime("%d %b %Y %H:%M UTC")
            findings.append(Finding(FUTURE_DATE, E, f"{name} is dated in the future ({when})", p, story.id))
        findings.extend(_card_findings(slot, layout.section.teaser_limit))
    for empty in range(len(layout.slots) + 1, layout.section.slot_count + 1):
        findings.append(Finding(EMPTY_SLOT, E, "the slot is empty", empty))
    return findings


def _card_findings(slot: Slot, teaser_limit: int | None) -> Iterable[Finding]:
    story, p = slot.story, slot.position
    yield from card_image_findings(slot, _name(story))
    summary = slot.summary
    if not summary.strip():
        yield Finding(SUMMARY_EMPTY, W, "the card has no summary", p, story.id)
    elif teaser_limit is not None and len(summary) > teaser_limit:
        yield Finding(
            SUMMARY_TOO_LONG,
            W,
            f"the card's summary is {len(summary)} characters; phones cut teasers over {teaser_limit} "
            "(the section's teaser limit)",
            p,
            story.id,
        )


# ------------------------------------------------------------------------------------- the archive


def _archive_findings(
    session: Session,
    where: ColumnElement[bool],
    slotted: set[int],
    now: datetime,
    teaser_limit: int | None,
    *,
    whole: bool = True,
) -> list[Finding]:
    """Data faults of exported stories outside the block, by one query over the exported set.

    Not ``whole`` (the export's scope): dates and alt texts only, on the stories the status+date and the
    export scan index point at; no summary lengths, which need every story's row. ``teaser_limit``: the
    section's (``None``: summary lengths are not looked at).
    """
    undated = StoryRow.published_at.is_(None)
    future = StoryRow.published_at > now
    no_alt = and_(StoryRow.image_sha256.is_not(None), func.trim(StoryRow.image_alt) == "")
    scope, faults = where, or_(undated, future, no_alt)
    if teaser_limit is not None:
        faults = or_(faults, func.length(StoryRow.summary) > teaser_limit)
    if not whole:  # the rows the two indexes point at, and no others
        dated = select(StoryRow.id).where(where, or_(undated, future))
        pictured = select(StoryRow.id).where(where, StoryRow.image_sha256.is_not(None))
        scope = or_(StoryRow.id.in_(dated), StoryRow.id.in_(pictured))
        faults = or_(undated, future, no_alt)
    stmt = (
        select(
            StoryRow.id,
            StoryRow.title,
            StoryRow.published_at,
            func.length(StoryRow.summary),
            no_alt,
        )
        .where(scope, not_(StoryRow.id.in_(slotted)), faults)
        .order_by(StoryRow.published_at.desc().nulls_last(), StoryRow.id.desc())
    )
    listed: dict[str, list[Finding]] = {}
    counts: Counter[str] = Counter()

    def note(code: str, message: str, story_id: int) -> None:
        counts[code] += 1
        if counts[code] <= MAX_LISTED:
            fix = FixPlace.STORY_IMAGE if code == MISSING_ALT else None
            listed.setdefault(code, []).append(Finding(code, W, message, None, story_id, fix))

    for story_id, title, published_at, summary_length, lacks_alt in session.execute(stmt):
        name = f"'{shorten(title, 70, at_word=True)}'"
        if published_at is None:
            note(UNDATED, f"{name} has no publication date; no archive month lists it", story_id)
        elif published_at > now:
            note(FUTURE_DATE, f"{name} is dated in the future ({published_at:%d %b %Y})", story_id)
        if teaser_limit is not None and summary_length > teaser_limit:
            note(
                SUMMARY_TOO_LONG,
                f"{name}: the summary is {summary_length} characters; archive lists show it whole",
                story_id,
            )
        if lacks_alt:
            note(MISSING_ALT, f"{name}: the story's image has no alt text", story_id)
    return _with_totals(listed, counts)


def _with_totals(listed: dict[str, list[Finding]], counts: Counter[str]) -> list[Finding]:
    findings: list[Finding] = []
    for code in sorted(listed):
        findings.extend(listed[code])
        if counts[code] > MAX_LISTED:
            findings.append(
                Finding(code, W, f"… and {counts[code] - MAX_LISTED:,} more stories like these", None, None)
            )
    return findings


def _archive_body_findings(
    session: Session, where: ColumnElement[bool], slotted: set[int], bodies: _BodyChecks
) -> list[Finding]:
    """Bodies outside the block, read only where the cache or the source shows something to look at."""
    html = RenderedBodyRow.html
    # LIKE, not instr(): SQLite's instr() counts characters through each 8 KB text, about 8x slower.
    # None of the patterns holds a LIKE wildcard ('%', '_').
    cached_hint = or_(
        html.like("%<a>%"),  # a link whose target the sanitiser removed
        html.like('%<a href="../stories/%'),  # a story link (the sanitiser writes them all this way)
        html.like("%<a title=%"),
        html.like('%<a href="#%'),  # an in-page link (footnote links start '<a class=')
    )
    source_hint = or_(
        StoryRow.body.like("%![%"),  # an image: dropped without a trace in the output
        and_(
            RenderedBodyRow.story_id.is_(None),  # not cached (a save racing this read): look at the source
            or_(StoryRow.body.like("%](%"), StoryRow.body.like("%]:%")),
        ),
    )
    stmt = (
        select(StoryRow.id, StoryRow.title, StoryRow.body)
        .outerjoin(RenderedBodyRow, rendering.fresh_join())
        .where(where, not_(StoryRow.id.in_(slotted)), or_(cached_hint, source_hint))
        .order_by(StoryRow.published_at.desc().nulls_last(), StoryRow.id.desc())
    )
    listed: dict[str, list[Finding]] = {}
    counts: Counter[str] = Counter()
    for story_id, title, body in session.execute(stmt):
        for finding in bodies.findings(story_id, title, body, None):
            counts[finding.code] += 1
            if counts[finding.code] <= MAX_LISTED:
                listed.setdefault(finding.code, []).append(finding)
    return _with_totals(listed, counts)


# ------------------------------------------------------------------------------------------ bodies


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


class _Inventory(HTMLParser):
    """The links, images, ids and text of one body's HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str | None] = []  # each <a>'s href, in order
        self.images: list[str] = []  # alt or src of each <img>
        self.ids: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        if tag == "a":
            self.links.append(found.get("href"))
        elif tag == "img":
            self.images.append(found.get("alt") or found.get("src") or "an image")

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    @classmethod
    def of(cls, html: str) -> _Inventory:
        inventory = cls()
        inventory.feed(html)
        inventory.close()
        return inventory

    def plain_text(self) -> str:
        return " ".join("".join(self.text).split())


@lru_cache(maxsize=256)
def _inventories(body: str) -> tuple[_Inventory, _Inventory]:
    """What a body renders to before and after the sanitiser (read only by the checks).

    Kept per body text: every export's gate checks the slotted stories' bodies again, and rendering one
    costs about a millisecond; what the links lead to is looked up afresh each time.
    """
    raw = _markdown().convert(body)
    return _Inventory.of(raw), _Inventory.of(sanitize_html(raw))


class _BodyChecks:
    """Renders a body before and after the sanitiser and says what it lost, and which links lead nowhere."""

    def __init__(self, session: Session, where: ColumnElement[bool]) -> None:
        self._session = session
        self._where = where
        self._slugs: dict[str, bool] = {}  # slug -> exported

    def findings(self, story_id: int, title: str, body: str, slot: int | None) -> list[Finding]:
        before, after = _inventories(body)
        name = f"'{shorten(title, 70, at_word=True)}'"
        removed: list[str] = []
        broken: list[str] = []
        pairs: Sequence[tuple[str | None, str | None]]
        if len(before.links) == len(after.links):
            pairs = list(zip(before.links, after.links, strict=True))
        else:  # never seen; compare what survived as a set rather than guess the pairing
            kept = set(after.links)
            pairs = [(href, href if href in kept else None) for href in before.links]
        relative = [href.strip() for href, out in pairs if href and out is None and not _SCHEME.match(href)]
        kept_story_links = [(href, STORY_LINK.match(href.strip())) for href in after.links if href]
        story_slugs = [m.group("slug") for _, m in kept_story_links if m]
        self._lookup([*(_slug_of(href) for href in relative), *story_slugs])
        for href, out in pairs:
            if not href or out is not None:
                continue
            target = href.strip()
            if _SCHEME.match(target) or target.startswith("//"):
                removed.append(f"the link '{shorten(target, 50, at_word=True)}'")
            else:
                slug = _slug_of(target)
                if slug is not None and self._slugs.get(slug):  # a story, but not written as a story link
                    removed.append(f"the link '{shorten(target, 50, at_word=True)}' (write '{slug}.html')")
                else:
                    broken.append(f"'{shorten(target, 50, at_word=True)}' leads to no page in the bundle")
        for href, match in kept_story_links:
            if match and not self._slugs.get(match.group("slug")):
                broken.append(
                    f"'{shorten(href, 50, at_word=True)}' leads to no page in the bundle (no approved "
                    f"story has the slug '{match.group('slug')}')"
                )
        for href in after.links:
            if href and href.startswith("#") and len(href) > 1 and unquote(href[1:]) not in after.ids:
                broken.append(f"'{shorten(href, 50, at_word=True)}' points at nothing on the page")
        removed.extend(f"the image '{shorten(alt, 40, at_word=True)}'" for alt in before.images)
        found: list[Finding] = []
        if broken:
            found.append(
                Finding(
                    BROKEN_LINK,
                    W,
                    f"{name}: {_count(broken, 'link')}: " + "; ".join(broken[:3]) + _more(broken),
                    slot,
                    story_id,
                )
            )
        if before.plain_text() != after.plain_text():
            removed.append("some text")
        if removed:
            found.append(
                Finding(
                    SANITISED,
                    W,
                    f"{name}: the cleaner removes " + "; ".join(removed[:3]) + _more(removed),
                    slot,
                    story_id,
                )
            )
        return found

    def _lookup(self, slugs: Iterable[str | None]) -> None:
        wanted = {s for s in slugs if s is not None and s not in self._slugs}
        if not wanted:
            return
        stmt = select(StoryRow.slug).where(StoryRow.slug.in_(wanted), self._where)
        exported = set(self._session.scalars(stmt))
        self._slugs.update((slug, slug in exported) for slug in wanted)


def _slug_of(href: str) -> str | None:
    """The story slug a relative link names ('../stories/x.html', 'x.html', 'x'), if it names one."""
    path = urlsplit(href).path.rstrip("/")
    last = path.rsplit("/", 1)[-1]
    last = last.removesuffix(".html")
    return last if last and is_valid_slug(last) else None


def _count(items: list[str], noun: str) -> str:
    return f"1 {noun}" if len(items) == 1 else f"{len(items)} {noun}s"


def _more(items: list[str]) -> str:
    return f"; and {len(items) - 3} more" if len(items) > 3 else ""


def _name(story: Story) -> str:
    return f"'{shorten(story.title, 70, at_word=True)}'"
