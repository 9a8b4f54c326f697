"""The PostgreSQL engine's compiler: query tree -> tsquery and SQL (no database needed)."""

from search.backends.postgres.compile import compile_query, unsearchable
from search.query import parse


def where(q: str):
    compiled = compile_query(parse(q).tree)
    return compiled.where


def tsquery(q: str) -> str:
    w = where(q)
    assert w is not None and w.text == "d.tsv @@ %s::tsquery", w
    return w.params[0]


def test_a_word_is_its_stem():
    assert tsquery("Missiles") == "'missil'"


def test_words_next_to_each_other_must_all_match():
    assert tsquery("missile russia") == "('missil' & 'russia')"


def test_or_joins_alternatives():
    assert tsquery("lavrov OR kremlin") == "('lavrov' | 'kremlin')"


def test_not_and_minus_negate():
    assert tsquery("missile -iran") == "('missil' & !'iran')"
    assert tsquery("missile NOT iran") == "('missil' & !'iran')"


def test_a_phrase_needs_its_words_in_order():
    assert tsquery('"missile defense"') == "('missil' <-> 'defens')"


def test_a_negated_phrase_is_negated_whole():
    assert tsquery('nato -"missile defense"') == "('nato' & !('missil' <-> 'defens'))"


def test_a_word_that_reads_as_several_tokens_is_a_phrase():
    assert tsquery("U.S.-Japan") == "('u.' <-> 'japan')"  # Porter stems "u.s" to "u."


def test_short_words_are_kept():
    assert tsquery("us") == "'us'"


def test_subject_words_have_their_own_lexemes():
    assert tsquery("subject:russia") == "'s:russia'"


def test_text_field_restricts_to_paragraph_positions():
    assert tsquery("text:russia") == "'russia':D"


def test_prefix_matches_the_start_of_stems():
    assert tsquery("embass*") == "'embass':*"


def test_tag_codes_are_exact_and_upper_case():
    assert tsquery("tag:rs") == "'t:RS'"
    assert tsquery("country:ja") == "'c:JA'"
    assert tsquery("program:knnp") == "'g:KNNP'"
    assert tsquery("org:nato") == "'o:NATO'"


def test_origin_classification_and_person_are_folded_words():
    assert tsquery("origin:Moscow") == "'f:moscow'"
    assert tsquery("class:SECRET") == "'k:secret'"
    assert tsquery("person:Rice") == "'p:rice'"


def test_a_cable_id_as_a_word_also_matches_the_id():
    assert tsquery("07moscow5100") == "('i:07MOSCOW5100' | '07moscow5100')"


def test_a_named_cable_is_listed_first():
    assert compile_query(parse("07moscow5100 missile").tree).ids == ("07MOSCOW5100",)


def test_a_negated_id_is_not_listed_first():
    assert compile_query(parse("missile -id:07MOSCOW5100").tree).ids == ()


def test_quotes_in_a_word_are_escaped():
    assert tsquery("o'neill") == "('o' <-> 'neill')"
    assert tsquery("tag:O'X") == "'t:O''X'"


def test_a_year_is_a_range_of_days():
    w = where("year:2007")
    assert w.text == "f.day BETWEEN %s AND %s"
    assert w.params == (20070101, 20071231)


def test_open_date_ranges():
    assert where("from:2006").params == (20060101, 99991231)
    assert where("to:2008-06").params == (10000101, 20080630)


def test_words_and_dates_combine_with_one_tsquery():
    w = where("missile russia year:2007")
    assert w.text == "((d.tsv @@ %s::tsquery) AND (f.day BETWEEN %s AND %s))"
    assert w.params == ("('missil' & 'russia')", 20070101, 20071231)


def test_a_date_in_an_or_stays_sql():
    w = where("lavrov OR year:2007")
    assert w.text == "((d.tsv @@ %s::tsquery) OR (f.day BETWEEN %s AND %s))"


def test_a_negated_date_range():
    assert where("-year:2007").text == "NOT (f.day BETWEEN %s AND %s)"


def test_nothing_searchable_matches_everything():
    assert where("§") is None
    assert compile_query(parse("").tree).where is None


def test_unsearchable_words_are_named():
    assert unsearchable(parse("§ lavrov").tree) == ["§"]


def test_rank_uses_only_positive_text_words():
    compiled = compile_query(parse("missile -iran tag:RS year:2007").tree)
    assert compiled.rank == "'missil'"


def test_filters_alone_rank_nothing():
    assert compile_query(parse("tag:RS -lavrov").tree).rank is None


def test_very_long_words_are_cut_as_the_index_cuts_them():
    assert len(tsquery("x" * 5000)) == 500 + 2


def test_a_quoted_year_is_still_a_year():
    assert where('year:"2007"').params == (20070101, 20071231)


def test_the_words_every_match_holds_rank_together():
    assert compile_query(parse('egypt "human rights" -tag:PREL').tree).cover == (
        "'egypt' & ('human' <-> 'right')"
    )


def test_one_word_or_alternatives_have_no_cover_to_rank():
    assert compile_query(parse("lavrov").tree).cover is None
    assert compile_query(parse("lavrov OR kremlin").tree).cover is None


def paired(q: str) -> str:
    w = compile_query(parse(q).tree, paired=True).where
    assert w is not None and w.text == "d.tsv @@ %s::tsquery", w
    return w.params[0]


def test_on_a_paired_index_a_two_word_phrase_is_its_pair_lexeme():
    assert paired('"missile defense"') == "'q:missil defens'"


def test_on_a_paired_index_a_longer_phrase_needs_its_pairs_and_its_positions():
    assert paired('"ballistic missile defense"') == (
        "('q:ballist missil' & 'q:missil defens' & ('ballist' <-> 'missil' <-> 'defens'))"
    )


def test_a_phrase_of_common_words_uses_the_pairs_it_has_and_its_positions():
    assert paired('"prime minister of india"') == (
        "('q:prime minist' & ('prime' <-> 'minist' <-> 'of' <-> 'india'))"
    )
    assert paired('"minister of defense"') == "('minist' <-> 'of' <-> 'defens')"


def test_a_subject_phrase_keeps_its_positions_on_a_paired_index():
    assert paired('subject:"missile defense"') == "('s:missil' <-> 's:defens')"


def test_a_phrase_ranks_by_its_positions_on_a_paired_index():
    compiled = compile_query(parse('"missile defense"').tree, paired=True)
    assert compiled.rank == "('missil' <-> 'defens')"


def test_a_phrase_of_a_very_long_word_keeps_its_positions():
    long_word = "x" * 101
    assert paired(f'"{long_word} defense"') == f"('{long_word}' <-> 'defens')"
