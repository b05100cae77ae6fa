"""The MUC-4 scorer on hand-made cases, the sitrep -> MUC-4 mapping, and `sitrep eval muc4`.

The scorer and mapping tests need no data; the end-to-end test reads ../shared/data/muc4/dev.jsonl and
skips cleanly when it is absent.
"""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sitrep.cli import app
from sitrep.codebook import load_codebook
from sitrep.evaluate.muc4_score import (
    Score, Template, _alone, _pair_counts, best_assignment, read_templates, score, score_document, summary, template_from_json,
)
from sitrep.muc4 import INCIDENT_TYPES, ROLES, muc4_type, perpetrator_role, templates
from sitrep.records import Evidence, Extraction, Incident

DEV = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "muc4" / "dev.jsonl"


def gold(kind: str, **roles: list[list[str]]) -> dict:
    """A gold template: each entity a list of coreferent mentions (offsets are not used by the metric)."""
    return {"incident_type": kind, **{r: [[[m, 0] for m in entity] for entity in roles.get(r, [])] for r in ROLES}}


def pred(kind: str, **roles: list[str]) -> dict:
    """A predicted template: one mention per entity."""
    return {"incident_type": kind, **{r: [[m] for m in roles.get(r, [])] for r in ROLES}}


def run(preds: list[dict], golds: list[dict]):
    return score_document([template_from_json(t) for t in preds], [template_from_json(t) for t in golds])


def _told(*sentences: str) -> list[Evidence]:
    """Event evidence of consecutive sentences."""
    out, start = [], 0
    for sentence in sentences:
        out.append(Evidence(field="event", article_id="a", start=start, end=start + len(sentence), text=sentence))
        start += len(sentence) + 1
    return out


BOMBING = gold("bombing", PerpInd=[["urban guerrillas", "guerrillas"]], PerpOrg=[["fmln", "farabundo marti national liberation front"]],
               Target=[["the embassy"]], Weapon=[["a car bomb", "bomb"]])


def test_perfect_prediction_scores_100():
    result = run([pred("bombing", PerpInd=["urban guerrillas"], PerpOrg=["FMLN"], Target=["embassy"], Weapon=["car bomb"])], [BOMBING])
    micro = result.micro
    assert (micro.p_num, micro.p_den, micro.r_num, micro.r_den) == (5, 5, 5, 5)
    assert micro.f1 == 100.0


def test_shorter_coreferent_mention_is_correct_and_normalised():
    result = run([pred("bombing", PerpInd=["Guerrillas."], Weapon=["the bomb"])], [BOMBING])
    assert result.slots["PerpInd"].p_num == 1 and result.slots["Weapon"].r_num == 1
    assert result.slots["PerpOrg"].r_den == 1 and result.slots["PerpOrg"].r_num == 0  # missed entity


def test_entity_with_a_mention_outside_the_gold_entity_is_wrong():
    result = run([pred("bombing", Weapon=["bomb"]), ], [BOMBING])
    assert result.slots["Weapon"].p_num == 1
    wrong = template_from_json({"incident_type": "bombing", "Weapon": [["bomb", "dynamite"]]})
    result = score_document([wrong], [template_from_json(BOMBING)])
    assert result.slots["Weapon"].p_num == 0


def test_spurious_template_counts_against_precision():
    right = pred("bombing", PerpInd=["guerrillas"], Target=["embassy"])
    extra = pred("kidnapping", Victim=["jose perez"])
    result = run([right, extra], [BOMBING])
    micro = result.micro
    assert (micro.p_num, micro.p_den) == (3, 5)  # type + 2 entities right; spurious type + victim wrong
    assert (micro.r_num, micro.r_den) == (3, 5)


def test_missing_template_counts_against_recall():
    kidnap = gold("kidnapping", Victim=[["jose perez"]])
    result = run([pred("bombing", Weapon=["bomb"])], [BOMBING, kidnap])
    assert result.slots["incident_type"].r_den == 2 and result.slots["incident_type"].r_num == 1
    assert result.slots["Victim"].r_den == 1 and result.slots["Victim"].r_num == 0
    assert result.micro.precision == 100.0


