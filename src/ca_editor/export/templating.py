"""The one Jinja2 environment: strict undefined, autoescape always on, templates from the package."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, FileSystemLoader, StrictUndefined

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
    )
    env.filters["human_date"] = human_date
    env.filters["machine_date"] = machine_date
    env.globals["month_label"] = month_label
    env.globals["csp"] = CONTENT_SECURITY_POLICY
    return env
