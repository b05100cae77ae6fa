"""Language identification (sitrep.nlp.language) and the pipeline skipping reports it cannot read yet."""

from __future__ import annotations

import datetime as dt

import pytest

from sitrep.nlp.language import english_share, language, unsupported
from sitrep.records import Article

# Wire reports written for these tests.
FOREIGN = {
    "fr": ("BAMAKO, 14 mars (Agence) - Au moins douze soldats maliens ont été tués et une vingtaine d'autres "
           "blessés mardi dans une attaque contre un poste militaire près de la frontière avec le Niger, a "
           "annoncé l'armée dans un communiqué. Les assaillants, arrivés à moto, ont incendié plusieurs "
           "véhicules avant de se replier vers le nord. L'attaque n'a pas encore été revendiquée."),
    "es": ("BOGOTÁ, 3 de mayo (Agencia) - Cinco policías murieron y otros siete resultaron heridos este "
           "domingo cuando un artefacto explosivo estalló al paso de una patrulla en una carretera rural del "
           "departamento del Cauca, informaron las autoridades. El ministro de Defensa atribuyó el ataque a "
           "disidentes de la antigua guerrilla y anunció una recompensa por información sobre los responsables."),
    "de": ("BERLIN, 2. Juni (Agentur) - Bei einem Bombenanschlag auf einen Markt in der nordirakischen Stadt "
           "Kirkuk sind am Freitag mindestens neun Menschen getötet und mehr als zwanzig verletzt worden, wie "
           "die Polizei mitteilte. Zu der Tat bekannte sich zunächst niemand. Die Sicherheitskräfte riegelten "
           "das Viertel ab und nahmen nach eigenen Angaben zwei Verdächtige fest."),
    "ar": ("بغداد (وكالة) - قتل ثمانية أشخاص على الأقل وأصيب خمسة عشر آخرون بجروح يوم الخميس في انفجار سيارة "
           "مفخخة استهدف سوقا شعبيا في شرق العاصمة العراقية، حسبما أفادت مصادر في الشرطة. ولم تعلن أي جهة "
           "مسؤوليتها عن الهجوم حتى الآن، فيما فرضت قوات الأمن طوقا حول المكان."),
    "ru": ("ДОНЕЦК, 5 апреля (Агентство) - Три мирных жителя погибли и ещё шестеро получили ранения в "
           "результате артиллерийского обстрела жилого квартала на окраине города в пятницу, сообщили местные "
           "власти. По их словам, снаряды попали в многоэтажный дом и здание школы, которое в этот момент "
           "пустовало."),
    "zh": ("新华社喀布尔5月12日电 阿富汗内政部发言人12日说，当天上午首都喀布尔西部一处清真寺附近发生自杀式炸弹袭击，"
           "造成至少十五人死亡、三十多人受伤。目前尚无任何组织宣称对此次袭击负责。安全部队已封锁现场，伤者被送往附近医院救治。"
           "这是本月以来喀布尔发生的第三起严重袭击事件，当地居民对安全局势表示担忧。"),
    "it": ("ROMA, 8 ottobre (Agenzia) - Almeno sei persone sono rimaste uccise e altre dieci ferite in un "
           "attacco armato contro un villaggio nel nord del paese, secondo quanto riferito dalle autorità "
           "locali. Gli aggressori hanno dato fuoco a diverse abitazioni prima di fuggire nella foresta."),
    "pt": ("MAPUTO, 21 de julho (Agência) - Pelo menos sete civis foram mortos e quatro ficaram feridos num "
           "ataque de insurgentes a uma aldeia no distrito de Macomia, na província de Cabo Delgado, segundo "
           "fontes locais. Os atacantes incendiaram casas e levaram mantimentos antes de fugir para o mato."),
    "nl": ("AMSTERDAM, 9 mei (Persbureau) - Bij een aanslag op een politiebureau in het noorden van het land "
           "zijn dinsdag zeker vier agenten om het leven gekomen en raakten zes omstanders gewond, meldt de "
           "politie. De daders vluchtten in een gestolen auto en worden nog altijd gezocht door de recherche."),
}