def test_wrong_incident_type_never_pairs():
    result = run([pred("attack", PerpInd=["guerrillas"], Weapon=["bomb"])], [BOMBING])
    assert result.micro.p_num == 0 and result.micro.r_num == 0
    assert result.micro.p_den == 3 and result.micro.r_den == 5


def test_predicted_type_contained_in_a_gold_type_string_pairs():
    result = run([pred("bombing")], [gold("bombing / attack")])
    assert result.slots["incident_type"].f1 == 100.0


def test_two_templates_are_assigned_the_best_way_round():
    g1 = gold("attack", Victim=[["jose perez"]], PerpInd=[["gunmen"]])
    g2 = gold("attack", Victim=[["maria lopez"]], Target=[["bus"]])
    p1 = pred("attack", Victim=["maria lopez"], Target=["bus"])
    p2 = pred("attack", Victim=["jose perez"], PerpInd=["gunmen"])
    pairs = best_assignment([template_from_json(p1), template_from_json(p2)], [template_from_json(g1), template_from_json(g2)])
    assert sorted(pairs) == [(0, 1), (1, 0)]
    assert run([p1, p2], [g1, g2]).micro.f1 == 100.0


def test_assignment_maximises_f1_not_first_fit():
    # the first prediction fits both gold templates a little; only one way round matches everything
    g1 = gold("attack", PerpInd=[["gunmen"]], Victim=[["jose perez"]])
    g2 = gold("attack", PerpInd=[["gunmen"]])
    p1 = pred("attack", PerpInd=["gunmen"])
    p2 = pred("attack", PerpInd=["gunmen"], Victim=["jose perez"])
    assert run([p1, p2], [g1, g2]).micro.f1 == 100.0


def test_a_gold_template_given_twice_counts_once_and_empty_entities_are_none(tmp_path):
    keys = tmp_path / "gold.jsonl"
    twice = gold("attack", Victim=[["jose perez"]])
    keys.write_text(json.dumps({"docid": "d1", "templates": [twice, twice]}) + "\n")
    golds = read_templates(keys, gold=True)
    preds = {"d1": [template_from_json({"incident_type": "attack", "Victim": [["jose perez"], []], "Target": [[]]})]}
    assert score(preds, golds).micro.f1 == 100.0
    assert template_from_json({"incident_type": None}).incident_type == "attack"


def _first_best_in_published_order(preds: list[Template], golds: list[Template]) -> Score:
    """The published scorer's search, written out: every product of (gold index or none) per predicted
    template, distinct gold indices, pairs of different types unpaired; the first maximum wins."""
    best: Score | None = None
    for combo in itertools.product([*range(len(golds)), None], repeat=len(preds)):
        taken = [g for g in combo if g is not None]
        if len(taken) != len(set(taken)):
            continue
        result = Score(documents=1)
        paired = [(i, g) for i, g in enumerate(combo) if g is not None and preds[i].incident_type in golds[g].incident_type]
        for i, g in paired:
            for slot, counts in _pair_counts(preds[i], golds[g]).items():
                result.slots[slot].add(counts)
        for i, t in enumerate(preds):
            if i not in {i for i, _ in paired}:
                for slot, counts in _alone(t, True).items():
                    result.slots[slot].add(counts)
        for g, t in enumerate(golds):
            if g not in {g for _, g in paired}:
                for slot, counts in _alone(t, False).items():
                    result.slots[slot].add(counts)
        if best is None or _doc_f1(result) > _doc_f1(best):
            best = result
    return best


def _doc_f1(result: Score) -> float:
    m = result.micro
    p, r = (m.p_num / m.p_den if m.p_den else 0.0), (m.r_num / m.r_den if m.r_den else 0.0)
    return 2 * p * r / (p + r) if p + r else 0.0


def test_ties_are_broken_as_the_published_scorer_breaks_them():
    rng = random.Random(7)
    names = ["gunmen", "fmln", "bus", "jose perez", "bomb"]
    kinds = ["attack", "bombing", "kidnapping", "bombing / attack"]

    def template(kinds: list[str]) -> Template:
        return template_from_json({"incident_type": rng.choice(kinds),
                                   **{r: [[rng.choice(names)] for _ in range(rng.randint(0, 2))] for r in ROLES}})

    for _ in range(300):
        golds = [template(kinds) for _ in range(rng.randint(0, 3))]
        preds = [template(kinds[:3]) for _ in range(rng.randint(0, 3))]
        assert score_document(preds, golds).slots == _first_best_in_published_order(preds, golds).slots


