"""The same corpus as a Hugo site and as a Pelican site: index, story pages, yearly and monthly archives.

Both get what our bundle has: one page per story with its title, summary, byline, date, tags and body, a
front page, and archive pages per year and per month, with the archive navigation on every page. Feeds,
sitemaps, tag, category and author pages are turned off so neither builds more than we do.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable
from pathlib import Path

from corpus import BenchStory

HUGO_CONFIG = """\
baseURL = "/"
title = "Central Asia"
languageCode = "en"
uglyURLs = true
disableKinds = ["RSS", "sitemap", "robotsTXT", "404"]
[taxonomies]
  year = "years"
  month = "months"
[permalinks]
  stories = "/stories/:slug"
[markup.goldmark.parser]
  autoHeadingID = true
[markup.goldmark.renderer]
  unsafe = false
"""

HUGO_LAYOUTS = {
    "_default/baseof.html": """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ block "title" . }}{{ .Site.Title }}{{ end }}</title>
<link rel="stylesheet" href="/style.css"></head>
<body><main>{{ block "main" . }}{{ end }}</main>{{ partialCached "nav.html" . }}</body></html>
""",
    "index.html": """{{ define "main" }}<h1>{{ .Site.Title }}</h1><ol>
{{ range first 8 (where .Site.RegularPages "Section" "stories") }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>
<p>{{ .Params.summary }}</p><time>{{ .Date.Format "2 January 2006" }}</time></li>{{ end }}</ol>{{ end }}
""",
    "_default/single.html": """{{ define "title" }}{{ .Title }}{{ end }}{{ define "main" }}<article>
<h1>{{ .Title }}</h1><p>{{ .Params.summary }}</p><p>{{ .Params.byline }} ·
<time datetime="{{ .Date.Format "2006-01-02T15:04:05Z" }}">{{ .Date.Format "2 January 2006" }}</time></p>
<div>{{ .Content }}</div><ul>{{ range .Params.tags }}<li>{{ . }}</li>{{ end }}</ul></article>{{ end }}
""",
    "_default/term.html": """{{ define "title" }}{{ .Title }}{{ end }}
{{ define "main" }}<h1>{{ .Title }}</h1><ul>
{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a><p>{{ .Params.summary }}</p>
<time>{{ .Date.Format "2 January 2006" }}</time></li>{{ end }}</ul>{{ end }}
""",
    "partials/nav.html": """<aside><ul>{{ range .Site.Taxonomies.years.ByCount }}
<li><a href="/years/{{ .Name }}.html">{{ .Name }}</a> ({{ .Count }})</li>{{ end }}</ul><ul>
{{ range .Site.Taxonomies.months.Alphabetical.Reverse }}
<li><a href="/months/{{ .Name }}.html">{{ .Name }}</a> ({{ .Count }})</li>{{ end }}</ul></aside>
""",
}

PELICAN_CONF = """\
SITENAME = "Central Asia"
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
ARTICLE_URL = ARTICLE_SAVE_AS = "stories/{slug}.html"
YEAR_ARCHIVE_URL = YEAR_ARCHIVE_SAVE_AS = "archive/{date:%Y}.html"
MONTH_ARCHIVE_URL = MONTH_ARCHIVE_SAVE_AS = "archive/{date:%Y}-{date:%m}.html"
CATEGORY_SAVE_AS = TAG_SAVE_AS = AUTHOR_SAVE_AS = ""
CATEGORIES_SAVE_AS = TAGS_SAVE_AS = AUTHORS_SAVE_AS = ARCHIVES_SAVE_AS = ""
FEED_ALL_ATOM = CATEGORY_FEED_ATOM = TRANSLATION_FEED_ATOM = AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = None
DEFAULT_PAGINATION = False
CACHE_CONTENT = False
MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.extra": {},
        "markdown.extensions.sane_lists": {},
        "markdown.extensions.toc": {"baselevel": 2},
    },
    "output_format": "html5",
}
"""


def write_hugo_site(root: Path, stories: Iterable[BenchStory]) -> None:
    shutil.rmtree(root, ignore_errors=True)
    (root / "content" / "stories").mkdir(parents=True)
    (root / "config.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    for name, text in HUGO_LAYOUTS.items():
        path = root / "layouts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / "static").mkdir()
    (root / "static" / "style.css").write_text("body { font-family: serif; }\n", encoding="utf-8")
    for story in stories:
        when = story.published_at
        front = {
            "title": story.title,
            "date": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "slug": story.slug,
            "summary": story.summary,
            "byline": story.byline,
            "tags": list(story.tags),
            "years": [f"{when.year:04d}"],
            "months": [f"{when.year:04d}-{when.month:02d}"],
        }
        text = json.dumps(front, ensure_ascii=False) + "\n\n" + story.body
        (root / "content" / "stories" / f"{story.slug}.md").write_text(text, encoding="utf-8")


def write_pelican_site(root: Path, stories: Iterable[BenchStory]) -> None:
    shutil.rmtree(root, ignore_errors=True)
    (root / "content").mkdir(parents=True)
    (root / "pelicanconf.py").write_text(PELICAN_CONF, encoding="utf-8")
    for story in stories:
        header = [
            f"Title: {story.title}",
            f"Date: {story.published_at:%Y-%m-%d %H:%M}",
            f"Slug: {story.slug}",
            f"Summary: {story.summary}",
            f"Author: {story.byline}",
            "Category: News",
        ]
        if story.tags:
            header.append(f"Tags: {', '.join(story.tags)}")
        text = "\n".join(header) + "\n\n" + story.body
        (root / "content" / f"{story.slug}.md").write_text(text, encoding="utf-8")
