"""One behaviour per test for each variant the corpus README lists ("Variants a parser meets"),
on small snippets of real cables."""

from datetime import UTC, datetime

from cables.parsing import CableRecord, parse, tag_name
from cables.parsing.ids import canonical_id

HEADER = """VZCZCXRO6042
PP RUEHCHI RUEHDBU RUEHDT
DE RUEHMO #5100 2951503
ZNY CCCCC ZZH
P 221503Z OCT 07
FM AMEMBASSY MOSCOW
TO RUEHC/SECSTATE WASHDC PRIORITY 4779
INFO RUCNASE/ASEAN MEMBER COLLECTIVE PRIORITY
RUEKJCS/SECDEF WASHDC PRIORITY
RHEHNSC/NSC WASHDC PRIORITY
"""
CLASS_LINE = "C O N F I D E N T I A L MOSCOW 005100\n\nSIPDIS\n\n"
EO = "E.O. 12958: DECL: 10/18/2017\n"
TAGS = "TAGS: MARR PARM PREL JA RS\n\n"
SUBJECT = "SUBJECT: FM LAVROV CRITICIZES US-JAPAN MISSILE DEFENSE\nCOOPERATION\n\n"
CLASSIFIED = (
    "Classified By: Political Minister-Counselor Alice G. Wells. Reasons 1.\n4(b) and (d)\n\n"
)


def header_of(fm: str, serial: str) -> str:
    """HEADER as the cable of ``fm``'s post with this serial sends it: a class-line snippet of
    another post under Moscow's header would be a header/body disagreement (07PARIS2725)."""
    return HEADER.replace("DE RUEHMO #5100", f"DE RUEHXX #{serial[-4:]}").replace(
        "FM AMEMBASSY MOSCOW", f"FM {fm}"
    )


PARAS = "¶1. (U) In response to a question during a press conference.\n\n¶2. (C) We asked MFA.\n\nBurns\n"


def cable(
    *,
    header: str = HEADER,
    class_line: str = CLASS_LINE,
    eo: str = EO,
    tags: str = TAGS,
    subject: str = SUBJECT,
    extra: str = "",
    classified: str = CLASSIFIED,
    paras: str = PARAS,
) -> CableRecord:
    record = parse(header + "\n" + class_line + eo + tags + subject + extra + classified + paras)
    assert isinstance(record, CableRecord)
    return record


# -- transmission header ---------------------------------------------------------------------


def test_transmission_id():
    assert cable().transmission_id == "VZCZCXRO6042"


def test_precedence_and_dtg():
    record = cable()
    assert (record.precedence, record.date) == ("P", datetime(2007, 10, 22, 15, 3, tzinfo=UTC))


def test_two_letter_precedence():
    record = cable(header=HEADER.replace("P 221503Z OCT 07", "P R 221403Z NOV 06"))
    assert (record.precedence, record.date) == ("P R", datetime(2006, 11, 22, 14, 3, tzinfo=UTC))


def test_sixties_year_is_nineteen_hundreds():
    record = cable(header=HEADER.replace("P 221503Z OCT 07", "P R 281848Z DEC 66"))
    assert record.date == datetime(1966, 12, 28, 18, 48, tzinfo=UTC)


def test_id_from_classification_line_and_dtg_year():
    assert cable().id == "07MOSCOW5100"


def test_to_without_routing_indicator_precedence_or_serial():
    assert cable().to == ["SECSTATE WASHDC"]


def test_info_list():
    assert cable().info == ["ASEAN MEMBER COLLECTIVE", "SECDEF WASHDC", "NSC WASHDC"]


def test_origin_embassy():
    assert cable().origin.label == "Embassy Moscow"


def test_origin_secretary_of_state():
    record = cable(header=HEADER.replace("FM AMEMBASSY MOSCOW", "FM SECSTATE WASHDC"))
    assert record.origin.label == "Secretary of State"


def test_origin_mission_usnato():
    record = cable(header=HEADER.replace("FM AMEMBASSY MOSCOW", "FM USMISSION USNATO"))
    assert record.origin.label == "Mission USNATO"


def test_origin_consulate_multi_word_title_cased():
    record = cable(header=HEADER.replace("FM AMEMBASSY MOSCOW", "FM AMCONSUL RIO DE JANEIRO"))
    assert record.origin.label == "Consulate Rio De Janeiro"


