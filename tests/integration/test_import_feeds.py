"""RSS and Atom import through the service and the command line, hostile feeds included.

Every refusal must leave the database exactly as it was; every message must name the entry and the reason.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from tests import db_query

from ca_editor import cli
from ca_editor.domain.errors import ImportFailedError
from ca_editor.domain.model import StoryStatus
from ca_editor.domain.slugs import is_valid_slug
from ca_editor.export.sanitize import render_markdown
from ca_editor.services.container import Services
from ca_editor.services.importing import Action, ImportCancelledError
from ca_editor.services.importing.records import MAX_FEED_BYTES


def item(
    title: str,
    *,
    guid: str | None = None,
    link: str | None = None,
    date: str | None = "Fri, 27 Nov 2026 14:05:00 +0500",
    description: str | None = None,
    content: str | None = None,
    extra: str = "",
) -> str:
    parts = [f"<title>{escape(title)}</title>"]
    if guid is not None:
        parts.append(f'<guid isPermaLink="false">{escape(guid)}</guid>')
    if link is not None:
        parts.append(f"<link>{escape(link)}</link>")
    if date is not None:
        parts.append(f"<pubDate>{escape(date)}</pubDate>")
    if description is not None:
        parts.append(f"<description>{escape(description)}</description>")
    if content is not None:
        parts.append(f"<content:encoded><![CDATA[{content}]]></content:encoded>")
    return "<item>" + "".join(parts) + extra + "</item>"


def rss(*items: str, title: str = "Central Asia wire") -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>{escape(title)}</title><link>https://wire.example.kz/</link>"
        f"<description>wire</description>{''.join(items)}</channel></rss>"
    ).encode()


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def snapshot(target: db_query.Target) -> list[tuple[object, ...]]:
    return db_query.rows(
        target,
        "SELECT id, slug, title, summary, body, version, source_guid, source_link FROM stories ORDER BY id",
    )


def everything_in(target: db_query.Target) -> str:
    rows = db_query.rows(target, "SELECT title, summary, body, byline FROM stories")
    return "\n".join(str(value) for row in rows for value in row)


# --------------------------------------------------------------------------------------------- reading


def test_rss_entries_become_draft_stories_with_markdown_bodies(
    empty_services: Services, tmp_path: Path
) -> None:
    feed = write(
        tmp_path / "wire.xml",
        rss(
            item(
                "Dam opens on the Vakhsh",
                guid="wire-1",
                link="https://wire.example.kz/1",
                description="Rogun fills its reservoir.",
                content=(
                    '<p>Rogun <b>fills</b> at last. <a href="https://rogun.tj/">Site</a>'
                    ' <a href="javascript:alert(1)">bad</a></p><script>alert(1)</script>'
                    '<p><img src="https://tracker.example/pixel.gif" alt="">1. Not a list</p>'
                ),
                extra="<category>Energy</category><category>Tajikistan</category>"
                "<author>desk@wire.example.kz (Dushanbe desk)</author>",
            )
        ),
    )
    plan = empty_services.imports.preview(feed)
    assert plan.source.kind == "RSS 2.0 feed"
    assert plan.source.title == "Central Asia wire"
    assert "1 image left out" in plan.entries[0].reason
    report = empty_services.imports.apply(plan)
    assert report.created == ("dam-opens-on-the-vakhsh",)

    story = empty_services.stories.get_by_slug("dam-opens-on-the-vakhsh")
    assert story.status is StoryStatus.DRAFT  # wire copy waits for an editor
    assert story.summary == "Rogun fills its reservoir."
    assert story.body == "Rogun **fills** at last. [Site](https://rogun.tj/) bad\n\n1\\. Not a list"
    assert "script" not in story.body and "alert" not in story.body and "tracker" not in story.body
    # The page shows what the feed showed: the escaped "1." is text, not a list.
    assert render_markdown(story.body) == (
        '<p>Rogun <strong>fills</strong> at last. <a href="https://rogun.tj/">Site</a> bad</p>\n'
        "<p>1. Not a list</p>"
    )
    assert story.byline == "Dushanbe desk"
    assert story.tags == ("Energy", "Tajikistan")
    assert story.published_at is not None and story.published_at.isoformat() == "2026-11-27T09:05:00+00:00"


def test_atom_entries_are_read_too(empty_services: Services, tmp_path: Path) -> None:
    feed = write(
        tmp_path / "wire.atom",
        b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom wire</title><id>urn:wire</id>
<updated>2026-11-27T14:05:00Z</updated>
<entry><title type="html">Tom &amp;amp; Jerry &lt;em&gt;in Almaty&lt;/em&gt;</title><id>urn:wire:1</id>
<link href="https://wire.example.kz/atom/1"/><updated>2026-11-27T14:05:00Z</updated>
<summary type="text">Plain &lt;b&gt;text&lt;/b&gt; summary</summary>
<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Body <em>here</em></p></div></content>
</entry></feed>""",
    )
    report = empty_services.imports.import_path(feed)
    story = empty_services.stories.get_by_slug(report.created[0])
    assert story.title == "Tom & Jerry in Almaty"
    assert story.summary == "Plain <b>text</b> summary"  # text stays text, tags and all
    assert story.body == "Body *here*"
    assert story.published_at is not None and story.published_at.hour == 14