def test_counts_sum_over_documents_and_summary_has_every_key():
    golds = {"d1": [template_from_json(BOMBING)], "d2": []}
    preds = {"d1": [template_from_json(pred("bombing", Weapon=["bomb"]))], "d2": [template_from_json(pred("attack"))]}
    result = score(preds, golds)
    assert result.documents == 2
    assert result.slots["incident_type"].p_den == 2 and result.slots["incident_type"].p_num == 1
    out = summary(result)
    assert set(out) == {"f1", "precision", "recall", "incident_type", *ROLES, "documents", "docs_per_sec"}


@pytest.mark.parametrize("text, role", [
    ("guerrillas", "PerpInd"), ("urban commandos", "PerpInd"), ("members of the farabundo marti national liberation front", "PerpInd"),
    ("FMLN", "PerpOrg"), ("the Medellin cartel", "PerpOrg"), ("shining path", "PerpOrg"), ("salvadoran army", "PerpOrg"),
])
def test_perpetrator_role(text, role):
    assert perpetrator_role(text) == role


def test_incident_maps_to_a_template_with_surface_spans():
    text = "fmln guerrillas bombed the embassy with a car bomb."
    incident = Incident(
        id="inc-1", sub_event_type="Remote explosive/landmine/IED", targets=["embassy"], weapons=["car bomb"],
        evidence=[Evidence(field="perpetrators", article_id="a", start=0, end=4, text=text[0:4]),
                  Evidence(field="perpetrators", article_id="a", start=5, end=15, text=text[5:15])],
    )
    clash = Incident(id="inc-2", sub_event_type="Peaceful protest")  # no MUC-4 type: no template
    out = templates(Extraction(incidents=[incident, clash]))
    assert out == [{"incident_type": "bombing", "PerpInd": [["guerrillas"]], "PerpOrg": [["fmln"]],
                    "Target": [["embassy"]], "Victim": [], "Weapon": [["car bomb"]]}]


def test_a_clash_is_a_muc4_attack_only_when_a_non_state_group_attacks_someone():
    text = "army troops clashed with rebels near the river."

    def clash(*spans: tuple[int, int], targets: tuple[str, ...] = ("bridge",)) -> Incident:
        return Incident(id="inc-c", sub_event_type="Armed clash", targets=list(targets), evidence=[
            Evidence(field="perpetrators", article_id="a", start=s, end=e, text=text[s:e]) for s, e in spans])

    codebook = load_codebook()
    assert muc4_type(clash((0, 11)), codebook) is None  # troops alone: a military operation
    assert muc4_type(clash(), codebook) is None  # nobody named as acting
    assert muc4_type(clash((0, 11), (25, 31)), codebook) == "attack"  # the rebels acted too
    assert muc4_type(clash((0, 11), (25, 31), targets=()), codebook) is None  # nobody and nothing attacked: combat


@pytest.mark.parametrize("sub_event_type", ["Shelling/artillery/missile attack", "Air/drone strike"])
def test_shelling_and_air_strikes_are_combat_unless_a_non_state_group_hits_someone(sub_event_type):
    text = "the air force strafed guerrilla positions; rebels fired rockets at the town hall."

    def strike(actor: str, targets: list[str]) -> Incident:
        s = text.index(actor)
        return Incident(id="inc-s", sub_event_type=sub_event_type, targets=targets, evidence=[
            Evidence(field="perpetrators", article_id="a", start=s, end=s + len(actor), text=actor)])

    codebook = load_codebook()
    assert muc4_type(strike("the air force", ["guerrilla positions"]), codebook) is None  # state forces alone
    assert muc4_type(strike("rebels", []), codebook) is None  # nothing named as hit
    assert muc4_type(strike("rebels", ["town hall"]), codebook) is not None


def test_a_mob_that_kills_is_a_muc4_attack():
    assert muc4_type(Incident(id="inc-m", sub_event_type="Mob violence"), load_codebook()) == "attack"


