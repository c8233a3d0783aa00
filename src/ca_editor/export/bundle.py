"""``build_bundle``: a pure function from a site snapshot to a folder on disk, written atomically."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from ca_editor import __version__
from ca_editor.domain.errors import ExportFailedError
from ca_editor.domain.model import ImageAsset
from ca_editor.domain.publication import SiteSnapshot
from ca_editor.export import pages, site
from ca_editor.export.manifest import Manifest, slot_entries
from ca_editor.export.staging import staged_directory
from ca_editor.export.templating import environment
from ca_editor.locations import static_dir

AssetReader = Callable[[str], bytes]  # sha256 -> image bytes
Progress = Callable[[int, int], None]  # done, total


class ExportCancelledError(ExportFailedError):
    """The user cancelled; the previous bundle is untouched."""


def build_bundle(
    snapshot: SiteSnapshot,
    out_dir: Path,
    read_asset: AssetReader,
    *,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Manifest:
    """Write the section page, story pages, archive pages, CSS, images and manifest into ``out_dir``."""
    page_list = [pages.section_page(snapshot), *pages.story_pages(snapshot), *pages.archive_pages(snapshot)]
    assets = _assets(snapshot)
    total, done = len(page_list) + len(assets) + 1, 0
    manifest = Manifest(
        generator=f"ca-editor {__version__}",
        exported_at=snapshot.generated_at,
        section_slug=snapshot.section.slug,
        editors_choice=slot_entries(snapshot),
        problems=tuple(snapshot.problems()),
    )
    env = environment()
    try:
        with staged_directory(out_dir) as stage:
            writer = _Writer(stage)
            writer.write(site.STYLESHEET, (static_dir() / "style.css").read_bytes())
            for page in page_list:
                _check_cancel(cancelled)
                html = env.get_template(page.template).render(page.context)
                writer.write(page.path, html.encode("utf-8"))
                done += 1
                if progress:
                    progress(done, total)
            for asset in assets:
                _check_cancel(cancelled)
                writer.write(site.image_path(asset), read_asset(asset.sha256))
                done += 1
                if progress:
                    progress(done, total)
            manifest = replace(manifest, files=writer.hashes)
            writer.write(site.MANIFEST, manifest.to_json().encode("utf-8"), record=False)
            if progress:
                progress(total, total)
    except OSError as exc:
        raise ExportFailedError(
            f"the bundle could not be written ({exc.strerror or exc}); the previous bundle is untouched"
        ) from exc
    return manifest


def _assets(snapshot: SiteSnapshot) -> list[ImageAsset]:
    found: dict[str, ImageAsset] = {}
    for story in snapshot.stories:
        if story.image is not None:
            found[story.image.asset.sha256] = story.image.asset
    for slot in snapshot.slots:
        if slot.image is not None:
            found[slot.image.asset.sha256] = slot.image.asset
    return [found[key] for key in sorted(found)]


def _check_cancel(cancelled: Callable[[], bool] | None) -> None:
    if cancelled is not None and cancelled():
        raise ExportCancelledError("export cancelled; the previous bundle is untouched")


class _Writer:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.hashes: dict[str, str] = {}

    def write(self, relative: str, data: bytes, *, record: bool = True) -> None:
        path = (self.root / relative).resolve()
        if not path.is_relative_to(self.root):
            raise ExportFailedError(f"refusing to write outside the bundle: {relative!r}")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        if record:
            self.hashes[relative] = hashlib.sha256(data).hexdigest()