def test_markdown_link_residue_is_removed():
    record = cable(tags="TAGS: [MARR](#) [PARM](#) [PREL](#)\n\n")
    assert [t.code for t in record.tags] == ["MARR", "PARM", "PREL"]


# -- classification line ---------------------------------------------------------------------


def test_spaced_confidential():
    assert cable().classification == "CONFIDENTIAL"


def test_secret_with_section_gives_id():
    record = cable(
        header=header_of("AMEMBASSY PARIS", "2069"),
        class_line="S E C R E T SECTION 01 OF 02 PARIS 002069\n\n",
    )
    assert (record.classification, record.id) == ("SECRET", "07PARIS2069")


def test_unclas_section():
    record = cable(
        header=header_of("AMEMBASSY BRASILIA", "3124"),
        class_line="UNCLAS SECTION 01 OF 04 BRASILIA 003124\n\nSIPDIS\n\n",
    )
    assert record.classification == "UNCLASSIFIED"


def test_unclas_sensitive_line_is_for_official_use_only():
    record = cable(
        header=header_of("AMEMBASSY BRASILIA", "3124"),
        class_line="UNCLAS SECTION 01 OF 04 BRASILIA 003124\n\nSIPDIS\n\nSENSITIVE\n\n",
    )
    assert record.classification == "UNCLASSIFIED//FOR OFFICIAL USE ONLY"


def test_noforn_line_adds_suffix():
    record = cable(
        header=header_of("AMEMBASSY BOGOTA", "2736"),
        class_line="S E C R E T BOGOTA 002736\n\n\nNOFORN\n\n",
    )
    assert (record.classification, "NOFORN" in record.caveats) == ("SECRET//NOFORN", True)


def test_noforn_after_the_serial():
    record = cable(
        header=header_of("AMEMBASSY BOGOTA", "0243"),
        class_line="S E C R E T BOGOTA 000243 SIPDIS NOFORN\n\n",
    )
    assert (record.classification, record.id) == ("SECRET//NOFORN", "07BOGOTA243")


# WikiLeaks labels a block opening "NOFORN / SENSITIVE" without //NOFORN (09MEXICO3061).
MEXICO_NOFORN_SENSITIVE = (
    "S E C R E T SECTION 01 OF 02 MEXICO 003061 \n\nNOFORN \nSENSITIVE \nSIPDIS \n\n"
)
MEXICO_HEADER = header_of("AMEMBASSY MEXICO", "3061")


def test_noforn_opening_a_block_with_sensitive_gives_the_bare_classification():
    assert (
        cable(header=MEXICO_HEADER, class_line=MEXICO_NOFORN_SENSITIVE).classification == "SECRET"
    )


def test_noforn_displaced_by_sensitive_stays_in_the_caveats():
    assert cable(header=MEXICO_HEADER, class_line=MEXICO_NOFORN_SENSITIVE).caveats[:2] == [
        "NOFORN",
        "SENSITIVE",
    ]


def test_noforn_after_sipdis_keeps_the_suffix_beside_sensitive():
    # 08LONDON1939
    class_line = "C O N F I D E N T I A L SECTION 01 OF 02 LONDON 001939 \n\nSIPDIS \nNOFORN \nSENSITIVE \n\n"
    record = cable(header=header_of("AMEMBASSY LONDON", "1939"), class_line=class_line)
    assert record.classification == "CONFIDENTIAL//NOFORN"


def test_noforn_after_sensitive_keeps_the_suffix():
    # 10NAIROBI181
    class_line = "S E C R E T NAIROBI 000181 \nSENSITIVE \nSIPDIS \nNOFORN \n"
    record = cable(header=header_of("AMEMBASSY NAIROBI", "0181"), class_line=class_line)
    assert record.classification == "SECRET//NOFORN"


# 10MOSCOW293: the DEA's own "sensitive but unclassified" control.
MOSCOW_DEA_SENSITIVE = (
    "UNCLAS SECTION 01 OF 07 MOSCOW 000293 \n\n\nDEA SENSITIVE \nSIPDIS \n\nPOST FOR DEA ONLY \n\n"
)
MOSCOW_HEADER_293 = header_of("AMEMBASSY MOSCOW", "0293")


