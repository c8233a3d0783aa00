"""The one Jinja2 environment: strict undefined, autoescape always on, templates from the package."""

from __future__ import annotations

import contextlib
from functools import cache, lru_cache

from jinja2 import BytecodeCache, Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined
from jinja2.bccache import Bucket

from ca_editor.domain.dates import human_date, machine_date, month_label
from ca_editor.locations import templates_dir

# Blocks remote loads and every script; the bundle only ever needs its own CSS and images.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; img-src 'self'; style-src 'self'; base-uri 'none'; form-action 'none'"
)


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(templates_dir()),
        undefined=StrictUndefined,
        autoescape=True,  # for every template, not only names ending in .html
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # Loaded once per process: no stat of every template for every page (the fingerprints, too, read
        # the templates once).
        auto_reload=False,
        bytecode_cache=_bytecode_cache(),
    )
    # Each story's date shows on its page, its month's list and its year's: formatted once for the three.
    env.filters["human_date"] = lru_cache(maxsize=4096)(human_date)
    env.filters["machine_date"] = lru_cache(maxsize=4096)(machine_date)
    env.globals["month_label"] = month_label
    env.globals["csp"] = CONTENT_SECURITY_POLICY
    return env


class _QuietBytecodeCache(FileSystemBytecodeCache):
    """Jinja's per-user cache of compiled templates (keyed by each template's source checksum), which saves
    a fresh process some 40 ms of compiling; a cache it cannot read or write is only a miss."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # a damaged cache file: compile as if there were none
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def _bytecode_cache() -> BytecodeCache | None:
    try:
        return _QuietBytecodeCache()  # a private folder under the temp dir, refused if anyone else owns it
    except (OSError, RuntimeError):
        return None