@pytest.mark.parametrize(
    "title", ["/etc/passwd", "file:///etc/passwd", "~/.ssh/id_rsa", "C:\\Windows\\win.ini"]
)
def test_titles_and_links_that_look_like_paths_stay_text(
    empty_services: Services, tmp_path: Path, title: str
) -> None:
    feed = write(tmp_path / "paths.xml", rss(item(title, guid=title, link=title, description=title)))
    report = empty_services.imports.import_path(feed)
    story = empty_services.stories.get_by_slug(report.created[0])
    assert story.title == title
    assert "root:" not in story.body + story.summary
    assert is_valid_slug(story.slug)


@pytest.mark.parametrize("form", ["path", "file-url"])
def test_a_file_whose_whole_content_is_a_path_is_not_opened(
    empty_services: Services, tmp_path: Path, form: str
) -> None:
    # feedparser.parse(str) would open the path (or URL) and import whatever feed it finds there.
    elsewhere = write(tmp_path / "elsewhere.xml", rss(item("Leaked from elsewhere", guid="leak")))
    pointer = elsewhere.as_uri() if form == "file-url" else str(elsewhere)
    feed = write(tmp_path / "sneaky.xml", pointer.encode())
    with pytest.raises(ImportFailedError) as caught:
        empty_services.imports.preview(feed)
    assert "sneaky.xml" in str(caught.value)
    assert empty_services.stories.count() == 0


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>laughs</title>
<item><title>&lol9;</title><guid>a</guid><description>&lol9;</description></item></channel></rss>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>xxe</title>
<item><title>Leak &xxe;</title><guid>a</guid><description>&xxe;</description></item></channel></rss>"""

XXE_PARAMETER = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY % remote SYSTEM "file:///etc/passwd"> %remote;]>
<rss version="2.0"><channel><title>xxe</title><item><title>x</title></item></channel></rss>"""