def test_unclas_dea_sensitive_line_is_for_official_use_only():
    record = cable(header=MOSCOW_HEADER_293, class_line=MOSCOW_DEA_SENSITIVE)
    assert record.classification == "UNCLASSIFIED//FOR OFFICIAL USE ONLY"


def test_dea_sensitive_is_kept_as_one_caveat():
    assert cable(header=MOSCOW_HEADER_293, class_line=MOSCOW_DEA_SENSITIVE).caveats == [
        "DEA SENSITIVE",
        "SIPDIS",
    ]


# 09MOSCOW1108: Moscow's transmission header over the body of SHENYANG 000004, whose
# classification line is garbled ("CSE C R E T").
MOSCOW_HEADER_1108 = """VZCZCXRO2039
OO RUEHDBU
DE RUEHMO #1108/01 1191330
ZNY CCCCC ZZH
O 291330Z APR 09
FM AMEMBASSY MOSCOW
TO RUEHC/SECSTATE WASHDC IMMEDIATE 3084
INFO RUEHXD/MOSCOW POLITICAL COLLECTIVE PRIORITY
"""


def test_caveats_under_another_cables_classification_line_are_not_the_cables_own():
    record = cable(
        header=MOSCOW_HEADER_1108,
        class_line="CSE C R E T SECTION 01 OF 02 SHENYANG 000004 \n\nNOFORN \n\nSIPDIS \n\n",
    )
    assert (record.id, record.classification) == ("09MOSCOW1108", "CONFIDENTIAL")


def test_caveats_under_a_garbled_classification_line_of_the_same_cable_apply():
    record = cable(
        header=MOSCOW_HEADER_1108,
        class_line="CSE C R E T SECTION 01 OF 02 MOSCOW 001108 \n\nNOFORN \n\nSIPDIS \n\n",
    )
    assert record.classification == "CONFIDENTIAL//NOFORN"


def test_lower_case_reflowed_classification_line():
    record = cable(
        header=header_of("AMEMBASSY ANKARA", "0348"),
        class_line="C o n f i d e n t i a l section 01 of 04 ankara 000348\n\nSipdis\n\n",
    )
    assert (record.classification, record.id) == ("CONFIDENTIAL", "07ANKARA348")


def test_doubled_first_letter():
    record = cable(
        header=header_of("AMCONSUL PESHAWAR", "0041"), class_line="SS E C R E T PESHAWAR 000041\n\n"
    )
    assert (record.classification, record.id) == ("SECRET", "07PESHAWAR41")


def test_sipdis_caveat():
    assert cable().caveats == ["SIPDIS"]


def test_corrected_copy_line_is_not_a_paragraph():
    record = cable(extra="C O R R E C T E D COPY (MESSAGE TEXT)\n\n")
    assert [p.number for p in record.paragraphs] == [1, 2]


# -- E.O. ------------------------------------------------------------------------------------


def test_eo_with_declassification_date():
    record = cable()
    assert (record.eo, record.declassify_on) == ("12958", "10/18/2017")


def test_eo_without_dots_or_colon():
    record = cable(eo="EO 12958 DECL: 09/21/10\n")
    assert (record.eo, record.declassify_on) == ("12958", "09/21/10")


def test_eo_not_applicable():
    record = cable(eo="E.O. 12958: N/A\n")
    assert (record.eo, record.declassify_on) == ("12958", "N/A")


def test_eo_downgrade():
    record = cable(eo="E.O. 12958: DNG: CO 01/26/2021\n")
    assert record.declassify_on == "DNG: CO 01/26/2021"


def test_eo_1970s_gds():
    assert cable(eo="E.O. 11652: GDS\n").eo == "11652"


def test_eo_13526():
    assert cable(eo="E.O. 13526: DECL: 01/04/2020\n").eo == "13526"


# -- TAGS ------------------------------------------------------------------------------------


def test_tags_comma_separated():
    record = cable(tags="TAGS PGOV, PINS, ZI, MDC, ZANU-PF\n\n")
    assert [t.code for t in record.tags] == ["PGOV", "PINS", "ZI", "MDC", "ZANU-PF"]


def test_tags_wrapped_onto_next_line():
    record = cable(tags="TAGS: PGOV PHUM PREL PTER MARR AR BR CS EC FR UY\nVE, CO\n")
    assert [t.code for t in record.tags][-3:] == ["UY", "VE", "CO"]


