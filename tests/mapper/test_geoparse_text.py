"""Article text handling: decoding, HTML, boilerplate lines, sentences with offsets."""

from __future__ import annotations

import pytest

from mapper.errors import ArticleError
from mapper.geoparse.text import (
    article_from_bytes,
    article_sentences,
    html_to_text,
    is_boilerplate,
    load_article,
    split_sentences,
    text_lines,
)

HTML = b"""<!DOCTYPE html><html><head><title>Taliban take Herat</title>
<script>var nav = "Kabul fell";</script><style>p{color:red}</style></head>
<body><nav class="menu"><a href="/">Home</a> <a href="/world">World</a></nav>
<header><div class="site-title">Daily Wire Service</div></header>
<article><h1>Taliban take Herat</h1><p>The Taliban captured Herat on Tuesday, officials said.</p>
<figure><img src="herat.jpg"><figcaption>Herat Attack.jpg</figcaption></figure>
<p>Fighting continues in the city &amp; its outskirts.</p>
<div class="share-buttons">Share on Facebook</div></article>
<footer>&copy; 2021 Wire</footer></body></html>"""


def test_html_keeps_article_text_only():
    art = article_from_bytes(HTML, name="page.html")
    assert art.was_html and art.title == "Taliban take Herat"
    assert "The Taliban captured Herat on Tuesday, officials said." in art.text
    assert "Fighting continues in the city & its outskirts." in art.text
    for junk in ("Kabul fell", "Home", "Daily Wire", "Share on Facebook", "2021 Wire", "color:red", "Attack.jpg"):
        assert junk not in art.text, junk


def test_html_without_article_element():
    text, title = html_to_text("<html><body><nav>Menu</nav><p>One.</p><p>Two.</p></body></html>")
    assert text == "One.\n\nTwo." and title == ""


def test_non_utf8_bytes_are_decoded_with_a_warning(caplog):
    art = article_from_bytes("Caf\u00e9 in Herat fell \u2013 officials".encode("cp1252"), name="old.txt")
    assert "Café" in art.text and "–" in art.text
    assert "not UTF-8" in caplog.text and "old.txt" in caplog.text


@pytest.mark.parametrize("data, words", [
    (b"", "empty"), (b"   \n\t ", "empty"), (b"<html><script>x()</script></html>", "no text"),
    (b"\x00\x01\x02binary" * 10, "binary"),
])
def test_unusable_input_is_a_clear_error(data, words):
    with pytest.raises(ArticleError, match=words) as exc:
        article_from_bytes(data, name="in.txt")
    assert "in.txt" in str(exc.value)


def test_too_long(tmp_path):
    p = tmp_path / "huge.txt"
    p.write_text("Herat fell. " * 2000, encoding="utf-8")
    with pytest.raises(ArticleError, match="more than one article"):
        load_article(p, max_chars=5000)
    assert load_article(p, max_chars=50_000).text.startswith("Herat fell.")


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(ArticleError, match="cannot read"):
        load_article(tmp_path / "nope.txt")
    with pytest.raises(ArticleError, match="folder"):
        load_article(tmp_path)


@pytest.mark.parametrize("line", [
    'Press "Enter" to skip to content', "Badghis Attack.jpg", "ORIGINAL CONTENT SITE", "Daily Headlines",
    "by JOHN HAYWARD", "Share", "Copyright 2021 Wire", "photo: AFP",
])
def test_boilerplate_lines(line):
    assert is_boilerplate(line)


@pytest.mark.parametrize("line", [
    "KABUL: Taliban launched a major attack on the city.", "The Taliban captured Herat.",
    "Afghanistan Denies Alleged Taliban Takeover of Entire Province",
])
def test_not_boilerplate(line):
    assert not is_boilerplate(line)


def test_label_prefix_is_cut_from_the_line():
    text = "Breaking News:Taliban Overrun An Urban Center\n\nHerat fell."
    lines = text_lines(text)
    assert text[lines[0].start:lines[0].end] == "Taliban Overrun An Urban Center"
    assert lines[0].kind == "headline"


def test_sentences_offsets_and_abbreviations():
    text = "Gen. Ali said the U.S. troops left. “It fell,” he said. John F. Kennedy spoke! Then?"
    sents = split_sentences(text)
    assert [s.text for s in sents] == [
        "Gen. Ali said the U.S. troops left.", "“It fell,” he said.", "John F. Kennedy spoke!", "Then?"]
    assert all(text[s.start:s.end] == s.text for s in sents)


def test_wrapped_paragraph_is_one_block_and_boilerplate_is_skipped():
    text = "Press \"Enter\" to skip to content\n\nThe Taliban\n    captured Herat. Kabul\nheld.\n\nImage.png\n"
    sents = article_sentences(text)
    assert [" ".join(s.text.split()) for s in sents] == ["The Taliban captured Herat.", "Kabul held."]
    assert all(text[s.start:s.end] == s.text for s in sents)
