"""The gazetteer entity ruler and the place resolver, on the real spaCy model and GeoNames index."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

from sitrep.extract.places import PlaceContext, PlaceResolver
from spacy.tokens import Span

from sitrep.nlp.ruler import FACTORY, GazetteerRuler, add_gazetteer_ruler, text_is_caseless
from sitrep.records import Article, Place


def incidents_of(pipeline, text: str, published: dt.date):
    """The incidents the full pipeline codes from one report."""
    return pipeline.extract(Article.from_text(text, published=published)).incidents


SEED = Path(__file__).resolve().parents[1].parent / "shared" / "seeds" / "000_f2e83a11a1caa2f0.txt"

JABLEH = 169304
TARTUS = 163345

# our own report with the model report's place names (so the tests run without ../shared)
SEED_EXCERPT = (
    "At least 60 people died on Monday in car bombings in western Syria, a war monitor said.\n"
    "The blasts struck a market and a bus depot in the coastal towns of Jableh and Tartus.\n"
    "Forty people died in Jableh and another 20 in Tartus, said the Syrian Observatory for Human Rights.\n"
    "Jableh is in Latakia province; Tartus is the capital of the province of the same name.\n"
    "Shortly after the Tartus explosions, two more blasts shook Jableh.\n"
    "US diplomats called for an end to the shelling of Aleppo in the north and Daraya near Damascus."
)


@pytest.fixture(scope="module")
def nlp(gazetteer):
    """The model with the ruler (its own copy: the session's bare model stays bare)."""
    from sitrep.nlp.ruler import build_nlp

    return build_nlp(gazetteer)


@pytest.fixture(scope="module")
def resolver(gazetteer):
    return PlaceResolver(gazetteer)


def resolver_for(nlp) -> PlaceResolver:
    return PlaceResolver(nlp.get_pipe(FACTORY).gazetteer)


def ents(doc, label=None):
    return [(e.text, e.label_) for e in doc.ents if label is None or e.label_ == label]


def resolve_in(nlp, resolver, text, name, hint=None) -> Place:
    return resolver.resolve(name, resolver.context(nlp(text)), hint=hint)


# ------------------------------------------------------------------------ the ruler


def test_ruler_sits_after_ner(nlp):
    names = nlp.pipe_names
    assert FACTORY in names and names.index(FACTORY) == names.index("ner") + 1
    assert isinstance(nlp.get_pipe(FACTORY), GazetteerRuler)


def test_base_model_mislabels_what_the_ruler_fixes(nlp_base, nlp):
    text = "Seven explosions hit the seaside cities of Jableh and Tartus, and attacks on Aleppo in the north."
    base = dict(ents(nlp_base(text)))
    fixed = dict(ents(nlp(text)))
    assert base.get("Tartus") != "GPE" or base.get("Aleppo") != "GPE"  # why the ruler exists
    assert fixed["Jableh"] == fixed["Tartus"] == fixed["Aleppo"] == "GPE"


def test_ruler_on_the_model_report(nlp):
    doc = nlp(SEED.read_text(encoding="utf-8") if SEED.exists() else SEED_EXCERPT)
    labels: dict[str, set[str]] = {}
    for text, label in ents(doc):
        labels.setdefault(text, set()).add(label)
    for place in ("Jableh", "Tartus", "Aleppo", "Latakia", "Syria", "Damascus", "Daraya"):
        assert labels[place] == {"GPE"}, place
    assert labels["the Syrian Observatory for Human Rights"] == {"ORG"}
    assert "GPE" not in labels.get("Syrian", set())  # a demonym stays NORP
    assert "GPE" not in labels.get("Islamic State", set())


@pytest.mark.parametrize(
    "text, org",
    [
        ("The Syrian Observatory for Human Rights said 12 died.", "Syrian Observatory for Human Rights"),
        ("Tartus University was closed after the blasts.", "Tartus"),
        ("Fighters of the Aleppo Army Front clashed with troops.", "Aleppo"),
    ],
)
def test_organisations_are_not_places(nlp, text, org):
    doc = nlp(text)
    assert all(org not in e.text for e in doc.ents if e.label_ == "GPE"), ents(doc)


def test_ruler_adds_places_after_locative_cues(nlp):
    doc = nlp("Gunmen abducted two herders near Kalale and in the village of Bembereke on Monday.")
    gpe = [t for t, _ in ents(doc, "GPE")]
    assert "Kalale" in gpe and "Bembereke" in gpe


def test_ruler_uses_a_following_region(nlp):
    doc = nlp("On 17 December, farmers clashed in Guene (Malanville, Alibori) for an unspecified reason.")
    gpe = [t for t, _ in ents(doc, "GPE")]
    assert "Malanville" in gpe and "Alibori" in gpe


def test_ruler_takes_the_region_closing_a_bracketed_list(nlp):
    # the model tags a region after a village and district it does not know as a person
    doc = nlp("On 9 March 2021, herders beat a young farmer at Gbessoukou (N'dali, Borgou) over a field.")
    assert ("Borgou", "GPE") in ents(doc)
    doc = nlp("On 4 June 2020, villagers burned a herder camp near Tchakpe (Kobli, Atacora), wounding two.")
    assert ("Atacora", "GPE") in ents(doc)
    # a person's name closing a bracketed list of people stays a person
    doc = nlp("The victims (Ana Souza, Maria Borgou) were taken to hospital.")
    assert "Borgou" not in [t for t, _ in ents(doc, "GPE")]


def test_ruler_frees_a_place_from_a_sentence_opening_cue(nlp):
    # the model may run a capitalised sentence-opening preposition into a name: "Across Athens" as a person
    ruler = nlp.get_pipe(FACTORY)
    for text, place in (("Across Athens, high schools were occupied by students.", "Athens"),
                        ("Near Mosul, gunmen stopped a bus.", "Mosul")):
        doc = nlp.make_doc(text)
        doc.ents = [Span(doc, 0, 2, label="PERSON")]
        assert [(e.text, e.label_) for e in ruler(doc).ents] == [(place, "GPE")]
    doc = nlp.make_doc("Near Eastern Studies were cut.")  # no place after the cue: the name stays as it was read
    doc.ents = [Span(doc, 0, 3, label="ORG")]
    assert [(e.text, e.label_) for e in ruler(doc).ents] == [("Near Eastern Studies", "ORG")]


def test_ruler_takes_a_capitalised_common_word_right_after_in(nlp):
    doc = nlp("Riot police dispersed a crowd of traders in Save, officials said.")
    assert ("Save", "GPE") in ents(doc)
    doc = nlp("Officials said they would save the market.")
    assert not ents(doc, "GPE")


def test_people_named_like_towns_stay_people(nlp):
    doc = nlp("Maria Gonzalez and Jose Hernandez knew each other. Later Hernandez was arrested.")
    assert not ents(doc, "GPE"), ents(doc)


def test_caseless_detection():
    assert text_is_caseless("the honduran army said today that rebels burned a coffee farm")
    assert text_is_caseless("GUERRILLAS ATTACKED THE FARM NEAR SANTO TOMAS TODAY, THE ARMY SAID")
    assert not text_is_caseless("Guerrillas attacked the farm near Santo Tomas today, the army said.")


def test_lower_case_text(nlp):
    text = ("he also reported that guerrillas killed a peasant in the city of flores, in the northern "
            "el peten department of guatemala, and burned a tank truck. the man told police that "
            "one of the guerrillas was from honduras.")
    doc = nlp(text)
    gpe = {t for t, _ in ents(doc, "GPE")}
    assert {"flores", "guatemala", "honduras"} <= gpe
    peten = next(e for e in doc.ents if e.label_ == "GPE" and "peten" in e.text)
    region = resolver_for(nlp).resolve(peten.text, resolver_for(nlp).context(doc))
    assert (region.precision, region.country_code, region.admin1) == ("admin1", "GT", "Peten")
    tokens_in_gpe = {tok.lower_ for e in doc.ents if e.label_ == "GPE" for tok in e}
    assert not tokens_in_gpe & {"man", "police", "of", "the", "one", "city", "truck"}


def test_lower_case_surnames_are_not_places(nlp):
    text = ("colonel rene emilio ponce said the army would investigate. col vargas added that the "
            "rebels attacked the town of apopa, north of san salvador, in el salvador.")
    gpe = {t for t, _ in ents(nlp(text), "GPE")}
    assert {"apopa", "san salvador", "el salvador"} <= gpe
    assert not gpe & {"ponce", "vargas", "rene emilio ponce"}


def test_ruler_overhead_is_small(nlp):
    docs = list(nlp.pipe([SEED_EXCERPT] * 5))
    ruler = nlp.get_pipe(FACTORY)
    t0 = time.perf_counter()
    for d in docs:
        ruler(d)
    assert (time.perf_counter() - t0) / len(docs) < 0.05  # ~1 ms measured


def test_add_gazetteer_ruler_to_a_fresh_pipeline(gazetteer):
    import spacy

    nlp = spacy.blank("en")
    ruler = add_gazetteer_ruler(nlp, gazetteer)
    assert nlp.pipe_names == [FACTORY] and ruler.gazetteer is gazetteer
    assert add_gazetteer_ruler(nlp, gazetteer) is ruler  # idempotent
    doc = nlp("Clashes were reported in Tartus.")
    assert ents(doc) == [("Tartus", "GPE")]


# ------------------------------------------------------------------------ context and resolution


def test_context_of_the_model_report(nlp, resolver):
    ctx = resolver.context(nlp(SEED_EXCERPT))
    assert isinstance(ctx, PlaceContext)
    assert ctx.countries.most_common(1)[0][0] == "SY"  # "Syria", "Syrian", "northwestern Syria"
    assert ctx.countries["US"] >= 1
    assert ("SY", "Latakia") in ctx.admin1s
    assert {"jableh", "tartus", "aleppo"} <= set(ctx.places)


def test_jableh_and_tartus(nlp, resolver):
    ctx = resolver.context(nlp(SEED_EXCERPT))
    jableh = resolver.resolve("Jableh", ctx)
    assert (jableh.geonameid, jableh.precision, jableh.country_code, jableh.admin1) == (
        JABLEH, "town", "SY", "Latakia")
    assert jableh.name == "Jableh" and abs(jableh.lat - 35.362) < 0.01 and abs(jableh.lon - 35.928) < 0.01
    for name in ("Tartus", "Tartous"):
        tartus = resolver.resolve(name, ctx)
        assert (tartus.geonameid, tartus.precision, tartus.admin1) == (TARTUS, "town", "Tartus")
    assert "SY" in (jableh.reason or "")


def test_places_of_a_doc(nlp, resolver):
    found = {span.text: place for span, place in resolver.places(nlp(SEED_EXCERPT))}
    assert found["Jableh"].geonameid == JABLEH and found["Tartus"].geonameid == TARTUS
    assert found["Syria"].precision == "country" and found["Syria"].country_code == "SY"
    assert found["Aleppo"].country_code == "SY" and found["Damascus"].country_code == "SY"
    assert found["US"].precision == "country" and found["US"].country_code == "US"


@pytest.mark.parametrize(
    "text, name, country",
    [
        ("Clashes in Tripoli, Lebanon's second city, left three dead.", "Tripoli", "LB"),
        ("Militias clashed in Tripoli as Libya's rival governments traded blame.", "Tripoli", "LY"),
        ("A bomb exploded in Hyderabad, Pakistani police said.", "Hyderabad", "PK"),
        ("A bomb exploded in Hyderabad, Indian police said.", "Hyderabad", "IN"),
        ("Protesters were dispersed in Valencia, Venezuela's third city.", "Valencia", "VE"),
        ("Protesters were dispersed in Valencia, the Spanish government said.", "Valencia", "ES"),
    ],
)
def test_homonyms_resolved_by_the_country_mentioned(nlp, resolver, text, name, country):
    place = resolve_in(nlp, resolver, text, name)
    assert place.precision == "town" and place.country_code == country, place.reason


def test_region_hint(nlp, resolver):
    text = "On 3 May 2022, gunmen attacked a police post in Malanville (Malanville, Alibori)."
    place = resolve_in(nlp, resolver, text, "Malanville", hint="(Malanville, Alibori)")
    assert (place.geonameid, place.country_code, place.admin1, place.precision) == (
        2392837, "BJ", "Alibori", "town")
    # "Kandi" is also a town in West Bengal: the region next to it decides
    text = "Gunmen abducted 2 civilians in Alfakoara (Kandi, Alibori)."
    place = resolve_in(nlp, resolver, text, "Kandi", hint="(Kandi, Alibori)")
    assert place.country_code == "BJ" and place.admin1 == "Alibori"


def test_town_of_the_wrong_country_is_not_pinned(nlp, resolver):
    # Monsey in Benin is not in GeoNames' towns; Monsey, New York is, and must not be chosen
    text = "Military forest guards clashed with militants in Monsey (Karimama, Alibori)."
    place = resolve_in(nlp, resolver, text, "Monsey", hint="Monsey (Karimama, Alibori)")
    assert place.geonameid is None and place.country_code == "BJ"
    assert "BJ" in place.reason
    # neither Monsey nor its district Karimama is a GeoNames town: it falls back to the region,
    # with the precision of a region
    assert (place.precision, place.admin1) == ("admin1", "Alibori")


def test_unknown_name_is_unresolved_with_a_reason(nlp, resolver):
    place = resolve_in(nlp, resolver, "Gunmen attacked Zzyzxqville on Monday.", "Zzyzxqville")
    assert place == Place(name="Zzyzxqville", reason=place.reason)
    assert place.precision is None and "not in the gazetteer" in place.reason
    assert "reason" not in place.model_dump()  # reasons are for people, not for the record


def test_ambiguous_name_without_context_is_unresolved(nlp, resolver):
    """Namesakes of like size far apart, and nothing in the report to tell them apart: none of them. (Of a
    much larger and a smaller namesake, the fitted ranking takes the larger: "Tripoli" alone is Libya's.)"""
    place = resolve_in(nlp, resolver, "Clashes in Springfield left three dead.", "Springfield")
    assert place.precision is None and "ambiguous" in place.reason
    assert "Missouri" in place.reason
    place = resolve_in(nlp, resolver, "Clashes in Tripoli left three dead.", "Tripoli")
    assert place.country_code == "LY"


def test_small_place_without_support_is_unresolved(nlp, resolver):
    place = resolve_in(nlp, resolver, "Shots were heard in Sanson overnight.", "Sanson")
    assert place.precision is None and "no candidate is supported" in place.reason


def test_country_admin1_and_town_precisions(nlp, resolver):
    text = "Air strikes hit Idlib province in northwestern Syria on Monday."
    ctx = resolver.context(nlp(text))
    syria = resolver.resolve("Syria", ctx)
    assert (syria.precision, syria.geonameid, syria.country_code) == ("country", 163843, "SY")
    assert syria.lat is not None and syria.admin1 is None
    idlib = resolver.resolve("Idlib province", ctx)
    assert (idlib.precision, idlib.admin1, idlib.country_code, idlib.geonameid) == ("admin1", "Idlib", "SY", None)
    assert resolver.resolve("Idlib", ctx, hint="in northern Idlib province").precision == "admin1"
    assert resolver.resolve("Idlib", ctx).precision == "town"  # a bare name is the town
    assert resolver.resolve("Alibori", resolver.context("Gunmen were seen in Alibori.")).precision == "admin1"


def test_state_after_a_town(nlp, resolver):
    text = "Two men were shot in Atlanta, Georgia, police said."
    ctx = resolver.context(nlp(text))
    georgia = resolver.resolve("Georgia", ctx, hint="Atlanta, Georgia, police said")
    assert (georgia.precision, georgia.country_code, georgia.admin1) == ("admin1", "US", "Georgia")
    atlanta = resolver.resolve("Atlanta", ctx, hint="Atlanta, Georgia, police said")
    assert atlanta.country_code == "US" and atlanta.admin1 == "Georgia" and atlanta.admin2 == "Fulton County"
    caucasus = resolve_in(nlp, resolver, "Russian troops entered Georgia and shelled Gori.", "Georgia")
    assert caucasus.precision == "country" and caucasus.country_code == "GE"


def test_lower_case_report_resolves(nlp, resolver):
    text = ("guerrillas killed a peasant in the city of flores, in the northern el peten department "
            "of guatemala, and burned a tank truck.")
    doc = nlp(text)
    flores = next(e for e in doc.ents if e.text == "flores")
    place = resolver.resolve_span(flores, resolver.context(doc))
    assert (place.country_code, place.admin1, place.precision) == ("GT", "Peten", "town")


def test_context_from_plain_text(resolver):
    ctx = resolver.context("Lebanese troops deployed in Tripoli.")
    assert ctx.countries == {"LB": 1}
    assert resolver.resolve("Tripoli", ctx).country_code == "LB"


# ------------------------------------------------------------------------ analyst notes, US news


def test_coded_to_resolves_the_place_coded(nlp, resolver):
    # a village too small for GeoNames, coded by the source to a town that is in it
    doc = nlp("On 2 May 2022, gunmen abducted a herder in Tchatchou, coded to Tchaourou (Tchaourou, Borgou).")
    ctx = resolver.context(doc)
    span = next(e for e in doc.ents if e.text == "Tchatchou")
    place = resolver.resolve_span(span, ctx)
    assert (place.precision, place.country_code, place.admin1) == ("town", "BJ", "Borgou")
    assert "coded to 'Tchaourou'" in place.reason


def test_unknown_village_falls_back_to_the_district_seat(nlp, resolver):
    text = "Gunmen burned a school in Zzoukpa (Kandi, Alibori) on Monday."
    place = resolve_in(nlp, resolver, text, "Zzoukpa", hint="in Zzoukpa (Kandi, Alibori) on")
    assert (place.precision, place.country_code, place.admin1, place.admin2) == ("admin2", "BJ", "Alibori", "Kandi")
    assert place.geonameid is None and "seat of the district 'Kandi'" in place.reason


def test_unknown_village_with_only_a_region_falls_back_to_the_region(nlp, resolver):
    text = "A fist fight broke out in Zzoukpa (Zou) on Sunday."
    place = resolve_in(nlp, resolver, text, "Zzoukpa", hint="in Zzoukpa (Zou) on")
    assert (place.precision, place.country_code, place.admin1) == ("admin1", "BJ", "Zou")


def test_region_in_brackets_decides_the_country(nlp, resolver):
    # "Nigerian" next to it would otherwise vouch for a Kabo in Nigeria
    text = "Police clashed with Nigerian soldiers in Kabo (Tchaourou, Borgou)."
    place = resolve_in(nlp, resolver, text, "Kabo", hint="Nigerian soldiers in Kabo (Tchaourou, Borgou).")
    assert place.country_code == "BJ"


def test_a_town_with_no_support_is_not_pinned_against_the_report(nlp, resolver):
    # Monsey, New York has nothing for it; the report's other places are in Benin
    text = "Militants clashed with forest guards in Monsey near Park W (Karimama, Alibori)."
    place = resolve_in(nlp, resolver, text, "Monsey")
    assert place.precision is None and "BJ" in place.reason


@pytest.mark.parametrize(("text", "name", "admin1"), [
    ("Police in Athens, Ga., said a man was killed.", "Athens", "Georgia"),
    ("The shooting happened in Austin, TX on Friday.", "Austin", "Texas"),
])
def test_us_state_abbreviations(nlp, resolver, text, name, admin1):
    doc = nlp(text)
    span = next(e for e in doc.ents if e.text == name)
    place = resolver.resolve_span(span, resolver.context(doc))
    assert (place.precision, place.country_code, place.admin1) == ("town", "US", admin1)


def test_state_named_after_a_town_it_lacks_gives_the_state(nlp, resolver):
    doc = nlp("A child was shot in Madison, Tenn., on Tuesday.")
    span = next(e for e in doc.ents if e.text == "Madison")
    place = resolver.resolve_span(span, resolver.context(doc))
    assert (place.precision, place.country_code, place.admin1) == ("admin1", "US", "Tennessee")


def test_us_county(nlp, resolver):
    doc = nlp("A teen was killed in Bastrop County, Texas, on Sunday.")
    span = next(e for e in doc.ents if e.text == "Bastrop County")
    place = resolver.resolve_span(span, resolver.context(doc))
    assert (place.precision, place.country_code, place.admin1, place.admin2) == (
        "admin2", "US", "Texas", "Bastrop County")


def test_us_state_abbreviations_only_after_a_place():
    from sitrep.extract.places import us_states_in

    assert us_states_in("Athens, Ga., and Austin, TX and WILKES-BARRE, Pa. (AP)") == [
        "Georgia", "Texas", "Pennsylvania"]
    assert us_states_in("He said IN the end it was OK. Miss. Jones came.") == []


def test_country_and_big_town_tagged_as_person_are_places(nlp):
    doc = nlp("Benin has charged the former minister. Riots in the Cotonou neighbourhood resumed.")
    assert {e.text for e in doc.ents if e.label_ == "GPE"} >= {"Benin", "Cotonou"}
    doc = nlp("Jordan scored twice before Chad Smith left.")
    assert "Chad Smith" in {e.text for e in doc.ents if e.label_ == "PERSON"}


def test_place_names_stop_at_brackets(nlp):
    doc = nlp("Gunmen killed a herder near Djougou (Djougou, Donga).")
    assert all("(" not in e.text for e in doc.ents)


def test_blank_lines_end_sentences(nlp):
    doc = nlp("1 dead after north Wichita shooting\n\nOne person is dead after a shooting.")
    assert len(list(doc.sents)) == 2


def test_a_county_is_never_a_town_of_its_name_elsewhere(nlp, resolver):
    # no state named: "Mesa County" is not Mesa, Arizona; a town the report names inside it places it
    text = "A boy was shot dead near Palisade on Sunday, the Mesa County sheriff said."
    county = resolve_in(nlp, resolver, text, "Mesa County")
    assert (county.precision, county.country_code, county.admin1) == ("admin2", "US", "Colorado")
    # no state named, but only one state has a county of that name: there, never Dearborn, Michigan
    alone = resolve_in(nlp, resolver, "A girl was shot in Dearborn County on Friday.", "Dearborn County")
    assert (alone.precision, alone.admin1) == ("admin2", "Indiana")
    # a county name of several states, none named: left unresolved
    many = resolve_in(nlp, resolver, "A girl was shot in Johnson County on Friday.", "Johnson County")
    assert many.precision is None


def test_a_headline_county_and_saint_spelled_short(nlp, resolver):
    doc = nlp("Navarro County Man Shot Outside Bar")
    ent = next(e for e in doc.ents if e.text.startswith("Navarro"))  # the entity may end before "County"
    headline = resolver.resolve_span(ent, resolver.context(doc))
    assert (headline.name, headline.precision, headline.admin1) == ("Navarro County", "admin2", "Texas")
    saint = resolve_in(nlp, resolver, "A boy was shot in St Johns County on Sunday.", "St Johns County")
    assert (saint.precision, saint.admin1) == ("admin2", "Florida")


def test_a_name_after_an_age_is_a_person_not_a_town(pipeline):

    text = ("A man shot his wife and their daughters, 4-year-old Olivia and 9-year-old Mathis, "
            "at their home in Culpeper, Virginia, on Sunday, police said.")
    extraction = pipeline.extract(Article.from_text(text, published=dt.date(2014, 8, 4)))
    assert [i.location.name for i in extraction.incidents] == ["Culpeper"]


def test_a_us_state_named_alone_places_its_towns(nlp, resolver):
    text = ("Two men were wounded in a shooting outside a bar in Springfield late Friday. "
            "It was the third shooting in Ohio this month.")
    place = resolve_in(nlp, resolver, text, "Springfield")
    assert (place.country_code, place.admin1) == ("US", "Ohio")


def test_a_surname_is_not_a_town(nlp):
    doc = nlp("Officers arrested Jordan Mathis at his home on Tuesday. Mathis told detectives the gun went off.")
    assert "Mathis" not in [e.text for e in doc.ents if e.label_ in ("GPE", "LOC")]


def test_a_report_is_set_where_its_dateline_and_police_are(pipeline):
    from sitrep.nlp.datelines import datelines

    text = ("Boy, 6, hurt in accidental shooting\n\n"
            "KOKOMO, Ind. (WXYZ) — A boy of six was wounded in the foot on Sunday when he fired a "
            "pistol he found under a bed.\n\nThe boy is expected to recover, Kokomo police said.")
    assert datelines(text) == [("KOKOMO", "KOKOMO, Ind. (WXYZ) — ")]
    incident, = incidents_of(pipeline, text, dt.date(2015, 3, 2))
    assert (incident.location.name, incident.location.admin1) == ("Kokomo", "Indiana")


@pytest.mark.parametrize("part", ["the South Side", "the West End", "the North Side"])
def test_a_part_of_the_dateline_city_keeps_its_compass_word(pipeline, part):
    # "the South Side" is a name (looked up whole), not "Side" (a town in Turkey) that would veto the dateline
    text = f"HOUSTON — A man was shot and killed Saturday on {part}, police said."
    incident, = incidents_of(pipeline, text, dt.date(2024, 6, 3))
    assert incident.location is not None and incident.location.country_code == "US"
    assert incident.location.name != "Side"


@pytest.mark.parametrize(("text", "town"), [
    ("SPRINGFIELD, Ill. — A man was shot and killed Saturday near a gas station, police said. "
     "The suspect, 25, of Peoria, was arrested.", "Springfield"),
    ("A man was shot and killed Saturday in Gary, Indiana. Police arrested a 23-year-old man from Chicago.", "Gary"),
    ("CHICAGO — Four men were shot early Friday at a Washington Park neighborhood gas station on the South Side. "
     "Cox, of the Grand Boulevard neighborhood, was dead at the scene.", "Chicago"),
    ("Durham police are investigating a shooting that happened early Sunday. Three 22-year-old men from Goldsboro "
     "and a 20-year-old man from Kinston were wounded in the shooting.", "Durham"),  # people counted, from a town
    ("Police in Durham are investigating a shooting early Sunday at a club. Two 19-year-old women from Raleigh "
     "were wounded in the shooting.", "Durham"),
])
def test_where_a_suspect_lives_is_not_the_scene(pipeline, text, town):
    incidents = incidents_of(pipeline, text, dt.date(2024, 6, 3))
    assert [i.location.name for i in incidents] == [town]


@pytest.mark.parametrize(("where", "precision"), [
    ("in New York", "town"),  # the city known by its state's name
    ("in upstate New York", "admin1"),
    ("in the state of New York", "admin1"),
    ("in Kano", "town"),
])
def test_a_city_named_as_its_region(pipeline, where, precision):
    incident, = incidents_of(pipeline, f"A man was shot and killed Saturday {where}, police said.", dt.date(2024, 6, 3))
    assert incident.location.precision == precision


def test_a_state_after_its_town_is_the_towns_region(pipeline):
    text = "Three people were killed in a drive-by shooting in Rochester, New York on Wednesday, police said."
    assert [i.location.name for i in incidents_of(pipeline, text, dt.date(2015, 8, 20))] == ["Rochester"]


def test_the_outlets_town_does_not_set_the_report(pipeline):

    text = ("Teen shot while cleaning rifle - WXYZ News 4 Toledo\n\n"
            "A teenager, 15, suffered a gunshot wound to the hand on Saturday while cleaning a rifle at a home in Bryan, "
            "Ohio, the sheriff's office said. The teen was treated and released.")
    incidents = incidents_of(pipeline, text, dt.date(2015, 3, 2))
    assert [i.location.name for i in incidents] == ["Bryan"]


def test_a_neighbourhood_and_its_city_are_one_incident(pipeline):

    text = ("Three people were shot in Englewood on Saturday night, police said. "
            "The shooting was the fifth in Chicago on Saturday, and two of the victims were killed.")
    incidents = incidents_of(pipeline, text, dt.date(2016, 3, 21))
    assert len(incidents) == 1


@pytest.mark.parametrize("text, town", [
    # places of earlier attacks, or of many, are theirs: the report is set where its own event is
    ("Officers in the city of Marseille were looking for a man thought to be behind a Tuesday explosion which "
     "wounded nine people. The bomb had been left outside a pharmacy. The country has been on alert since gunmen "
     "carried out a series of attacks across Nice and Toulon, killing 40 people in Nice. The 2016 attack in Nice "
     "was the worst the region had seen. Marseille hosts a summit next month.", "Marseille"),
    # a city whose suburbs are meant: another town the report names sets it, the city only when there is none
    ("A man walked into a print shop in suburban Cleveland on Monday and shot two people, killing one. The shop "
     "has branches across Ohio. \"We do not think it was random,\" Parma police Chief Tom Miller said.", "Parma"),
    ("A gunman opened fire at a mall in a Chicago suburb on Friday, wounding two people, police said.", "Chicago"),
])
def test_where_the_report_is_set_when_it_names_other_places(pipeline, text, town):
    assert [i.location.name for i in incidents_of(pipeline, text, dt.date(2019, 5, 25))] == [town]


def test_a_report_is_set_where_its_police_force_is(pipeline):

    text = ("A 16-year-old boy died on Saturday after he was shot at a party, according to the Wichita "
            "Police Department. It was the third shooting death of a teenager in Kansas this month.")
    incidents = incidents_of(pipeline, text, dt.date(2016, 12, 19))
    assert [(i.location.name, i.location.admin1) for i in incidents] == [("Wichita", "Kansas")]


def test_an_arrest_does_not_date_the_shooting(pipeline):

    text = ("Police arrested a 19-year-old man on Tuesday in the killing of a teenager in Dayton, Ohio. "
            "The teenager was shot dead on Saturday outside a store.")
    incident, = incidents_of(pipeline, text, dt.date(2016, 5, 11))
    assert incident.date == dt.date(2016, 5, 7)


@pytest.mark.parametrize("text", [
    "A woman was shot dead on Tuesday at a home on North Oak in Aransas Pass, Texas.",
    "A woman was shot dead on Tuesday in the 2300 block of North Oak in Aransas Pass, Texas.",
])
def test_a_street_is_not_a_town(pipeline, text):

    incidents = incidents_of(pipeline, text, dt.date(2016, 5, 11))
    assert [i.location.name for i in incidents] == ["Aransas Pass"]


def test_the_hospitals_town_is_not_the_incidents(pipeline):

    text = ("Four people were shot outside a nightclub in Kokomo, Indiana, early Sunday. "
            "Two of them were airlifted to St. Vincent Hospital in Indianapolis.")
    incidents = incidents_of(pipeline, text, dt.date(2014, 6, 15))
    assert [i.location.name for i in incidents] == ["Kokomo"]


def test_a_town_whose_where_clause_tells_the_act_is_its_scene(pipeline):
    """Mechanism: "in the city of X, where <act>": X is where the act of its clause took place, though the
    verb it hangs from ("broke out") is no act of the codebook."""
    text = ("Protesters fought police in Lagos on Monday, leaving two dead. Trouble also broke out in the northern "
            "city of Kano, where gunmen shot dead three traders on the same day.")
    incidents = incidents_of(pipeline, text, dt.date(2024, 6, 4))
    assert sorted(i.location.name for i in incidents) == ["Kano", "Lagos"]


@pytest.mark.parametrize("text", [
    "A boy was shot in Roundup, Montana, on Sunday. He was flown to Billings, where he died early Monday.",
    "A boy was shot in Roundup, Montana, on Sunday. He was taken to a hospital in Billings, where he died Monday.",
])
def test_where_a_victim_died_is_not_the_scene(pipeline, text):
    incidents = incidents_of(pipeline, text, dt.date(2016, 3, 8))
    assert [i.location.name for i in incidents] == ["Roundup"]


def test_a_region_gives_way_to_the_town_the_report_is_set_in(pipeline):

    text = "Two men shot\n\nLITTLE ROCK, Ark. (WXYZ) — Two men were shot dead in Arkansas on Sunday night."
    incidents = incidents_of(pipeline, text, dt.date(2016, 5, 2))
    assert [(i.location.name, i.location.precision) for i in incidents] == [("Little Rock", "town")]


@pytest.mark.parametrize("text, city", [
    ("A teenager was shot and killed in Chicago's Englewood neighborhood on Sunday night, police said.", "Chicago"),
    ("Two men were wounded in a shooting in Houston's Sunnyside on Friday, police said.", "Houston"),
])
def test_a_neighbourhood_named_as_a_citys_lies_in_it(pipeline, text, city):
    """Mechanism: "<city>'s <district>" is placed in the city, not at a namesake of the district elsewhere."""
    found = incidents_of(pipeline, text, dt.date(2024, 6, 3))
    assert found and found[0].location is not None
    assert found[0].location.lat is not None
    city_place = pipeline.mentions.places.resolve(city, pipeline.mentions.places.context(text))
    from sitrep.nlp.gazetteer import distance_km

    assert distance_km(found[0].location.lat, found[0].location.lon, city_place.lat, city_place.lon) < 25


def test_a_local_force_sets_the_report_in_its_town(pipeline):
    """"Clarksville police" names the town a report is set in; "the Arkansas State Police" names no town."""
    doc = pipeline.nlp("A man was shot dead outside a store in Tennessee on Monday night, Clarksville police said.")
    setting = pipeline.mentions.setting(doc)  # the model reads "Clarksville" here as a person's name
    assert setting is not None and setting.name == "Clarksville" and setting.admin1 == "Tennessee"
    doc = pipeline.nlp("A man was shot dead on a highway in Arkansas on Monday night, the Arkansas State Police said.")
    setting = pipeline.mentions.setting(doc)
    assert setting is None or setting.precision != "town", setting


def test_a_fronted_place_scopes_over_its_sentence(pipeline):
    """"In <town>, <event>": the town where a sentence opens is where its event happened, when it names no other."""
    found = incidents_of(pipeline, "In Heraklion, 10,000 people are reported as marching against the measures.",
                         dt.date(2010, 5, 5))
    assert [i.location.name for i in found] == ["Heraklion"]
    found = incidents_of(pipeline, "In Kabul, a spokesman said gunmen killed five people in Kandahar on Monday.",
                         dt.date(2024, 6, 5))
    assert [i.location.name for i in found] == ["Kandahar"]


def test_a_fronted_place_scopes_over_a_building_its_sentence_names(pipeline):
    """A named building is where in the town the act was, not another town: "In Corfu, ... occupied the County
    Headquarters" is in Corfu."""
    found = incidents_of(pipeline, "In Corfu, protesters taking part in the march occupied the County Headquarters "
                         "on Wednesday.", dt.date(2010, 5, 5))
    assert [i.location.name for i in found] == ["Corfu"]


def test_a_place_of_the_harm_is_the_scene_whatever_verb_the_parse_hangs_it_from(pipeline):
    """"..., wounding 8 people on a crowded square in the city of Ghent": the town where people were harmed is
    the scene, also when the parse attaches the harm to another verb ("hunting") than the blast's."""
    text = ("Belgian police are hunting a suspect believed to have left a rucksack containing a bomb that exploded on "
            "Monday, wounding 8 people on a crowded square in the city of Ghent.")
    mentions, _ = pipeline.mentions.find(pipeline.nlp(text), dt.date(2024, 3, 11))
    roles = {p.place.name: p.role for m in mentions for p in m.places}
    assert roles == {"Ghent": "event"}


def test_a_region_named_in_an_organisation_names_its_country_too(pipeline):
    """"the Oregon State Police": the report is set in Oregon, and so in the US, as "Oregon" alone would say."""
    doc = pipeline.nlp("A bomb exploded at a bank on Friday, killing two officers, the Oregon State Police said.")
    ctx = pipeline.mentions.places.context(doc)
    assert ctx.admin1s[("US", "Oregon")] >= 1 and ctx.countries["US"] >= 1


def test_a_hospital_named_after_its_town_is_where_the_wounded_were_treated(pipeline):
    """"in critical condition at a Portland hospital": Portland is where he was treated, not the scene."""
    text = "A wounded officer was in critical condition at a Portland hospital on Saturday."
    mentions, _ = pipeline.mentions.find(pipeline.nlp(text), dt.date(2024, 3, 11))
    assert {p.place.name: p.role for m in mentions for p in m.places} == {"Portland": "context"}