def test_tags_inline_after_eo_line():
    record = cable(eo="E.O. 12958: DECL: 04/29/2015 TAGS: PARM PREL BR\n", tags="\n")
    assert [t.code for t in record.tags] == ["PARM", "PREL", "BR"]


def test_tags_lower_case():
    record = cable(tags="Tags: prel, pgov, pins, tu\n\n")
    assert [t.code for t in record.tags] == ["PREL", "PGOV", "PINS", "TU"]


def test_person_tag_kept_whole():
    record = cable(tags="TAGS OVIP (CLINTON, HILLARY), PGOV, PREL\n\n")
    assert record.tags[0].code == "OVIP (CLINTON, HILLARY)"
    assert record.tags[0].kind == "person"


def test_typo_tag_kept_as_unknown():
    record = cable(tags="TAGS: PREL VT VTPREL\n\n")
    assert [(t.code, t.kind) for t in record.tags][-1] == ("VTPREL", "unknown")


def test_repeated_tags_deduplicated_in_order():
    record = cable(tags="TAGS PREL, PHUM, IS, PHUM, IS, PREL\n\n")
    assert [t.code for t in record.tags] == ["PREL", "PHUM", "IS"]


def test_free_words_split_like_wikileaks():
    record = cable(tags="TAGS: PREL KWBG IS GAZA DISENGAGEMENT HUMAN RIGHTS\n\n")
    assert [t.code for t in record.tags][-2:] == ["HUMAN", "RIGHTS"]


def test_region_code_kept_without_an_invented_name():
    record = cable(tags="TAGS: PREL MASS PHUM IR IZ XF SA\n\n")
    assert ("XF" in [t.code for t in record.tags], tag_name("XF")) == (True, None)


def test_no_tags_line_is_a_warning():
    record = cable(tags="")
    assert (record.tags, "no TAGS line" in record.warnings) == ([], True)


# -- SUBJECT ---------------------------------------------------------------------------------


def test_subject_over_several_lines():
    assert cable().subject == "FM LAVROV CRITICIZES US-JAPAN MISSILE DEFENSE COOPERATION"


def test_no_subject_is_empty():
    assert cable(subject="").subject == ""


# -- REF -------------------------------------------------------------------------------------


def test_ref_lettered_with_explicit_year():
    record = cable(extra="REF: A. 08 STATE 81854 B. NAIROBI 1830\n\n")
    assert [(r.label, r.cable_id) for r in record.references] == [
        ("A", "08STATE81854"),
        ("B", "07NAIROBI1830"),
    ]


def test_ref_parenthesis_letters():
    record = cable(extra="REF:  A) MADRID 5426, B) MADRID 5425, C) MADRID 5418\n\n")
    assert [r.cable_id for r in record.references] == [
        "07MADRID5426",
        "07MADRID5425",
        "07MADRID5418",
    ]


def test_ref_not_a_cable_kept_as_text():
    record = cable(extra="REF: A. STATE 124823 B. GUHA-CARTER E-MAIL (07SEP07)\n\n")
    assert (record.references[1].text, record.references[1].cable_id) == (
        "GUHA-CARTER E-MAIL (07SEP07)",
        None,
    )


def test_two_ref_sections():
    record = cable(extra="REF: STATE 15722\n\nREF: MOSCOW 1603\n\n")
    assert [r.cable_id for r in record.references] == ["07STATE15722", "07MOSCOW1603"]


def test_ref_split_by_page_break():
    record = cable(extra="REF: A. ROME 1190\nPAGE 02 ROME 01196 01 OF 02 271458Z\nB. ROME 1183\n\n")
    assert [r.cable_id for r in record.references] == ["07ROME1190", "07ROME1183"]


def test_ref_pilcrow_label_after_blank_line():
    record = cable(extra="REF: A. CAIRO 2175\n\n¶B. CAIRO 2141\n\n")
    assert [r.cable_id for r in record.references] == ["07CAIRO2175", "07CAIRO2141"]


# -- Classified By ---------------------------------------------------------------------------


def test_classified_by_and_wrapped_reasons():
    record = cable()
    assert (record.classified_by, record.reasons) == (
        "Political Minister-Counselor Alice G. Wells",
        "1.4 (b) and (d)",
    )


