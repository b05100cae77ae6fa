"""The role stage: candidate phrases, the trained tagger's output, and how spans attach to mentions."""

from __future__ import annotations

from importlib import resources

import pytest
from spacy.tokens import Doc, Span

from sitrep.codebook import load_codebook
from sitrep.extract.actors import ActorFinder
from sitrep.extract.roles import (
    LABELS,
    MODEL_FILE,
    RoleSpan,
    RoleTagger,
    VictimReader,
    _full_names,
    _fuller,
    _Parse,
    attach,
    candidates,
)
from sitrep.records import ActorMention, Article, Cue, Mention

TEXT = ("members of the farabundo marti national liberation front (fmln) attacked an electric power substation "
        "in san salvador with a car-bomb.  a soldier on duty at the substation was wounded.")


def test_candidates_cover_noun_phrases_with_of_complements_and_hyphens(nlp_base):
    keys = set(candidates(_Parse(nlp_base(TEXT))))
    assert {"members of farabundo marti national liberation front", "farabundo marti national liberation front",
            "fmln", "electric power substation", "substation", "carbomb", "soldier"} <= keys  # keys drop punctuation


def test_tagger_without_weights_finds_nothing(nlp_base):
    tagger = RoleTagger(load_codebook(), nlp_base.tokenizer)
    assert tagger(nlp_base(TEXT)) == []


@pytest.mark.skipif(not resources.files("sitrep").joinpath("models", MODEL_FILE).is_file(),
                    reason="no role tagger weights (make train)")
def test_shipped_tagger_returns_exact_spans_of_the_text(pipeline):
    doc = pipeline.nlp(TEXT)
    spans = pipeline.mentions.roles(doc)
    assert spans, "the shipped weights find no role in a plain bombing report"
    for span in spans:
        assert span.label in LABELS and TEXT[span.start : span.end] == span.text


def _mention(index: int, start: int, end: int, cue_at: int, modality=None) -> Mention:
    return Mention(sentence_index=index, sentence_start=start, sentence_end=end, modality=modality,
                   cues=[Cue(text="attacked", start=cue_at, end=cue_at + 8, sub_event_type="Attack", strong=False)])


def test_attach_prefers_the_sentence_then_the_nearest_realis_mention(nlp_base):
    doc = nlp_base("guerrillas attacked the farm. they burned a truck. police said nothing more would happen.")
    first = _mention(0, 0, 29, 11)
    hypothetical = _mention(2, 52, 93, 70, modality="hypothetical")
    spans = [RoleSpan("TARGET", 24, 28, "farm", 0.9), RoleSpan("TARGET", 45, 50, "truck", 0.8),
             RoleSpan("VICTIM", 52, 58, "police", 0.5), RoleSpan("PERP_IND", 0, 10, "guerrillas", 0.9)]
    attach([first, hypothetical], spans, doc, ActorFinder(load_codebook()))
    assert first.targets == ["farm", "truck"] and first.victims == ["police"]
    assert not hypothetical.targets and not hypothetical.victims
    assert [(a.name, a.start, a.end) for a in first.actors] == [("guerrillas", 0, 10)]


def test_attach_keeps_the_basis_the_actor_stage_gave(nlp_base):
    doc = nlp_base("suspected fmln rebels attacked the farm. the fmln later issued a statement.")
    mention = _mention(0, 0, 40, 22)
    mention.actors.append(ActorMention(name="FMLN", basis="suspected", start=10, end=14))
    attach([mention], [RoleSpan("PERP_ORG", 45, 49, "fmln", 0.9)], doc, ActorFinder(load_codebook()))
    assert [(a.name, a.basis) for a in mention.actors] == [("FMLN", "suspected")]


def test_the_police_are_perpetrators_only_of_what_they_do(nlp_base):
    doc = nlp_base("A bomb exploded at the bank. French police are hunting a suspect. Police shot the gunman.")
    mention = _mention(0, 0, 28, 7)
    spans = [RoleSpan("PERP_ORG", 29, 42, "French police", 0.9), RoleSpan("PERP_ORG", 66, 72, "Police", 0.9)]
    attach([mention], spans, doc, ActorFinder(load_codebook()))
    assert [a.name for a in mention.actors] == ["Police"]


def _actors(nlp_base, text: str) -> list[str]:
    """The actors the actor stage finds in the first sentence of `text`."""
    return [a.name for a in ActorFinder(load_codebook())(next(nlp_base(text).sents), False)]


@pytest.mark.parametrize("text, found", [
    ("An FBI bomb technician checked a garbage can.", []),  # a force's squad, no attacker
    ("An ISIS attack killed five people.", ["Islamic State"]),
])
def test_a_group_named_only_as_the_kind_of_a_squad_is_no_attacker(nlp_base, text, found):
    assert _actors(nlp_base, text) == found


@pytest.mark.parametrize("text, found", [
    ("A man on a motorbike shot a tourist near the beach.", ["man"]),
    ("The suspect, a 61-year-old man, stabbed two people at a bus stop.", ["suspect"]),
    ("Two men robbed and killed a shopkeeper.", ["two men"]),
    ("A woman was shot by a man outside a bar.", ["man"]),
    ("A guard recently let go from the warehouse opened fire on his former colleagues.", ["guard"]),
    ("A student expelled from the school last month opened fire in a classroom.", ["student"]),
    ("The manager fired two workers last week.", []),  # a job lost
    ("The victim opened the door and was shot in the chest.", []),  # a victim, and a door opened
    ("A driver hit a pole on the highway.", []),  # no act of violence
    ("The prime minister denounced the murder of three bank workers killed when the bank was torched.", []),
])
def test_a_person_described_by_a_noun_is_the_perpetrator_of_the_violence_he_does(nlp_base, text, found):
    assert _actors(nlp_base, text) == found


