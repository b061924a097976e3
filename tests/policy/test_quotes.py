"""Exact to the text: every quotation in the clauses' METADATA stands, word for word, in
the source it is attributed to: for the 2022 policy (and the definitions every regime
shares), the article and REFERENCES.md; for every other regime, REGIMES.md, which holds
their texts. Nothing is quoted beyond what those files hold.

The sources are read from docs/sources: the copy `make generate` keeps of the project's
reference texts (../shared/sources), so that a fresh clone checks its quotes too."""

from __future__ import annotations

import re

import pytest
import yaml

from bridge.metadata import Clause, load_clauses
from bridge.server import project_root

SOURCES = project_root() / "docs" / "sources"
ARTICLE = SOURCES / "000_a8b8cd30408f832f.txt"
REFERENCES = SOURCES / "REFERENCES.md"
REGIMES = SOURCES / "REGIMES.md"
INDEX = yaml.safe_load((project_root() / "rego" / "apl" / "policy" / "data.yaml").read_text())
# The regime whose texts are the article's and REFERENCES.md's.
BASE = "us-apl-2022"



def normalised(text: str) -> str:
    """Line breaks, runs of spaces and Markdown's markup (bold, block quotes) are layout,
    not wording."""
    text = re.sub(r"(?m)^>\s?", "", text).replace("**", "")
    return re.sub(r"\s+", " ", text).strip()


CLAUSES = load_clauses()
IDS = [f"{c.regime or 'shared'}/{c.id}" for c in CLAUSES]


def sources_of(clause: Clause) -> str:
    if clause.regime in ("", BASE):
        return normalised(ARTICLE.read_text()) + " " + normalised(REFERENCES.read_text())
    return normalised(REGIMES.read_text())


def test_every_regime_has_its_five_clauses_and_the_definitions_are_shared():
    for entry in INDEX["regimes"]:
        ids = sorted(c.id for c in CLAUSES if c.regime == entry["id"] and c.kind == "clause")
        assert ids == ["P1", "P2", "P3", "P4", "P5"], entry["id"]
    assert [c.id for c in CLAUSES if not c.regime] == ["DEFINITIONS"]
    assert {c.regime for c in CLAUSES if c.id == "KOREA"} == {"us-apl-2014", "us-apl-2022"}


@pytest.mark.parametrize("clause", [c for c in CLAUSES if c.regime in ("", BASE)], ids=str)
def test_the_article_is_quoted_word_for_word(clause):
    assert clause.article
    assert normalised(clause.article) in normalised(ARTICLE.read_text()), clause.article


@pytest.mark.parametrize("clause", [c for c in CLAUSES if c.regime in ("", BASE)], ids=str)
def test_the_official_wording_is_quoted_word_for_word(clause):
    assert clause.official
    assert normalised(clause.official) in normalised(REFERENCES.read_text()), clause.official


@pytest.mark.parametrize("clause", [c for c in CLAUSES if c.regime not in ("", BASE)], ids=str)
def test_another_regime_quotes_its_own_text_in_regimes_md(clause):
    assert clause.official
    assert not clause.article, "the article is about the 2022 policy only"
    regimes = normalised(REGIMES.read_text())
    assert normalised(clause.official) in regimes, clause.official
    if clause.silent:
        assert normalised(clause.silent) in regimes, clause.silent


@pytest.mark.parametrize("clause", CLAUSES, ids=IDS)
def test_every_quotation_in_the_description_is_in_a_source(clause):
    sources = sources_of(clause)
    quotations = re.findall(r'"([^"]{12,})"', normalised(clause.description))
    assert quotations, f"{clause.id}: its description quotes nothing"
    for quotation in quotations:
        assert quotation.rstrip(".") in sources, quotation


def test_a_quotation_not_in_regimes_md_would_fail():
    # The check can fail: a sentence the sources do not hold is not found.
    assert normalised("the memo bans all landmines everywhere") not in normalised(
        REGIMES.read_text()
    )
