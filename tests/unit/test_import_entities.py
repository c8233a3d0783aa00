"""HTML named entities in feeds become XML character references; XML's own five and CDATA stay as they are."""

from __future__ import annotations

from ca_editor.services.importing.entities import declares_entities, html_entities_as_references


def test_html_names_become_numeric_references() -> None:
    raw = b"<title>Caf&eacute;&nbsp;&hellip; &NotEqualTilde;</title>"
    assert html_entities_as_references(raw) == b"<title>Caf&#233;&#160;&#8230; &#8770;&#824;</title>"


def test_xml_own_entities_unknown_names_and_cdata_are_left_alone() -> None:
    raw = b"<t>&amp;&lt;&gt;&quot;&apos; &bogus; &eacute</t><d><![CDATA[<p>caf&eacute;</p>]]></d>"
    assert html_entities_as_references(raw) == raw


def test_entity_declarations_are_found_only_before_the_first_element() -> None:
    assert declares_entities(b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x "y">]><rss/>')
    assert declares_entities(b'<!DOCTYPE rss [<!entity % p SYSTEM "file:///etc/passwd"> %p;]><rss/>')
    assert not declares_entities(
        b'<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "x"><rss/>'
    )
    assert not declares_entities(b"<rss><description>&lt;!ENTITY in text&gt; <!ENTITY</description></rss>")
