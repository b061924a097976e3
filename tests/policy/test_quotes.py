"""Exact to the text: every quotation in the clauses' METADATA stands, word for word, in
the source it is attributed to (the article and REFERENCES.md, in docs/sources: a copy
`make generate` keeps of the project's reference texts, so that a fresh clone checks its
quotes too)."""

from __future__ import annotations

import re

import pytest

from bridge.metadata import load_clauses
from bridge.server import project_root

SOURCES = project_root() / "docs" / "sources"
ARTICLE = SOURCES / "000_a8b8cd30408f832f.txt"
REFERENCES = SOURCES / "REFERENCES.md"



def normalised(text: str) -> str:
    """Line breaks and runs of spaces are layout, not wording."""
    return re.sub(r"\s+", " ", text).strip()


CLAUSES = load_clauses()


def test_the_clauses_the_exception_and_the_definitions_are_all_quoted():
    assert sorted(c.id for c in CLAUSES) == sorted(
        ["P1", "P2", "P3", "P4", "P5", "KOREA", "DEFINITIONS"]
    )


@pytest.mark.parametrize("clause", CLAUSES, ids=[c.id for c in CLAUSES])
def test_the_article_is_quoted_word_for_word(clause):
    assert clause.article
    assert normalised(clause.article) in normalised(ARTICLE.read_text()), clause.article


@pytest.mark.parametrize("clause", CLAUSES, ids=[c.id for c in CLAUSES])
def test_the_official_wording_is_quoted_word_for_word(clause):
    assert clause.official
    assert normalised(clause.official) in normalised(REFERENCES.read_text()), clause.official


@pytest.mark.parametrize("clause", CLAUSES, ids=[c.id for c in CLAUSES])
def test_every_quotation_in_the_description_is_in_a_source(clause):
    sources = normalised(ARTICLE.read_text()) + " " + normalised(REFERENCES.read_text())
    quotations = re.findall(r'"([^"]{12,})"', normalised(clause.description))
    assert quotations, f"{clause.id}: its description quotes nothing"
    for quotation in quotations:
        assert quotation.rstrip(".") in sources, quotation