ENGLISH_HEADLINES = [
    "Two soldiers killed in Idlib air strike",
    "BOKO HARAM KILLS 12 IN BORNO VILLAGE RAID",
    "Gunmen abduct 40 in Zamfara",
    "Explosion hits Kirkuk market",
    "Cinco muertos en Cauca: police",  # a Spanish quote in an English headline
    "Bamako: attaque contre un poste, 12 soldats tués",  # short: too short to call anything but English
]
LOWER_CASE = ("san salvador, 12 jan 90 (radio cadena nacional) -- [text] the armed forces press committee "
              "reported today that urban guerrillas of the farabundo marti national liberation front attacked "
              "the home of colonel jose maria ramirez in the colonia escalon neighborhood of san salvador. two "
              "soldiers were killed and three civilians were wounded in the attack, which was carried out with "
              "rifles and grenades.")
FOREIGN_NAMES = ("On 12 March 2022, JNIM militants attacked FAB soldiers at Porga (Materi, Atacora) near the "
                 "Pendjari park. 2 soldiers killed. Sources: Banouto; La Nouvelle Tribune; Fraternité; "
                 "Matin Libre; 24 Heures au Bénin; Quotidien Le Matinal; ORTB; Bip Radio; Radio Tokpa. "
                 "Abdoulaye Ouédraogo, Koffi Houngbédji, Séraphin Dossou-Yovo, Chabi Yô Sabi Orou.")
COOKIE_WALL = ("We use cookies and similar technologies to recognize your repeat visits and preferences, to "
               "measure the effectiveness of campaigns, and improve our websites. For settings and more "
               "information about cookies, view our Cookie Policy. By clicking I accept on this banner or "
               "using our site, you consent to the use of cookies.")


@pytest.mark.parametrize("code", sorted(FOREIGN))
def test_foreign_wire_reports_are_identified(code):
    assert language(FOREIGN[code]) == code
    assert unsupported(FOREIGN[code]) == code
    assert english_share(FOREIGN[code]) < 0.04


@pytest.mark.parametrize("text", [*ENGLISH_HEADLINES, LOWER_CASE, LOWER_CASE.upper(), FOREIGN_NAMES, COOKIE_WALL,
                                  "", "   ", "12", "--- *** ---", "http://example.com/a/b?c=d"])
def test_english_is_never_judged_another_language(text):
    assert unsupported(text) is None
    assert language(text) in (None, "en")


def test_language_is_deterministic():
    text = FOREIGN["es"][:220]
    assert len({language(text) for _ in range(5)}) == 1


@pytest.mark.parametrize("code", ["fr", "es"])
def test_pipeline_skips_a_report_it_cannot_read(pipeline, code):
    article = Article.from_text(FOREIGN[code], published=dt.date(2022, 3, 15))
    extraction = pipeline.extract(article)
    assert extraction.skipped == f"language {code} is not supported yet"
    assert extraction.incidents == [] and extraction.problems == []
    [(_, batch)] = list(pipeline.extract_many([article]))
    assert batch.skipped == extraction.skipped


def test_extract_many_keeps_the_order_around_skipped_reports(pipeline):
    english = Article.from_text("Gunmen killed three villagers in Zamfara state on Sunday, police said.",
                                published=dt.date(2022, 3, 15))
    french = Article.from_text(FOREIGN["fr"], published=dt.date(2022, 3, 15))
    out = list(pipeline.extract_many([french, english, french]))
    assert [a.id for a, _ in out] == [french.id, english.id, french.id]
    assert [x.skipped is None for _, x in out] == [False, True, False]
    assert out[1][1].incidents


@pytest.mark.parametrize("text", [ENGLISH_HEADLINES[0], LOWER_CASE, FOREIGN_NAMES])
def test_pipeline_codes_english(pipeline, text):
    extraction = pipeline.extract(Article.from_text(text, published=dt.date(2022, 3, 15)))
    assert extraction.skipped is None
