"""Pictures for one export or preview: plan each image's derivatives and get their files, from the
derivative cache when it has them, encoded (and cached) when not.

The plan needs each original's displayed size (``renditions.ImageFacts``), which the cache keeps by the
original's sha256; an original is read from the database only when its facts or its files are missing,
and then at most once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image

from ca_editor.domain.errors import ExportFailedError
from ca_editor.domain.model import StoryImage
from ca_editor.export import derivatives
from ca_editor.export.image_cache import DerivativeCache
from ca_editor.export.renditions import ImageFacts, Picture, Rendition, plan_picture

AssetReader = Callable[[str], bytes]  # sha256 -> the original's bytes
_UNREADABLE = (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning)


@dataclass(frozen=True, slots=True)
class PictureFile:
    """A rendition ready to place in a bundle: a file in the cache, or bytes when nothing is cached."""

    rendition: Rendition
    sha256: str
    cached: str | None
    data: bytes | None


class PicturePlanner:
    def __init__(self, cache: DerivativeCache, read_asset: AssetReader) -> None:
        self.cache = cache
        self._read_asset = read_asset
        self._facts: dict[str, ImageFacts] = {}
        self._originals: dict[str, bytes] = {}  # read for their facts, kept until their files are made
        self.encoded = 0  # pictures encoded (not found in the cache), for the bench and the tests

    def picture(self, image: StoryImage) -> Picture:
        sha256 = image.asset.sha256
        facts = self._facts.get(sha256) or self.cache.facts(sha256)
        if facts is None:
            data = self._originals[sha256] = self._read_asset(sha256)
            facts = _probe(data, sha256)
            self.cache.put_facts(sha256, facts)
        self._facts[sha256] = facts
        return plan_picture(image, facts)

    def cached_files(self, picture: Picture) -> list[PictureFile] | None:
        """The picture's files if the cache has them all; None when they must be encoded."""
        files = self.cache.files(picture)
        if files is None:
            return None
        self._originals.pop(picture.sha256, None)
        return [PictureFile(r, files[r.key].sha256, files[r.key].path, None) for r in picture.renditions]

    def original(self, sha256: str) -> bytes:
        """The original's bytes for encoding (read now unless its facts were just read from it)."""
        data = self._originals.pop(sha256, None)
        return data if data is not None else self._read_asset(sha256)

    def files(self, picture: Picture) -> list[PictureFile]:
        """The picture's files, encoded here when the cache does not have them."""
        found = self.cached_files(picture)
        if found is not None:
            return found
        self.encoded += 1
        return encode_files(picture, self.original(picture.sha256), self.cache)

    def encode_again(self, picture: Picture) -> list[PictureFile]:
        """The picture's files encoded anew: a cached file was pruned between ``files`` and its use
        (``DerivativeCache.prune``), which is a cache miss, not a failed export."""
        self.encoded += 1
        return encode_files(picture, self.original(picture.sha256), self.cache)


def encode_files(picture: Picture, data: bytes, cache: DerivativeCache) -> list[PictureFile]:
    """Encode every rendition of ``picture`` from the original ``data`` and keep them in ``cache``."""
    try:
        encoded = {r.key: (r, body) for r, body in derivatives.render(data, picture)}
    except _UNREADABLE as exc:
        raise ExportFailedError(
            f"image {picture.sha256[:12]} could not be converted ({exc}); replace it in its story"
        ) from exc
    digests = {key: (hashlib.sha256(body).hexdigest(), body) for key, (_r, body) in encoded.items()}
    stored = cache.store(picture, digests)
    files = []
    for rendition in picture.renditions:
        sha256, body = digests[rendition.key]
        kept = stored.get(rendition.key)
        files.append(PictureFile(rendition, sha256, kept.path if kept else None, None if kept else body))
    return files


def _probe(data: bytes, sha256: str) -> ImageFacts:
    try:
        return derivatives.probe(data)
    except _UNREADABLE as exc:
        raise ExportFailedError(
            f"image {sha256[:12]} could not be read ({exc}); replace it in its story"
        ) from exc