DECLARED_TEXT = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY eacute "lollol">]>
<rss version="2.0"><channel><title>declared</title><item><title>Caf&eacute;</title></item></channel></rss>"""


@pytest.mark.parametrize(
    "data",
    [BILLION_LAUGHS, XXE, XXE_PARAMETER, DECLARED_TEXT],
    ids=["billion-laughs", "xxe", "xxe-param", "declared-text"],
)
def test_entity_attacks_neither_expand_nor_read_files(
    services: Services, tmp_path: Path, data: bytes
) -> None:
    feed = write(tmp_path / "attack.xml", data)
    before = snapshot(services)
    started = time.perf_counter()
    with pytest.raises(ImportFailedError) as caught:
        services.imports.preview(feed)
    assert time.perf_counter() - started < 30  # generous: an expansion would take minutes and gigabytes
    message = str(caught.value)
    assert "attack.xml" in message and "not well-formed" in message
    assert "root:" not in message and "lollol" not in message
    assert snapshot(services) == before
    assert "root:" not in everything_in(services)


CMS_ITEM = (
    "<item><title>Caf&eacute;&nbsp;culture in Almaty&hellip;</title><guid>cms-1</guid>"
    "<pubDate>Fri, 27 Nov 2026 14:05:00 +0500</pubDate>"
    "<description>Le caf&eacute; du coin&nbsp;: 10&nbsp;km &amp; more&hellip;</description>"
    "<content:encoded><![CDATA[<p>Caf&eacute;&nbsp;au lait &mdash; &laquo;tr&egrave;s bien&raquo;</p>]]>"
    "</content:encoded></item>"
)


def test_html_named_entities_of_a_cms_feed_are_read_as_their_characters(
    empty_services: Services, tmp_path: Path
) -> None:
    # Undeclared in XML, so a strict parser refused the whole feed ("undefined entity").
    feed = write(tmp_path / "cms.xml", rss(CMS_ITEM))
    report = empty_services.imports.import_path(feed)
    assert report.total == 1
    story = empty_services.stories.get_by_slug(report.created[0])
    assert story.title == "Café\u00a0culture in Almaty…"  # the no-break space is kept, not collapsed
    assert story.summary == "Le café du coin\u00a0: 10\u00a0km & more…"
    assert "Café\u00a0au lait — «très bien»" in story.body
    assert "&eacute;" not in everything_in(empty_services)


def test_an_rss_091_doctype_without_declarations_is_read_with_its_entities(
    empty_services: Services, tmp_path: Path
) -> None:
    # Netscape's RSS 0.91 DTD is why such feeds use HTML entities: the DOCTYPE is dropped, never fetched.
    doctype = (
        b'<?xml version="1.0" encoding="iso-8859-1"?>\n<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD '
        b'RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">\n'
    )
    body = b'<rss version="0.91"><channel><title>Old</title><link>https://x.example/</link>'
    body += b"<description>d</description><item><title>Na\xefve caf&eacute;</title>"
    body += b"<link>https://x.example/1</link></item></channel></rss>"
    report = empty_services.imports.import_path(write(tmp_path / "old.rss", doctype + body))
    assert empty_services.stories.get_by_slug(report.created[0]).title == "Naïve café"


@pytest.mark.parametrize("reference", ["&bogus;", "&eacute"], ids=["unknown-name", "no-semicolon"])
def test_an_entity_html_does_not_know_is_still_refused(
    empty_services: Services, tmp_path: Path, reference: str
) -> None:
    feed = write(tmp_path / "odd.xml", rss(f"<item><title>Caf{reference} x</title></item>"))
    with pytest.raises(ImportFailedError) as caught:
        empty_services.imports.preview(feed)
    assert "odd.xml" in str(caught.value) and "not well-formed" in str(caught.value)
    assert empty_services.stories.count() == 0


def test_a_50_mb_feed_is_refused_before_it_is_read(services: Services, tmp_path: Path) -> None:
    feed = tmp_path / "huge.xml"
    with feed.open("wb") as handle:
        handle.write(rss(item("Start", guid="s"))[: -len(b"</channel></rss>")])
        chunk = item("Filler " + "x" * 900, guid=None).encode()
        while handle.tell() < 50 * 1024 * 1024:
            handle.write(chunk * 64)
        handle.write(b"</channel></rss>")
    assert feed.stat().st_size > MAX_FEED_BYTES
    before = snapshot(services)
    with pytest.raises(ImportFailedError) as caught:
        services.imports.preview(feed)
    assert "huge.xml" in str(caught.value)
    assert "50 MB" in str(caught.value) and f"{MAX_FEED_BYTES // 2**20} MB" in str(caught.value)
    assert snapshot(services) == before


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (rss(), "has no entries"),
        (rss(title="Пустая лента"), "'Пустая лента' has no entries"),
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"<html><body><p>Not a feed</p></body></html>", "not an RSS or Atom feed"),
        (rss(item("Cut off", guid="x"))[:-30], "not well-formed"),
        (
            b'<rss version="2.0"><channel><title>t</title><item><title>a</title>'
            b"<dc:creator>x</dc:creator></item></channel></rss>",
            "not well-formed",
        ),
        (
            (
                '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
                "<item><title>Қазақстан</title></item></channel></rss>"
            ).encode("cp1251", "replace"),
            "encoding",
        ),
    ],
    ids=[
        "empty-feed",
        "empty-russian-feed",
        "empty-file",
        "blank-file",
        "html-page",
        "truncated",
        "undeclared-prefix",
        "wrong-encoding",
    ],
)
def test_feeds_with_nothing_to_import_say_so(
    services: Services, tmp_path: Path, data: bytes, says: str
) -> None:
    feed = write(tmp_path / "feed.xml", data)
    before = snapshot(services)
    with pytest.raises(ImportFailedError) as caught:
        services.imports.preview(feed)
    assert says in str(caught.value)
    assert "feed.xml" in str(caught.value) and "Nothing was imported" in str(caught.value)
    assert snapshot(services) == before


def test_a_feed_in_another_declared_encoding_is_read(empty_services: Services, tmp_path: Path) -> None:
    data = rss(item("Россия и Казахстан", guid="cp"), title="Лента").decode().replace("utf-8", "windows-1251")
    feed = write(tmp_path / "cp1251.xml", data.encode("cp1251"))
    report = empty_services.imports.import_path(feed)
    assert empty_services.stories.get_by_slug(report.created[0]).title == "Россия и Казахстан"


# ----------------------------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("date", "says"),
    [
        ("03/04/2026", "could be 3 April or 4 March"),
        ("next Tuesday", "not a date"),
        ("31.02.2026", "not a real date"),
        ("Fri, 27 Nov 2026 14:05:00 ALMT", "time zone 'ALMT'"),
    ],
)
def test_a_bad_date_fails_the_whole_feed_naming_the_entry(
    services: Services, tmp_path: Path, date: str, says: str
) -> None:
    feed = write(
        tmp_path / "dated.xml",
        rss(
            item("Good first entry", guid="1"),
            item("Second entry", guid="2", date="2026-11-27"),
            item("Третья новость", guid="3", date=date),
        ),
    )
    before = snapshot(services)
    with pytest.raises(ImportFailedError) as caught:
        services.imports.preview(feed)
    error = caught.value
    assert (error.line, error.field) == (3, "published_at")
    assert "dated.xml, entry 3 'Третья новость', field 'published_at'" in str(error)
    assert says in str(error)
    assert snapshot(services) == before


@pytest.mark.parametrize(
    ("date", "iso"),
    [
        ("Fri, 27 Nov 2026 14:05:00 GMT", "2026-11-27T14:05:00+00:00"),
        ("2026-11-27T14:05:00+06:00", "2026-11-27T08:05:00+00:00"),
        ("27 ноября 2026 г.", "2026-11-27T00:00:00+00:00"),
        ("27.11.2026 14:05", "2026-11-27T14:05:00+00:00"),
    ],
)
def test_feed_dates_in_common_forms(empty_services: Services, tmp_path: Path, date: str, iso: str) -> None:
    feed = write(tmp_path / "dates.xml", rss(item("Dated", guid="d", date=date)))
    report = empty_services.imports.import_path(feed)
    published = empty_services.stories.get_by_slug(report.created[0]).published_at
    assert published is not None and published.isoformat() == iso


# ------------------------------------------------------------------------------------------ duplicates


def test_duplicate_guids_in_one_feed_import_the_first(empty_services: Services, tmp_path: Path) -> None:
    feed = write(
        tmp_path / "dupes.xml",
        rss(
            item("First version", guid="same", description="one"),
            item("Other story", guid="other"),
            item("Second version", guid="same", description="two"),
        ),
    )
    plan = empty_services.imports.preview(feed)
    assert [e.action for e in plan.entries] == [Action.ADD, Action.ADD, Action.SKIP]
    assert plan.entries[2].reason == "same guid as entry 1 'First version' of this file"
    report = empty_services.imports.apply(plan)
    assert len(report.created) == 2 and empty_services.stories.count() == 2


def test_reimport_updates_instead_of_duplicating(empty_services: Services, tmp_path: Path) -> None:
    first = rss(
        item("Astana summit opens", guid="s1", description="Leaders arrive."),
        item("Bishkek talks", guid="s2", description="Talks begin."),
    )
    feed = write(tmp_path / "wire.xml", first)
    created = empty_services.imports.import_path(feed).created
    story = empty_services.stories.get_by_slug(created[0])
    # The desk moves the story on; the wire then corrects its text and title.
    empty_services.stories.update(
        story.id,
        story.fields().__class__(**{**_fields(story), "status": StoryStatus.APPROVED}),
        expected_version=story.version,
    )
    write(
        feed,
        rss(
            item("Astana summit opens (updated)", guid="s1", description="Leaders arrive; talks start."),
            item("Bishkek talks", guid="s2", description="Talks begin."),
            item("New entry", guid="s3"),
        ),
    )
    plan = empty_services.imports.preview(feed)
    assert plan.summary() == "1 to add, 1 to update, 1 skipped"
    assert plan.entries[0].reason.startswith(f"same guid as story #{story.id}; changes title, summary, body")
    assert plan.entries[1].reason.endswith(", unchanged")
    empty_services.imports.apply(plan)
    assert empty_services.stories.count() == 3
    updated = empty_services.stories.get(story.id)
    assert updated.title == "Astana summit opens (updated)"
    assert updated.slug == story.slug  # the address stays
    assert updated.status is StoryStatus.APPROVED  # the desk's decision stays


def _fields(story):  # type: ignore[no-untyped-def]
    fields = story.fields()
    return {name: getattr(fields, name) for name in fields.__dataclass_fields__}


def test_the_same_link_without_guid_updates_the_story(empty_services: Services, tmp_path: Path) -> None:
    feed = write(
        tmp_path / "links.xml", rss(item("Linked", link="https://wire.example.kz/7", description="a"))
    )
    empty_services.imports.import_path(feed)
    write(feed, rss(item("Linked, renamed", link="https://wire.example.kz/7", description="b")))
    plan = empty_services.imports.preview(feed)
    assert plan.entries[0].action is Action.UPDATE
    assert plan.entries[0].reason.startswith("same link as story #")


# ---------------------------------------------------------------------------------- Russian and Kazakh


def test_russian_and_kazakh_feeds_get_readable_unique_slugs(empty_services: Services, tmp_path: Path) -> None:
    russian = write(
        tmp_path / "ru.xml",
        rss(
            item("Токаев встретился с Мирзиёевым в Астане", guid="ru-1"),
            item("Цены на хлеб выросли", guid="ru-2"),
            item("Цены на хлеб выросли", guid="ru-3"),  # same title, another story
            title="Новости Центральной Азии",
        ),
    )
    kazakh = write(
        tmp_path / "kk.xml",
        rss(
            item("Тоқаев Мирзиёевпен Астанада кездесті", guid="kk-1"),
            item("Әділет министрлігі: жаңа ереже", guid="kk-2"),
            item("Үкімет пен Ұлттық банк шешімі", guid="kk-3"),
            item("Өскемен мен Шығыс: су тасқыны", guid="kk-4"),
            title="Орталық Азия жаңалықтары",
        ),
    )
    slugs = [
        *empty_services.imports.import_path(russian).created,
        *empty_services.imports.import_path(kazakh).created,
    ]
    assert slugs == [
        "tokaev-vstretilsia-s-mirzieevym-v-astane",
        "tseny-na-khleb-vyrosli",
        "tseny-na-khleb-vyrosli-2",
        "tokaev-mirzieevpen-astanada-kezdesti",
        "adilet-ministrligi-zhana-erezhe",
        "ukimet-pen-ulttyk-bank-sheshimi",
        "oskemen-men-shygys-su-taskyny",
    ]
    assert all(is_valid_slug(s) for s in slugs)
    assert (
        empty_services.stories.get_by_slug("adilet-ministrligi-zhana-erezhe").title
        == "Әділет министрлігі: жаңа ереже"
    )
    # A second import of both changes nothing.
    assert empty_services.imports.preview([russian, kazakh]).summary() == "0 to add, 0 to update, 7 skipped"


# -------------------------------------------------------------------------------- transaction, cancel


def big_feed(path: Path, count: int) -> Path:
    return write(
        path, rss(*(item(f"Story number {n}", guid=f"n{n}", description=f"Text {n}") for n in range(count)))
    )


def test_cancel_while_writing_leaves_nothing(services: Services, tmp_path: Path) -> None:
    plan = services.imports.preview(big_feed(tmp_path / "big.xml", 300))
    before = snapshot(services)
    seen: list[int] = []
    with pytest.raises(ImportCancelledError):
        services.imports.apply(
            plan, progress=lambda done, total: seen.append(done), cancelled=lambda: len(seen) >= 150
        )
    assert len(seen) == 150  # it had written half when cancelled
    assert snapshot(services) == before


def test_cancel_while_reading_stops_early(services: Services, tmp_path: Path) -> None:
    feed = big_feed(tmp_path / "big.xml", 300)
    seen: list[int] = []
    with pytest.raises(ImportCancelledError):
        services.imports.preview(
            feed, progress=lambda done, total: seen.append(done), cancelled=lambda: len(seen) >= 10
        )
    assert len(seen) == 10


def test_progress_counts_every_entry(empty_services: Services, tmp_path: Path) -> None:
    plan = empty_services.imports.preview(big_feed(tmp_path / "big.xml", 40))
    seen: list[tuple[int, int]] = []
    empty_services.imports.apply(plan, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(n, 40) for n in range(1, 41)]


def test_a_plan_made_stale_by_another_writer_is_refused(services: Services, tmp_path: Path) -> None:
    feed = write(tmp_path / "wire.xml", rss(item("Astana summit", guid="s1", description="a")))
    plan = services.imports.preview(feed)
    services.imports.import_path(feed)  # someone imports the same feed first
    before = snapshot(services)
    with pytest.raises(ImportFailedError) as caught:
        services.imports.apply(plan)
    assert "changed since the preview" in str(caught.value)
    assert "entry 1 'Astana summit' is now: skip" in str(caught.value)
    assert snapshot(services) == before


def test_a_field_over_its_limit_names_the_entry(services: Services, tmp_path: Path) -> None:
    feed = write(
        tmp_path / "long.xml",
        rss(item("Fine", guid="1"), item("T" * 400, guid="2"), item("Long guid", guid="g" * 1200)),
    )
    before = snapshot(services)
    with pytest.raises(ImportFailedError) as caught:
        services.imports.preview(feed)
    assert (caught.value.line, caught.value.field) == (2, "title")
    assert "entry 2 'TTTT" in str(caught.value) and "the limit is 300" in str(caught.value)
    write(feed, rss(item("Fine", guid="1"), item("Long guid", guid="g" * 1200)))
    with pytest.raises(ImportFailedError) as caught:
        services.imports.preview(feed)
    assert (caught.value.line, caught.value.field) == (2, "guid")
    assert snapshot(services) == before


def test_a_long_description_becomes_a_shortened_summary_and_says_so(
    empty_services: Services, tmp_path: Path
) -> None:
    description = "<p>" + "word " * 1000 + "</p>"
    feed = write(
        tmp_path / "long.xml", rss(item("Long", guid="1", description=description, content="<p>Body</p>"))
    )
    plan = empty_services.imports.preview(feed)
    assert "summary shortened from 4,999 characters" in plan.entries[0].reason
    empty_services.imports.apply(plan)
    story = empty_services.stories.get_by_slug("long")
    assert len(story.summary) <= 400 and story.summary.endswith("…")


def test_concurrent_preview_and_write_on_threads(empty_services: Services, tmp_path: Path) -> None:
    # The window reads on a worker thread while its own thread may read too: sessions are per unit of work.
    feed = big_feed(tmp_path / "big.xml", 50)
    results: list[object] = []
    worker = threading.Thread(target=lambda: results.append(empty_services.imports.import_path(feed)))
    worker.start()
    while worker.is_alive():
        empty_services.stories.count()
        worker.join(0.01)
    assert len(results) == 1 and empty_services.stories.count() == 50


# --------------------------------------------------------------------------------------------- CLI


def test_cli_dry_run_prints_the_plan_and_writes_nothing(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feed = write(tmp_path / "wire.xml", rss(item("Astana summit", guid="s1"), item("Other", guid="s1")))
    assert cli.main(["--db", db_url, "import", "--dry-run", str(feed)]) == 0
    out = capsys.readouterr().out
    assert "wire.xml (RSS 2.0 feed): 1 to add, 0 to update, 1 skipped" in out
    assert "add     entry 1 'Astana summit'  -> astana-summit: new story" in out
    assert "skip    entry 2 'Other'" in out
    assert "astana-summit" not in {row[1] for row in snapshot(db_url)}
    assert cli.main(["--db", db_url, "import", str(feed)]) == 0
    assert "wire.xml: 1 created, 0 updated, 1 skipped" in capsys.readouterr().out
    assert "astana-summit" in {row[1] for row in snapshot(db_url)}


def test_cli_failure_exits_1_with_the_entry(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feed = write(
        tmp_path / "bad.xml", rss(item("Fine", guid="1"), item("Ambiguous", guid="2", date="01/02/2026"))
    )
    assert cli.main(["--db", db_url, "import", str(feed)]) == 1
    err = capsys.readouterr().err
    assert "bad.xml, entry 2 'Ambiguous', field 'published_at'" in err
    assert "could be 1 February or 2 January 2026" in err
