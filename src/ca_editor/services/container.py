"""The set of services one open database offers; built by the composition root, handed to the UI.

Each service is built, and its module imported, on first use: a command pays only for what it uses (an
export never loads the importers and their feed parser, ``--version`` nothing at all).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ca_editor.domain.errors import NotFoundError
from ca_editor.persistence.database import Database
from ca_editor.services.backups import BackupService
from ca_editor.services.identity import Identity

if TYPE_CHECKING:
    from ca_editor.services.checkin import CheckinService
    from ca_editor.services.checkout import CheckoutService
    from ca_editor.services.checks import CheckService
    from ca_editor.services.exporting import ExportService
    from ca_editor.services.images import ImageService
    from ca_editor.services.importing import ImportService
    from ca_editor.services.live import LiveService
    from ca_editor.services.people import PeopleService
    from ca_editor.services.presence import PresenceService
    from ca_editor.services.previewing import PreviewService
    from ca_editor.services.review import ReviewService
    from ca_editor.services.section_settings import SectionSettingsService
    from ca_editor.services.sections import SectionService
    from ca_editor.services.snapshots import SnapshotService
    from ca_editor.services.stories import StoryService
    from ca_editor.services.variants import VariantService


_BUILDING = threading.RLock()  # re-entrant: a build may one day touch another service


class _OnFirstUse[T]:
    """``functools.cached_property`` built under a lock: since Python 3.12 cached_property has none, and two
    threads touching a service first (an export's and the checklist's, say) would each build one. Once
    built, the instance attribute answers without the lock (this is a non-data descriptor)."""

    def __init__(self, build: Callable[[Any], T]) -> None:
        self._build = build
        self._name = build.__name__
        self.__doc__ = build.__doc__

    def __get__(self, services: object, owner: type | None = None) -> T:
        if services is None:
            raise AttributeError(self._name)
        with _BUILDING:
            built: T = vars(services).get(self._name) or self._build(services)
            vars(services)[self._name] = built
        return built


class Services:
    """One database's services. ``db``, ``identity`` and ``backups`` are there from the start (the backup
    service holds state, so it must never be built twice by two threads); the others on first use."""

    def __init__(self, db: Database, identity: Identity | None = None) -> None:
        self.db = db
        self.identity = identity or Identity()  # who the changes are recorded for; the window sets it
        self.backups = BackupService(db)  # SQLite file backups: on demand, before destructive steps, periodic

    @classmethod
    def over(cls, db: Database, identity: Identity | None = None) -> Services:
        return cls(db, identity)

    @_OnFirstUse
    def stories(self) -> StoryService:
        from ca_editor.services.stories import StoryService

        return StoryService(self.db, self.identity)

    @_OnFirstUse
    def sections(self) -> SectionService:
        from ca_editor.services.sections import SectionService

        return SectionService(self.db, self.identity)

    @_OnFirstUse
    def section_settings(self) -> SectionSettingsService:
        """Create sections; change a section's heading, description, slug, slots and teaser advice."""
        from ca_editor.services.section_settings import SectionSettingsService

        return SectionSettingsService(self.db, self.identity)

    @_OnFirstUse
    def variants(self) -> VariantService:
        """A section's scheduled layout variants: list, add, change, remove; live layout, timeline."""
        from ca_editor.services.variants import VariantService

        return VariantService(self.db, self.identity)

    @_OnFirstUse
    def imports(self) -> ImportService:
        from ca_editor.services.importing import ImportService

        return ImportService(self.db, self.identity)

    @_OnFirstUse
    def exports(self) -> ExportService:
        from ca_editor.services.exporting import ExportService

        return ExportService(self.db, self.identity)

    @_OnFirstUse
    def images(self) -> ImageService:
        from ca_editor.services.images import ImageService

        return ImageService(self.db)

    @_OnFirstUse
    def live(self) -> LiveService:
        """Other desks' changes on this database, as they commit them (``services/live.py``)."""
        from ca_editor.services.live import LiveService

        return LiveService(self.db)

    @_OnFirstUse
    def previews(self) -> PreviewService:
        from ca_editor.services.previewing import PreviewService

        return PreviewService(self.db)

    @_OnFirstUse
    def presence(self) -> PresenceService:
        """This window's presence at the desk, and who else has its section open (``ui/presence.py``)."""
        from ca_editor.services.presence import PresenceService

        return PresenceService(self.db, self.identity)

    @_OnFirstUse
    def snapshots(self) -> SnapshotService:
        from ca_editor.services.snapshots import SnapshotService

        return SnapshotService(self.db, self.identity)

    @_OnFirstUse
    def people(self) -> PeopleService:
        """Who is who on a shared desk: the login, its display name, the sections' desk chiefs."""
        from ca_editor.services.people import PeopleService

        return PeopleService(self.db, self.identity)

    @_OnFirstUse
    def review(self) -> ReviewService:
        """Sign-off and send-back of the layout, changes since, restore plans."""
        from ca_editor.services.review import ReviewService

        return ReviewService(self.db, self.identity)

    @_OnFirstUse
    def checks(self) -> CheckService:
        """The pre-export checklist."""
        from ca_editor.services.checks import CheckService

        return CheckService(self.db, self.identity)

    @_OnFirstUse
    def checkouts(self) -> CheckoutService:
        """Sections taken offline into laptop desks: check-out, release, who has which out."""
        from ca_editor.services.checkout import CheckoutService

        return CheckoutService(self.db, self.identity)

    @_OnFirstUse
    def checkins(self) -> CheckinService:
        """A laptop desk brought back into this desk: plan (the three-way merge), then apply."""
        from ca_editor.services.checkin import CheckinService

        return CheckinService(self.db, self.identity)

    def section_id(self, slug: str | None = None) -> int:
        """The id of the section named ``slug``, or of the first live (not archived) section when none is
        named (the first section when every one is archived)."""
        sections = self.sections.sections()
        if slug is None:
            sections = [s for s in sections if not s.archived] or sections
        for section in sections:
            if slug is None or section.slug == slug:
                return section.id
        raise NotFoundError(f"no section '{slug}'" if slug else "the database holds no section")
