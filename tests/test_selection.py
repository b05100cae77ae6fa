"""Sentence selection before the parse (sitrep.extract.selection): what is parsed, what is blanked, and that
coding a report from its selected sentences gives the incident the whole parse gives."""

from __future__ import annotations

import datetime as dt

from sitrep.extract.selection import selection_of, skipped_text, source_text
from sitrep.records import Article

FILLER = [
    "The city council met on Tuesday to discuss the new budget for parks.",
    "Residents have complained for years about the state of the playgrounds.",
    "A spokeswoman said the library would extend its opening hours next month.",
    "The weather is expected to stay mild through the weekend, forecasters said.",
]
REPORT = "\n\n".join([
    "SPRINGFIELD, Ill. — Two men were shot dead outside a bar on Main Street late Saturday, police said.",
    "A third man was taken to a hospital in critical condition.",
    FILLER[0],
    FILLER[1],
    FILLER[2],
    "Police arrested a 24-year-old man on Sunday.",
    "He appeared before a judge on Monday.",
    FILLER[3],
])


def test_blanked_sentences_keep_every_offset(pipeline):
    selection = pipeline.selector(REPORT)
    assert len(selection.text) == len(REPORT)
    assert selection.kept < selection.sentences
    for filler in FILLER:
        start = REPORT.index(filler)
        assert selection.text[start : start + len(filler)].strip() == ""
        assert filler in selection.skipped_text
    kept = "Two men were shot dead outside a bar on Main Street late Saturday, police said."
    start = REPORT.index(kept)
    assert selection.text[start : start + len(kept)] == kept
    assert selection.text.count("\n\n") >= REPORT.count("\n\n")  # a blanked sentence reads as a paragraph break


def test_what_keeps_a_sentence(pipeline):
    selection = pipeline.selector(REPORT)
    parsed = selection.text
    assert "taken to a hospital in critical condition" in parsed  # words of harm and care
    assert "He appeared before a judge on Monday." in parsed  # the sentence after a cue's
    assert "SPRINGFIELD, Ill." in parsed  # the lead


def test_place_names_and_fragments_are_kept(pipeline):
    text = "\n\n".join([
        "ST. LOUIS (KTVI) - A man was shot and killed early Sunday in the city's north side, police said.",
        *FILLER,
        "Officers from Chicago were called to help with the search.",
    ])
    parsed = pipeline.selector(text).text
    assert parsed.startswith("ST. LOUIS (KTVI) -")  # "ST." alone is a fragment of the dateline
    assert "Officers from Chicago were called" in parsed  # where the report is set counts every place
    assert "forecasters said" not in parsed


def test_a_short_report_is_parsed_whole(pipeline):
    text = "Gunmen killed three villagers in Kpalo on Monday. The mayor condemned the attack. Schools closed."
    selection = pipeline.selector(text)
    assert selection.text == text and not selection.skipped


def test_the_doc_knows_the_report_it_was_parsed_from(pipeline):
    doc = pipeline.parse(REPORT)
    assert doc.text != REPORT and len(doc.text) == len(REPORT)
    assert source_text(doc) == REPORT
    assert FILLER[3] in skipped_text(doc)
    assert selection_of(pipeline.nlp("A whole parse.")) is None


def test_selected_parse_codes_the_same_incident_as_a_whole_parse(pipeline):
    article = Article.from_text(REPORT, published=dt.date(2024, 3, 11))
    selected = pipeline.code(article, pipeline.parse(REPORT)).incidents
    whole = pipeline.code(article, pipeline.nlp(REPORT)).incidents
    assert len(selected) == len(whole) >= 1
    for a, b in zip(selected, whole):
        assert (a.killed, a.injured, a.date, a.sub_event_type) == (b.killed, b.injured, b.date, b.sub_event_type)
        assert (a.location.name if a.location else None) == (b.location.name if b.location else None)
        assert [e.text for e in a.evidence] == [e.text for e in b.evidence]
    assert selected[0].killed.best == 2


def test_a_line_that_links_to_another_story_is_never_parsed(pipeline):
    text = ("Man shot dead in Dayton\nDAYTON, Ohio - A man was shot and killed on Main Street on Friday night, "
            "police said.\nRELATED: 4 found dead, shot inside an apartment in south Tulsa\n"
            "► Related: Grandparents charged in fatal shooting of Detroit girl, 5\nRead more: Why officers quit\n"
            "Police have no suspect.")
    selection = pipeline.selector(text)
    assert "Tulsa" not in selection.text and "Detroit" not in selection.text and "officers" not in selection.text
    assert "Tulsa" not in selection.skipped_text and "Police have no suspect." in selection.text
    assert len(selection.text) == len(text)
    [incident] = pipeline.extract(Article.from_text(text)).incidents
    assert incident.killed.best == 1


def test_a_word_before_a_colon_inside_a_line_is_no_link(pipeline):
    text = "Police said more: two men were shot in Dayton on Friday.\nOne of them died."
    assert pipeline.selector(text).text == text