@pytest.mark.parametrize("text, found", [
    ("By the end of the day, the IRA's Belfast brigade had detonated at least 20 bombs.", ["IRA"]),
    ("The rebels' offensive killed ten soldiers.", ["rebels"]),
    ("The rebels' spokesman read a statement.", []),  # a possessor of what does no violence
])
def test_a_group_acts_through_what_it_owns(nlp_base, text, found):
    assert _actors(nlp_base, text) == found


def test_a_person_named_in_part_is_given_the_fullest_name_of_the_report(nlp_base):
    words = ["gunmen", "killed", "ana", "maria", "soto", "'s", "driver", ".", "soto", "was", "a", "judge", "."]
    doc = Doc(nlp_base.vocab, words=words)
    doc.ents = [Span(doc, 2, 6, label="PERSON")]  # the possessive inside the entity is dropped
    soto = doc[8:9]
    spans = [RoleSpan("VICTIM", soto.start_char, soto.end_char, "soto", 0.9),
             RoleSpan("TARGET", soto.start_char, soto.end_char, "soto", 0.9)]  # only people are renamed
    victim, target = _full_names(spans, doc)
    assert (victim.text, doc.text[victim.start : victim.end]) == ("ana maria soto", "ana maria soto")
    assert target.text == "soto"


def test_features_say_on_which_side_of_the_event_cue_a_phrase_stands(nlp_base):
    tagger = RoleTagger(load_codebook(), nlp_base.tokenizer)
    features = {key: set(f) for key, (_, f) in tagger.featurize(nlp_base("rebels attacked the police station.")).items()}
    assert any(f.startswith("cueside=before|") for f in features["rebels"])
    assert any(f.startswith("cueside=after|") for f in features["police station"])


def test_a_spaced_dash_ends_a_phrase(nlp_base):
    keys = set(candidates(_Parse(nlp_base("KANO - Police fired tear gas at Al-Shabaab supporters."))))
    assert "police" in keys and "kano police" not in keys  # keys drop punctuation
    assert "alshabaab supporters" in keys


@pytest.mark.parametrize("text,victims", [
    ("The court ordered an inquiry into the murder of Tomas Ribera, a union leader, in the port.", ["Tomas Ribera"]),
    ("students protested the assassination of judge elena marquez ortiz on monday.", ["elena marquez ortiz"]),
    ("Police said that Anselmo Duarte and his driver were kidnapped near the border.", ["Anselmo Duarte"]),
    ("Gunmen shot dead Mayor Pedro Alcaraz outside his home.", ["Pedro Alcaraz"]),
    ("Unknown men killed the treasurer of the cooperative, Ana Maria Neto, on Sunday.", ["Ana Maria Neto"]),
    ("six priests were killed by soldiers in the capital.", []),  # not a name
    ("troops killed two rebels near the river.", []),
])
def test_victims_read_off_the_parse_are_names_of_people_harmed(pipeline, text, victims):
    spans = VictimReader(load_codebook())(pipeline.nlp(text))
    assert [s.text for s in spans] == victims and all(s.label == "VICTIM" for s in spans)


def test_a_victim_named_in_part_takes_the_fuller_span_of_the_same_role():
    full = RoleSpan("VICTIM", 10, 24, "ana maria neto", 0.5)
    spans = [full, RoleSpan("VICTIM", 40, 44, "neto", 0.5), RoleSpan("PERP_IND", 50, 54, "neto", 0.3)]
    assert _fuller(spans) == [full, spans[2]]


def test_the_only_incident_of_a_report_takes_the_victim_named_where_the_murder_is_condemned(pipeline):
    text = ("The government of Peru strongly condemned the murder of Ana Maria Ruiz Salcedo, a judge of the high "
            "court. Ruiz was murdered yesterday morning in Cuzco.")
    [incident] = pipeline.extract(Article.from_text(text)).incidents
    assert incident.location.name == "Cuzco" and incident.victims == ["Ana Maria Ruiz Salcedo"]


@pytest.mark.parametrize("text, sub_event_type, actors", [
    ("Thousands of demonstrators clashed with riot police in Patras on Wednesday, and three people died when a "
     "bank was set on fire.", "Violent demonstration", ["demonstrators"]),
    ("Police arrested 12 suspected mafia members in New York on Tuesday, prosecutors said.", "Arrests", ["police"]),
    ("Federal agents arrested a man in Los Angeles on Monday in connection with the killing of a teenager.",
     "Arrests", ["agents"]),
])
def test_the_actor_follows_the_type(pipeline, text, sub_event_type, actors):
    """A protest's actor is the crowd that protests; an arrest's the force that arrests, not those arrested."""
    import datetime as dt

    [incident] = pipeline.extract(Article.from_text(text, published=dt.date(2024, 6, 5))).incidents
    assert incident.sub_event_type == sub_event_type
    assert [a.name for a in incident.perpetrators] == actors
