"""The checklist reader reuses one Markdown instance: no state leaks between files."""

import logging

from pelican.plugins.network_checklist.network_checklist import ChecklistMarkdownReader
from pelican.settings import DEFAULT_CONFIG

import pelicanconf

WITH_CHECKLIST = """Title: With a checklist
Summary: A *formatted* summary.

::: checklist
id: first-list
title: Your networks

- [ ] Family {#family}
:::
"""
PLAIN = """Title: Plain post
Tags: one, two

Just text.
"""
BAD_BLOCK = """Title: Bad block

::: checklist
id: Bad Id

- [ ] Family
:::
"""


def _reader():
    """A reader with the site's Markdown settings (copied: the reader adds to them)."""
    markdown = {
        **pelicanconf.MARKDOWN,
        "extension_configs": dict(pelicanconf.MARKDOWN["extension_configs"]),
    }
    return ChecklistMarkdownReader({**DEFAULT_CONFIG, "MARKDOWN": markdown})


def test_one_reader_reads_files_in_turn_as_fresh_ones(tmp_path):
    files = {}
    for name, text in (("a.md", WITH_CHECKLIST), ("b.md", PLAIN)):
        files[name] = tmp_path / name
        files[name].write_text(text, encoding="utf-8")
    reader = _reader()
    first = reader.read(str(files["a.md"]))
    second = reader.read(str(files["b.md"]))
    again = reader.read(str(files["a.md"]))

    # The metadata of every file is read (the meta preprocessor is back
    # after the summary of the first file was converted without it).
    assert second[1]["title"] == "Plain post"
    assert [str(tag) for tag in second[1]["tags"]] == ["one", "two"]
    assert "checklists" not in second[1]
    assert "<form" not in second[0]
    assert first[1]["checklists"] == ["first-list"]
    assert str(first[1]["summary"]) == "<p>A <em>formatted</em> summary.</p>"
    assert again[0] == first[0]
    assert again[1]["checklists"] == ["first-list"]
    assert str(again[1]["summary"]) == str(first[1]["summary"])
    # The same output as a reader that reads only that file.
    assert _reader().read(str(files["b.md"]))[0] == second[0]


def test_warnings_name_the_file_being_read(tmp_path, caplog):
    good, bad = tmp_path / "good.md", tmp_path / "bad.md"
    good.write_text(WITH_CHECKLIST, encoding="utf-8")
    bad.write_text(BAD_BLOCK, encoding="utf-8")
    reader = _reader()
    reader.read(str(good))
    with caplog.at_level(logging.WARNING):
        reader.read(str(bad))
    messages = [record.getMessage() for record in caplog.records]
    assert any(str(bad) in message for message in messages), messages
    assert not any(str(good) in message for message in messages)