def test_an_incident_naming_nobody_and_nothing_gives_no_template():
    count_only = Incident(id="inc-n", sub_event_type="Attack")  # "many people have been killed"
    assert templates(Extraction(incidents=[count_only])) == []


def test_people_taken_in_combat_are_a_kidnapping():
    sentence = "troops and rebels fought near the dam, and the rebels kidnapped three engineers."
    combat = Incident(id="inc-t", sub_event_type="Armed clash",
                      evidence=[Evidence(field="event", article_id="a", start=0, end=len(sentence), text=sentence)])
    assert [t["incident_type"] for t in templates(Extraction(incidents=[combat]))] == ["kidnapping"]


def test_an_attack_whose_sentence_tells_of_a_kidnapping_is_a_kidnapping_too():
    sentences = ("gunmen stormed the mayor's office and kidnapped ana ruiz.", "they also shot luis vega.")
    incident = Incident(id="inc-k", sub_event_type="Attack", targets=["mayor's office"],
                        victims=["ana ruiz", "luis vega"], evidence=[
                            Evidence(field="perpetrators", article_id="a", start=0, end=6, text="gunmen"), *_told(*sentences)])
    out = templates(Extraction(incidents=[incident]))
    assert [t["incident_type"] for t in out] == ["attack", "kidnapping"]
    assert out[0]["Target"] == [["mayor's office"]] and out[1]["Target"] == []  # the office was stormed, not taken
    assert out[0]["Victim"] == [["luis vega"]] and out[1]["Victim"] == [["ana ruiz"]]
    assert out[0]["PerpInd"] == out[1]["PerpInd"] == [["gunmen"]]


def test_cli_scores_a_prediction_file(tmp_path):
    gold_file = tmp_path / "gold.jsonl"
    pred_file = tmp_path / "pred.jsonl"
    gold_file.write_text(json.dumps({"docid": "d1", "doctext": "...", "templates": [BOMBING]}) + "\n")
    pred_file.write_text(json.dumps({"docid": "d1", "templates": [pred("bombing", Weapon=["bomb"])]}) + "\n")
    result = CliRunner().invoke(app, ["eval", "muc4", str(gold_file), "--predictions", str(pred_file), "--json"])
    assert result.exit_code == 0, result.output
    assert "PerpOrg" in result.output and "Weapon" in result.output
    last = json.loads(result.output.strip().splitlines()[-1])
    assert last["Weapon"] == 100.0 and last["docs_per_sec"] == 0 and last["documents"] == 1
    assert last["precision"] == 100.0 and last["recall"] == 40.0 and last["f1"] == 57.14


@pytest.mark.skipif(not DEV.exists(), reason=f"no MUC-4 data at {DEV}")
def test_sitrep_codes_muc4_documents_with_spans_of_their_own_text(pipeline):
    from sitrep.records import Article

    records = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines()[:20]]
    found = 0
    for record, (article, extraction) in zip(records, pipeline.extract_many(Article.from_text(r["doctext"]) for r in records)):
        for template in templates(extraction, pipeline.codebook):
            assert template["incident_type"] in INCIDENT_TYPES
            for role in ROLES:
                for (mention,) in template[role]:
                    assert mention in record["doctext"]
                    found += 1
    assert found > 20


def test_a_clash_in_which_a_non_state_group_sabotages_property_is_an_attack():
    text = "rebels clashed with troops in the north and power lines were sabotaged."
    codebook = load_codebook()

    def clash(sentence: str) -> Incident:
        return Incident(id="inc-p", sub_event_type="Armed clash", evidence=[
            Evidence(field="perpetrators", article_id="a", start=0, end=6, text="rebels"),
            Evidence(field="event", article_id="a", start=0, end=len(sentence), text=sentence)])

    assert muc4_type(clash(text), codebook) == "attack"
    assert muc4_type(clash("rebels clashed with troops and six armored vehicles were destroyed."), codebook) is None
    assert muc4_type(clash("rebels clashed with troops in the north."), codebook) is None


def test_fighters_killed_in_combat_are_no_victims_of_an_attack():
    def clash(sentence: str) -> Incident:
        return Incident(id="inc-f", sub_event_type="Armed clash", victims=["pedro rojas"], evidence=[
            Evidence(field="perpetrators", article_id="a", start=0, end=4, text="fmln"),
            Evidence(field="event", article_id="a", start=0, end=len(sentence), text=sentence)])

    codebook = load_codebook()
    assert muc4_type(clash("pedro rojas was killed on 3 may while fighting in the eastern front."), codebook) is None
    assert muc4_type(clash("the fmln killed pedro rojas, a farmer, on 3 may."), codebook) == "attack"