def test_older_reasons():
    record = cable(classified="CLASSIFIED BY DCM EARL IRVING. REASONS: 1.5 (B) AND (D).\n\n")
    assert record.reasons == "1.5 (B) AND (D)"


# -- paragraphs ------------------------------------------------------------------------------


def test_pilcrow_paragraphs_with_markings():
    assert [(p.number, p.marking) for p in cable().paragraphs] == [(1, "U"), (2, "C")]


def test_plain_numbered_paragraphs():
    record = cable(
        paras="1. (C) SUMMARY. ASSISTANT SECRETARY.\n\n2. (S/NF) MORE.\n\n3. (SBU) END.\n"
    )
    assert [(p.number, p.marking) for p in record.paragraphs] == [(1, "C"), (2, "S/NF"), (3, "SBU")]


def test_text_before_first_paragraph_is_paragraph_zero():
    record = cable(paras="SUMMARY\n-------\n\n¶1. (C) Text.\n")
    assert (record.paragraphs[0].number, record.paragraphs[0].text) == (0, "SUMMARY")


def test_section_line_removed_from_paragraph():
    record = cable(
        paras="¶1. (C) Although democratic and\nBELGRADE 00000765 004 OF 004\npro-European.\n"
    )
    assert record.paragraphs[0].text == "Although democratic and\npro-European."


def test_redactions_kept():
    record = cable(paras="¶1. (C) XXXXXXXXXXXX told us.\n")
    assert record.paragraphs[0].text == "XXXXXXXXXXXX told us."


def test_signer():
    assert cable().signer == "Burns"


# -- ids and dates ---------------------------------------------------------------------------


def test_malformed_doubled_year_id_repaired():
    assert canonical_id("7575LIBREVILLE1895") == "75LIBREVILLE1895"


def test_section_marker_in_id_repaired():
    assert canonical_id("08SCTION02OF02SAOPAULO335") == "08SAOPAULO335"


def test_redacted_station_taken_from_fm_line():
    record = cable(
        header=header_of("AMCONSUL SHENYANG", "0004"),
        class_line="SE C R E T SECTION 01 OF 02 XXXXXXXXXXXX 000004\n\n",
    )
    assert record.id == "07SHENYANG4"


def test_partial_cable_flag():
    record = parse(
        "This record is a partial extract of the original cable. The full text of the original "
        "cable is not available.\nC O N F I D E N T I A L SECTION 01 OF 06 BRASILIA 001291\n\n"
        "E.O. 12958: DECL: 05/19/2009\nTAGS: MARR MASS MCAP PREL BR\n"
    )
    assert isinstance(record, CableRecord) and record.partial


def test_cable_dated_line():
    record = parse(
        "Cable dated:2002-11-15T12:40:00S E C R E T SECTION 01 OF 05 ANKARA 008305S/CT FOR REAP"
        "E.O. 12958: DECL: 11/14/2012 TAGS: PTER TU\n\n¶1. (U) CLASSIFIED BY DCM.\n"
    )
    assert (record.id, record.date, [t.code for t in record.tags]) == (
        "02ANKARA8305",
        datetime(2002, 11, 15, 12, 40, tzinfo=UTC),
        ["PTER", "TU"],
    )


def test_partial_extract_dtg_without_precedence():
    record = parse(
        "This record is a partial extract of the original cable.\n\n201247Z Jan 04\n"
        "C o n f i d e n t i a l section 01 of 04 ankara 000348\n"
    )
    assert (record.id, record.date) == ("04ANKARA348", datetime(2004, 1, 20, 12, 47, tzinfo=UTC))


def test_tag_singular_keyword():
    record = cable(tags="TAG: PTER, PREL, QA\n\n")
    assert [t.code for t in record.tags] == ["PTER", "PREL", "QA"]


def test_reasons_without_parentheses_after_for():
    record = cable(
        classified="Classified By: Deputy Chief of Mission Kevin M. Johnson for reasons 1.4 b and d\n\n"
    )
    assert (record.classified_by, record.reasons) == (
        "Deputy Chief of Mission Kevin M. Johnson",
        "1.4 b and d",
    )


def test_reasons_letters_inside_one_parenthesis():
    record = cable(
        classified="Classified By: Ambassador Clifford Sobel. Reasons: 1.4 (B and D).\n\n"
    )
    assert record.reasons == "1.4 (B and D)"


