"""The query language of researchers on the Whoosh engine, over real cables imported for real.

Citations, name variants, ``"words"~N``, proximity ranking, addressees and signers,
paragraph markings, all-of facets and suggestions from the paragraphs' vocabulary. The cables
go through the importer (``import_cables``), so addressees, signers and paragraph markings are
the parser's.
"""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest

from search.backends.base import Criteria, FacetRequest, MatchRequest
from search.query import parse

pytestmark = pytest.mark.django_db

# Cables the assertions name, beside every Tripoli cable (Qadhafi, CRETZ) and a spread of others.
NAMED = (
    "04AMMAN1288",  # "Iran" in a paragraph marked (S)
    "06LISBON2366",  # "Iran" only in paragraphs not marked (S), though some are (S)
    "10CAIRO257",  # sent TO SECSTATE
)
SPREAD = 150


@pytest.fixture(scope="module")
def slice_dir(corpus_dir, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("query-features")
    with tarfile.open(corpus_dir / "cables-text.tar.xz") as tar:
        members = [m for m in tar.getmembers() if m.isfile() and m.name.endswith(".txt")]
        step = max(1, len(members) // SPREAD)
        chosen = members[::step] + [
            m for m in members if "TRIPOLI" in m.name or Path(m.name).stem in NAMED
        ]
        for member in chosen:
            (target / Path(member.name).name).write_bytes(tar.extractfile(member).read())
    return target


@pytest.fixture(scope="module")
def engine(django_db_setup, django_db_blocker, slice_dir, tmp_path_factory, backend_path):
    """The slice imported through the importer and indexed, for the whole module
    (``backend_path``: the engine under test, Whoosh unless a module says otherwise)."""
    from django.test import override_settings

    from cables.ingest.importer import import_paths
    from cables.models import Cable, Tag
    from search.service import get_backend, reset_backend

    path = tmp_path_factory.mktemp("query-features-index")
    overrides = {"SEARCH_INDEX_DIR": path, "CABLESEARCH_SEARCH_BACKEND": backend_path}
    with django_db_blocker.unblock(), override_settings(**overrides):
        tags_before = set(Tag.objects.values_list("code", flat=True))
        reset_backend()
        import_paths([slice_dir])
        reset_backend()
        yield get_backend()
        reset_backend()
        Cable.objects.all().delete()
        Tag.objects.exclude(code__in=tags_before).delete()


def match(engine, q: str = "", limit: int = 10, facets=(), **criteria):
    request = MatchRequest(Criteria(parse(q).tree, **criteria), "relevance", 0, limit, facets)
    return engine.match(request)


def ids(engine, q: str, **criteria) -> set[str]:
    return set(engine.iter_ids(Criteria(parse(q).tree, **criteria), "newest", 10_000))


# -- citations ----------------------------------------------------------------------------------


def test_citation_with_year_finds_the_cable_first(engine):
    assert match(engine, "10 CAIRO 257").ids[0] == "10CAIRO257"


def test_citation_with_zero_padded_serial_finds_the_cable(engine):
    assert match(engine, "10cairo000257").ids[0] == "10CAIRO257"


def test_citation_without_year_finds_every_years_cable(engine):
    assert match(engine, "cairo 257").ids[0] == "10CAIRO257"


def test_station_and_year_lists_that_year(engine):
    found = ids(engine, "09TRIPOLI*")
    assert found and all(i.startswith("09TRIPOLI") for i in found)


# -- name variants ------------------------------------------------------------------------------


def test_variant_spelling_finds_what_the_cables_spell(engine):
    assert ids(engine, "Gadhafi") == ids(engine, "Qadhafi") != set()


def test_equals_sign_searches_the_spelling_alone(engine):
    assert ids(engine, "=Gadhafi") < ids(engine, "Gadhafi")


# -- proximity ----------------------------------------------------------------------------------


def test_near_finds_the_phrase_and_more(engine):
    phrase, near = ids(engine, '"human rights"'), ids(engine, '"rights human"~2')
    assert phrase and phrase <= near


def test_near_keeps_the_words_close(engine):
    assert ids(engine, '"human rights"~3') < ids(engine, "human rights")


def test_six_remembered_words_rank_their_paragraph_first(engine):
    from cables.models import Paragraph

    para = [
        p for p in Paragraph.objects.filter(cable_id="10CAIRO257").order_by("-id") if " " in p.text
    ]
    words = max((p.text for p in para), key=len).split()[10:16]
    assert match(engine, " ".join(words)).ids[0] == "10CAIRO257"


# -- addressees and signers ---------------------------------------------------------------------


def test_to_finds_the_addressee(engine):
    assert "10CAIRO257" in ids(engine, "to:SECSTATE")


def test_addressee_field_matches_the_label(engine):
    assert ids(engine, 'addressee:"secretary of state"') == ids(engine, "to:SECSTATE")


def test_signer_field(engine):
    found = ids(engine, "signer:cretz")
    assert found and all("TRIPOLI" in i for i in found)


def test_addressee_and_signer_facets_count_labels(engine):
    facets = (FacetRequest("addressee", 5), FacetRequest("signer", 5))
    result = match(engine, "tripoli", facets=facets)
    assert "Secretary of State" in dict(result.facets["addressee"].values)
    assert "CRETZ" in dict(result.facets["signer"].values)


# -- paragraph markings -------------------------------------------------------------------------


def test_marking_keeps_words_in_paragraphs_so_marked(engine):
    assert "04AMMAN1288" in ids(engine, "marking:S iran")


def test_marking_drops_words_in_other_paragraphs(engine):
    assert "06LISBON2366" in ids(engine, "iran")
    assert "06LISBON2366" not in ids(engine, "marking:S iran")


def test_marking_alone_lists_cables_with_such_paragraphs(engine):
    assert {"04AMMAN1288", "06LISBON2366"} <= ids(engine, "marking:S")


# -- all of within a facet ----------------------------------------------------------------------


def test_all_of_needs_every_value(engine):
    from cables.models import Cable

    both = set(
        Cable.objects.filter(cable_tags__tag__code="PREL")
        .filter(cable_tags__tag__code="PGOV")
        .values_list("id", flat=True)
    )
    include = (("tag", "PREL"), ("tag", "PGOV"))
    assert ids(engine, "", include=include, all_of=("tag",)) == both
    assert both < ids(engine, "", include=include)


def test_all_of_counts_keep_the_facets_own_ticks(engine):
    include = (("tag", "PREL"),)
    facet = (FacetRequest("tag", None),)
    any_of = dict(match(engine, include=include, facets=facet).facets["tag"].values)
    all_of = dict(
        match(engine, include=include, facets=facet, all_of=("tag",)).facets["tag"].values
    )
    with_pgov = ids(engine, "", include=(*include, ("tag", "PGOV")), all_of=("tag",))
    assert all_of["PGOV"] == len(with_pgov) < any_of["PGOV"]


# -- suggestions --------------------------------------------------------------------------------


def test_suggestion_from_the_paragraphs_vocabulary(engine):
    found = engine.suggest(["goverment"])
    assert found["goverment"].closest == "government"


def test_snippets_under_a_marking_come_from_its_paragraphs(engine, settings, backend_path):
    from cables.models import Paragraph
    from search.service import search
    from search.state import SearchState

    settings.SEARCH_INDEX_DIR = getattr(engine, "path", settings.SEARCH_INDEX_DIR)
    settings.CABLESEARCH_SEARCH_BACKEND = backend_path
    hit = next(h for h in search(SearchState(q="marking:S iran")).hits if h.id == "04AMMAN1288")
    numbers = {p.paragraph for p in hit.snippets}
    marks = dict(Paragraph.objects.filter(cable_id="04AMMAN1288").values_list("number", "marking"))
    assert numbers and all(marks[n].split("/")[0] == "S" for n in numbers)


def test_cable_page_marks_only_paragraphs_with_the_marking(engine, client, settings, backend_path):
    settings.SEARCH_INDEX_DIR = getattr(engine, "path", settings.SEARCH_INDEX_DIR)
    settings.CABLESEARCH_SEARCH_BACKEND = backend_path
    html = client.get("/cables/06LISBON2366/?q=marking:S+iran").content.decode()
    assert "<mark" not in html.split('id="p1"', 1)[-1]
    assert "<mark" in client.get("/cables/06LISBON2366/?q=iran").content.decode()