def test_a_bombing_is_a_muc4_bombing_only_when_something_exploded():
    codebook = load_codebook()

    def typed_ied(sentence: str, weapons: tuple[str, ...] = ()) -> Incident:
        return Incident(id="inc-b", sub_event_type="Remote explosive/landmine/IED", victims=["ana rojas"],
                        weapons=list(weapons), evidence=[
                            Evidence(field="event", article_id="a", start=0, end=len(sentence), text=sentence)])

    talk = "soldiers shot ana rojas near the base where the bombs are stored."
    assert muc4_type(typed_ied(talk), codebook) == "attack"
    assert muc4_type(typed_ied("a car bomb exploded and killed ana rojas."), codebook) == "bombing"
    assert muc4_type(typed_ied("ana rojas was killed by the blast.", ), codebook) == "bombing"
    assert muc4_type(typed_ied(talk, weapons=("dynamite",)), codebook) == "bombing"


def test_an_attack_with_explosives_is_a_muc4_bombing():
    attack = Incident(id="inc-d", sub_event_type="Attack", targets=["power pylon"], weapons=["dynamite charges"])
    assert muc4_type(attack, load_codebook()) == "bombing"
    assert muc4_type(attack.model_copy(update={"weapons": ["rifles"]}), load_codebook()) == "attack"


def test_targets_set_on_fire_or_robbed_in_an_attack_are_an_arson_and_a_robbery_too():
    perpetrator = [Evidence(field="perpetrators", article_id="a", start=0, end=10, text="guerrillas")]
    incident = Incident(id="inc-s", sub_event_type="Attack", targets=["police post", "farm", "tank truck"],
                        evidence=perpetrator + _told("guerrillas attacked the police post.",
                                                     "they looted the farm.", "then they set the tank truck on fire."))
    out = {t["incident_type"]: t for t in templates(Extraction(incidents=[incident]))}
    assert sorted(out) == ["arson", "attack", "robbery"]
    assert out["attack"]["Target"] == [["police post"]]
    assert out["arson"]["Target"] == [["tank truck"]] and out["robbery"]["Target"] == [["farm"]]
    assert out["arson"]["PerpInd"] == out["robbery"]["PerpInd"] == [["guerrillas"]]


def test_a_person_shot_in_a_bombing_is_the_victim_of_an_attack_unless_the_blast_names_him_too():
    def bombing(*sentences: str) -> list[dict]:
        incident = Incident(id="inc-v", sub_event_type="Remote explosive/landmine/IED", targets=["pylon"],
                            victims=["jose arias"], weapons=["dynamite"], evidence=_told(*sentences))
        return templates(Extraction(incidents=[incident]))

    shot = bombing("rebels dynamited a pylon.", "later, gunmen shot jose arias outside his home.")
    assert [(t["incident_type"], t["Victim"]) for t in shot] == [("bombing", []), ("attack", [["jose arias"]])]
    blast = bombing("a blast at the pylon killed jose arias.", "jose arias was killed instantly.")
    assert [(t["incident_type"], t["Victim"]) for t in blast] == [("bombing", [["jose arias"]])]


def test_victims_first_named_in_later_sentences_are_templates_of_their_own():
    sentences = ("gunmen shot ana ruiz and her driver, luis vega, in cali.", "police said ana ruiz died at once.",
                 "on tuesday the same gunmen killed jose arias.")
    incident = Incident(id="inc-a", sub_event_type="Attack", victims=["ana ruiz", "luis vega", "jose arias"],
                        evidence=[Evidence(field="perpetrators", article_id="a", start=0, end=6, text="gunmen"),
                                  *_told(*sentences)])
    out = templates(Extraction(incidents=[incident]))
    assert [(t["incident_type"], t["Victim"], t["PerpInd"]) for t in out] == [
        ("attack", [["ana ruiz"], ["luis vega"]], [["gunmen"]]), ("attack", [["jose arias"]], [])]