def test_capitals_subject_stops_at_a_mixed_case_line():
    record = cable(
        subject="SUBJECT: BALOCH REQUEST UNHCR FACILITATE MOVEMENT OF\nBRAHMDAGH BUGTI TO IRELAND\n"
        "Friday, 18 December 2009, 11:04\n\n"
    )
    assert (
        record.subject == "BALOCH REQUEST UNHCR FACILITATE MOVEMENT OF BRAHMDAGH BUGTI TO IRELAND"
    )


def test_subject_run_into_ref_on_one_line():
    record = cable(subject="SUBJECT: Update on GOL-Legacy Crash Legal Case Ref: Brasilia 600\n\n")
    assert record.subject == "Update on GOL-Legacy Crash Legal Case"


def test_subject_wrapped_year_and_section_line():
    record = cable(
        subject="SUBJECT: IRAN REGIONAL PRESENCE OFFICE--WINDOW ON IRAN--APRIL 22,\n2009\n"
        "DUBAI 00000177 001.2 OF 003\n\n"
    )
    assert record.subject == "IRAN REGIONAL PRESENCE OFFICE--WINDOW ON IRAN--APRIL 22, 2009"


def test_double_slash_marking():
    record = cable(paras="¶15. (S//NF) Following is the list.\n")
    assert (record.paragraphs[0].number, record.paragraphs[0].marking) == (15, "S/NF")


# -- header and body of different cables (07PARIS2725 holds MOSCOW 005154) -------------------

PARIS_HEADER = HEADER.replace("DE RUEHMO #5100", "DE RUEHFR #2725").replace(
    "FM AMEMBASSY MOSCOW", "FM AMEMBASSY PARIS"
)
MOSCOW_5154 = "S E C R E T SECTION 01 OF 04 MOSCOW 005154\n\nNOFORN\n\n"


def test_header_over_another_cables_body_gives_the_headers_id_and_origin():
    record = cable(header=PARIS_HEADER, class_line=MOSCOW_5154)
    assert (record.id, record.origin.label) == ("07PARIS2725", "Embassy Paris")


def test_header_over_another_cables_body_keeps_the_bodys_cable():
    assert cable(header=PARIS_HEADER, class_line=MOSCOW_5154).body_ref == "MOSCOW 5154"


def test_header_over_another_cables_body_is_classified_by_the_transmission_line():
    # ZNY CCCCC: the body's SECRET line and its NOFORN are the other cable's.
    assert cable(header=PARIS_HEADER, class_line=MOSCOW_5154).classification == "CONFIDENTIAL"


def test_header_over_another_cables_body_is_an_anomaly():
    assert cable(header=PARIS_HEADER, class_line=MOSCOW_5154).anomalies == ("header-body",)


def test_header_and_body_of_one_cable_have_no_body_ref():
    assert cable().body_ref == ""


def test_body_ref_is_a_json_key():
    assert cable(header=PARIS_HEADER, class_line=MOSCOW_5154).to_json()["body_ref"] == "MOSCOW 5154"


# -- no classification line: the level from the paragraph markings ---------------------------

PARTIAL = (
    "This record is a partial extract of the original cable. The full text of the original "
    "cable is not available.\n"
)


def partial_extract(paras: str) -> CableRecord:
    record = parse(PARTIAL + EO + TAGS + SUBJECT + paras)
    assert isinstance(record, CableRecord)
    return record


def test_partial_extract_takes_the_level_of_its_highest_marking():
    record = partial_extract("¶1. (C) One.\n\n¶2. (S/NF) Two.\n\n¶3. (U) Three.\n")
    assert (record.classification, record.classification_inferred) == ("SECRET", True)


def test_an_inferred_level_is_an_anomaly():
    record = partial_extract("¶1. (C) One.\n")
    assert record.anomalies == ("inferred-classification",)


def test_unmarked_partial_extract_stays_unclassified_and_says_so():
    record = partial_extract("1. One.\n\n2. Two.\n")
    assert (record.classification, "no classification line" in record.warnings) == ("", True)


def test_a_classification_line_is_never_overruled_by_the_markings():
    record = cable(paras="¶1. (S) Secret text under a CONFIDENTIAL line.\n")
    assert (record.classification, record.classification_inferred) == ("CONFIDENTIAL", False)
