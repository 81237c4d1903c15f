import pytest

from cleancorp.document import Block, Document, Removal
from cleancorp.metadata import choose_title, extract_metadata, parse_date, split_tags


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("January 19, 2020", "2020-01-19"),
        ("Jan. 19, 2020", "2020-01-19"),
        ("19 January 2020", "2020-01-19"),
        ("Sunday, 19th Jan 2020 at 10:15", "2020-01-19"),
        ("2020-03-04", "2020-03-04"),
        ("03/04/2020", "2020-03-04"),
        ("25/12/2020", "2020-12-25"),
        ("February 30, 2020", None),
        ("no date here", None),
    ],
)
def test_parse_date(text, iso):
    assert parse_date(text) == iso


@pytest.mark.parametrize(
    ("raw", "tags"),
    [
        ("Al Qaeda\u00a0 Syria", ["Al Qaeda", "Syria"]),
        ("world, conflict, diplomacy", ["world", "conflict", "diplomacy"]),
        ("Politics | Europe", ["Politics", "Europe"]),
        ("Single Tag", ["Single Tag"]),
    ],
)
def test_split_tags(raw, tags):
    assert split_tags(raw) == tags


def header(text, category="navigation", rule="before_body", **fields):
    return Removal(category, rule, text, "header", fields, text)


def test_title_is_the_headline_right_before_the_byline():
    removed = [
        header("The Largest Security-Cleared Career Network - JOIN NOW", "advertisement", "call_to_action"),
        header("Weapons of Mass Destruction (WMD)"),
        header("Despite Cease-Fire, Clashes Continue in Syria's Idlib"),
        header("By Sirwan Kajjo January 19, 2020", "byline", "by_name_date", author="Sirwan Kajjo"),
    ]
    assert choose_title(removed) == 2


def test_title_printed_twice_first_copy_is_title():
    doc = Document(id="x", source="x.txt")
    doc.removed = [header("Idlib Battle Impossible to Avoid"), header("Idlib Battle Impossible to Avoid")]
    doc.blocks = [Block("Body text.", "Body text.")]
    extract_metadata(doc)
    assert doc.meta.title == "Idlib Battle Impossible to Avoid"
    assert [r.category for r in doc.removed] == ["title", "duplicate_title"]


def test_title_repeated_in_the_body_is_removed():
    doc = Document(id="x", source="x.html", format="html")
    doc.meta.title = "New SUVs highlight L.A. Auto Show"
    doc.blocks = [Block("New SUVs highlight L.A. Auto Show", ""), Block("The show opens Friday.", "")]
    extract_metadata(doc)
    assert [b.text for b in doc.blocks] == ["The show opens Friday."]
    assert doc.removed[0].category == "duplicate_title"


def test_byline_date_tags_credit_become_metadata():
    doc = Document(id="x", source="x.txt")
    doc.removed = [
        Removal(
            "byline",
            "by_name_date",
            "By Ana Beltran | 2021-11-09",
            "header",
            {"author": "Ana Beltran", "date": "2021-11-09"},
        ),
        Removal(
            "tags",
            "tags_label",
            "Tags: Al Qaeda  Syria",
            "footer",
            {"tags": "Al Qaeda Syria"},
            "Tags: Al Qaeda\u00a0 Syria",
        ),
        Removal(
            "source_credit",
            "source_label",
            "Source: Elijah J. Magnier",
            "footer",
            {"credit": "Elijah J. Magnier"},
        ),
    ]
    extract_metadata(doc)
    assert (doc.meta.author, doc.meta.date) == ("Ana Beltran", "2021-11-09")
    assert doc.meta.tags == ["Al Qaeda", "Syria"]
    assert doc.meta.source_credit == "Elijah J. Magnier"
