"""The REST API on a real ledger, SQLite and PostgreSQL: filters, sorting, paging, detail views, stats, exports,
auth, errors, the OpenAPI schema, and ingesting a report through the pipeline."""

from __future__ import annotations

import csv
import io
import json

import pytest
from backends import BACKENDS, fresh_ledger_url
from fastapi.testclient import TestClient
from ledger_samples import LOCATED, TOTAL, XSS_ID, XSS_SCRIPT, build_sample_ledger

from sitrep.api import create_app
from sitrep.exports import ACLED_COLUMNS


@pytest.fixture(scope="module", params=BACKENDS)
def ledger(request, tmp_path_factory):
    ledger = build_sample_ledger(fresh_ledger_url(request, tmp_path_factory.mktemp("api")))
    yield ledger
    ledger.close()


@pytest.fixture(scope="module")
def client(ledger):
    with TestClient(create_app(ledger=ledger, write_token=None, read_token=None)) as c:
        yield c


def ids(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


# ------------------------------------------------------------------ /incidents


def test_list_all_newest_first_with_total(client):
    r = client.get("/incidents")
    body = r.json()
    assert body["total"] == TOTAL and body["limit"] == 50 and body["offset"] == 0
    got = [i["id"] for i in body["items"]]
    assert got[0] == "NGA-20260304-kano"
    assert got[-1] == "XX-unplaced"  # undated last
    assert body["items"][0]["location"]["country_code"] == "NG"


@pytest.mark.parametrize(
    "query, expected",
    [
        ("country=sy", {"SYR-20160523-jableh", "SYR-20160523-tartus"}),
        ("admin1=LATAKIA", {"SYR-20160523-jableh"}),
        ("since=2022-01-01&until=2024-12-31", {"UKR-20220301-kharkiv", "FJI-20230714-suva", XSS_ID}),
        ("event_type=Protests", {"NGA-20260304-kano"}),
        ("sub_event_type=Suicide%20bomb", {"SYR-20160523-jableh", "SYR-20160523-tartus"}),
        ("actor=islamic", {"SYR-20160523-jableh", "SYR-20160523-tartus"}),
        ("actor=RUSSIAN", {"UKR-20220301-kharkiv"}),
        ("min_killed=48", {"SYR-20160523-jableh", "SYR-20160523-tartus"}),
        ("bbox=35,34,37,36", {"SYR-20160523-jableh", "SYR-20160523-tartus"}),
        ("bbox=170,-30,-170,0", {"FJI-20230714-suva"}),  # across the antimeridian
        ("q=observatory", {"SYR-20160523-jableh", "SYR-20160523-tartus"}),  # report text
        ("q=tear%20gas", {"NGA-20260304-kano"}),
        ("q=100%25", set()),  # % is a literal, not a wildcard
        ("country=SY&min_killed=50", {"SYR-20160523-jableh"}),
    ],
)
def test_filters(client, query, expected):
    r = client.get("/incidents?" + query)
    assert set(ids(r)) == expected
    assert r.json()["total"] == len(expected)


def test_sort_by_killed_and_date(client):
    deadliest = ids(client.get("/incidents?sort=-killed"))
    assert deadliest[:3] == ["SYR-20160523-jableh", "SYR-20160523-tartus", "UKR-20220301-kharkiv"]
    assert deadliest[-1] == "NGA-20260304-kano"  # unknown toll last
    least = ids(client.get("/incidents?sort=killed&min_killed=0"))
    assert least[0] == "XX-unplaced" and least[-1] == "SYR-20160523-jableh"
    oldest = ids(client.get("/incidents?sort=date"))
    assert oldest[0] in {"SYR-20160523-jableh", "SYR-20160523-tartus"}
    assert oldest[-1] == "XX-unplaced"


def test_pagination(client):
    everything = ids(client.get("/incidents?limit=100"))
    pages = []
    for offset in range(0, TOTAL, 3):
        r = client.get(f"/incidents?limit=3&offset={offset}")
        assert r.json()["total"] == TOTAL
        pages += ids(r)
    assert pages == everything
    past = client.get("/incidents?offset=100").json()
    assert past["items"] == [] and past["total"] == TOTAL


@pytest.mark.parametrize(
    "query, words",
    [
        ("since=2016-13-01", ["since", "not a date", "YYYY-MM-DD"]),
        ("until=yesterday", ["until", "not a date"]),
        ("since=2020-01-02&until=2020-01-01", ["after"]),
        ("bbox=1,2,3", ["bbox", "not 4"]),
        ("bbox=a,b,c,d", ["bbox", "not four numbers"]),
        ("bbox=0,50,10,40", ["bbox", "minlat"]),
        ("bbox=0,-95,10,40", ["bbox", "latitudes"]),
        ("bbox=nan,0,1,1", ["bbox", "finite"]),
        ("sort=deadliest", ["sort", "-killed"]),
        ("limit=0", ["limit"]),
        ("limit=100000", ["limit"]),
        ("offset=-1", ["offset"]),
        ("min_killed=many", ["min_killed"]),
        ("offset=9223372036854775808", ["offset", "less than or equal"]),  # past a 64-bit integer
        ("offset=1000000001", ["offset", "1000000000"]),
        ("min_killed=99999999999999999999", ["min_killed", "less than or equal"]),
        ("min_killed=-9223372036854775809", ["min_killed"]),
    ],
)
def test_bad_parameters_are_400_with_a_message(client, query, words):
    r = client.get("/incidents?" + query)
    assert r.status_code == 400, r.text
    detail = r.json()["detail"]
    assert isinstance(detail, str)
    for word in words:
        assert word in detail


@pytest.mark.parametrize("path", ["/incidents", "/stats", "/export.csv", "/export.geojson"])
@pytest.mark.parametrize("query", ["min_killed=99999999999999999999", "min_killed=9223372036854775808",
                                   "min_killed=1000000001"])
def test_integers_past_their_bounds_are_400_everywhere(client, path, query):
    r = client.get(f"{path}?{query}")
    assert r.status_code == 400, r.text
    assert "min_killed" in r.json()["detail"]


def test_integers_at_their_bounds_are_answered(client):
    from sitrep.api.app import MAX_KILLED, MAX_OFFSET

    page = client.get(f"/incidents?offset={MAX_OFFSET}&min_killed={MAX_KILLED}")
    assert page.status_code == 200 and page.json()["items"] == [] and page.json()["total"] == 0
    assert client.get(f"/stats?min_killed={MAX_KILLED}").json()["incidents"] == 0
    assert client.get(f"/export.csv?min_killed={MAX_KILLED}").text == ",".join(ACLED_COLUMNS) + "\n"
    assert client.get(f"/export.geojson?min_killed={MAX_KILLED}").json()["features"] == []


def test_openapi_schema_shows_the_bounds(client):
    from sitrep.api.app import MAX_KILLED, MAX_OFFSET

    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/incidents", "/stats", "/export.csv", "/export.geojson"):
        params = {p["name"]: p["schema"] for p in paths[path]["get"]["parameters"]}
        killed = params["min_killed"]
        bounded = next(s for s in killed.get("anyOf", [killed]) if s.get("type") == "integer")
        assert bounded["minimum"] == 0 and bounded["maximum"] == MAX_KILLED, path
    incidents = {p["name"]: p["schema"] for p in paths["/incidents"]["get"]["parameters"]}
    assert incidents["offset"]["maximum"] == MAX_OFFSET and incidents["limit"]["maximum"] == 1000


# ------------------------------------------------------------------ /incidents/{id}, /articles/{id}


def test_incident_detail(client, ledger):
    r = client.get("/incidents/SYR-20160523-tartus")
    assert r.status_code == 200
    body = r.json()
    assert body["killed"] == {"low": 48, "best": 48, "high": 48}
    assert {(f["kind"], f["value"], f["reported_by"]) for f in body["figures"]} == {
        ("killed", 48, "the Observatory"), ("injured", 20, "the Observatory"),
    }
    assert body["evidence"][0]["field"] == "event"
    assert [r["title"] for r in body["reports"]] == ["Tartus toll"]
    assert "text" not in body["reports"][0]
    history = getattr(ledger, "history", None)  # empty while the ledger keeps no history
    expected = [h.model_dump(mode="json") if hasattr(h, "model_dump") else dict(h)
                for h in (history("SYR-20160523-tartus") if callable(history) else [])]
    assert body["history"] == json.loads(json.dumps(expected, default=str))
    related = {r["id"]: r for r in body["related_incidents"]}
    assert related["SYR-20160523-jableh"]["found"] is True
    assert related["SYR-20160523-jableh"]["location"] == "Jableh"
    assert related["SYR-20160523-jableh"]["killed"]["best"] == 100
    assert related["SYR-gone"] == {**related["SYR-gone"], "found": False}


def test_incident_history_comes_from_the_ledger_when_it_keeps_one(ledger):
    class WithHistory:
        def __init__(self, inner):
            self.inner = inner

        def __getattr__(self, name):
            return getattr(self.inner, name)

        def history(self, incident_id):
            return [{"at": "2016-05-24T00:00:00Z", "change": "killed 40 -> 48", "incident": incident_id}]

    with TestClient(create_app(ledger=WithHistory(ledger), write_token=None, read_token=None)) as c:
        body = c.get("/incidents/SYR-20160523-tartus").json()
    assert body["history"] == [
        {"at": "2016-05-24T00:00:00Z", "change": "killed 40 -> 48", "incident": "SYR-20160523-tartus"}
    ]


def test_unknown_ids_are_404(client):
    r = client.get("/incidents/nope")
    assert r.status_code == 404 and "nope" in r.json()["detail"]
    r = client.get("/articles/nope")
    assert r.status_code == 404 and "nope" in r.json()["detail"]


def test_article_text_and_spans(client):
    incident = client.get(f"/incidents/{XSS_ID}").json()
    article_id = incident["articles"][0]
    r = client.get(f"/articles/{article_id}")
    assert r.status_code == 200
    body = r.json()
    assert XSS_SCRIPT in body["text"]  # stored as written; the dashboard escapes it
    assert body["incidents"] == [XSS_ID]
    assert body["source"] == "<i>Sahel</i> Wire"
    for span in body["spans"]:
        assert body["text"][span["start"]:span["end"]] == span["text"]
    kinds = {(s["kind"], s["field"]) for s in body["spans"]}
    assert {("evidence", "event"), ("evidence", "detail"), ("figure", "killed")} <= kinds
    figure = next(s for s in body["spans"] if s["kind"] == "figure")
    assert figure["incident_id"] == XSS_ID and "officials" in figure["detail"]


# ------------------------------------------------------------------ /stats and exports


def test_stats(client):
    body = client.get("/stats").json()
    assert body["incidents"] == TOTAL
    assert body["killed"] == 100 + 48 + 10 + 1 + 2 + 3
    days = [d["date"] for d in body["by_day"]]
    assert days == sorted(days) and "2016-05-23" in days
    assert next(d for d in body["by_day"] if d["date"] == "2016-05-23") == {
        "date": "2016-05-23", "incidents": 2, "killed": 148,
    }
    types = {t["sub_event_type"]: t for t in body["by_sub_event_type"]}
    assert types["Suicide bomb"]["incidents"] == 2 and types["Suicide bomb"]["killed"] == 148
    countries = {c["country_code"]: c for c in body["by_country"]}
    assert countries["SY"]["country"] == "Syria" and countries["SY"]["killed"] == 148
    assert countries[None]["incidents"] == 1
    only_sy = client.get("/stats?country=SY").json()
    assert only_sy["incidents"] == 2 and [c["country_code"] for c in only_sy["by_country"]] == ["SY"]
    assert client.get("/stats?since=bad").status_code == 400


def test_export_csv_has_acled_columns_in_order(client):
    r = client.get("/export.csv?country=SY&sort=-killed")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    reader = csv.reader(io.StringIO(r.text))
    header = next(reader)
    assert header == ACLED_COLUMNS
    assert header[:7] == ["event_id_cnty", "event_date", "year", "time_precision", "disorder_type",
                          "event_type", "sub_event_type"]
    rows = [dict(zip(header, row)) for row in reader]
    assert [row["event_id_cnty"] for row in rows] == ["SYR-20160523-jableh", "SYR-20160523-tartus"]
    jableh = rows[0]
    assert jableh["event_date"] == "2016-05-23" and jableh["year"] == "2016"
    assert jableh["disorder_type"] == "Political violence"
    assert jableh["actor1"] == "Islamic State"
    assert jableh["iso"] == "760" and jableh["country"] == "Syria"
    assert jableh["admin1"] == "Latakia" and jableh["location"] == "Jableh"
    assert float(jableh["latitude"]) == pytest.approx(35.3615)
    assert jableh["fatalities"] == "100"
    assert jableh["source"] == "Reuters; Syrian Observatory"


def test_export_geojson(client):
    r = client.get("/export.geojson")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/geo+json")
    body = r.json()
    assert body["type"] == "FeatureCollection"
    assert len(body["features"]) == LOCATED  # the unplaced incident has no point
    suva = next(f for f in body["features"] if f["id"] == "FJI-20230714-suva")
    assert suva["geometry"] == {"type": "Point", "coordinates": [178.4415, -18.1416]}
    filtered = client.get("/export.geojson?event_type=Protests").json()
    assert [f["id"] for f in filtered["features"]] == ["NGA-20260304-kano"]


# ------------------------------------------------------------------ schema, headers, dashboard


def test_openapi_schema(client):
    r = client.get("/openapi.json")
    assert r.status_code == 200
    schema = r.json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in ("/incidents", "/incidents/{incident_id}", "/articles/{article_id}", "/stats",
                 "/export.csv", "/export.geojson", "/articles"):
        assert path in paths, path
    params = {p["name"] for p in paths["/incidents"]["get"]["parameters"]}
    assert {"bbox", "country", "admin1", "since", "until", "event_type", "sub_event_type", "actor",
            "min_killed", "q", "sort", "limit", "offset"} <= params
    assert "400" in paths["/incidents"]["get"]["responses"]
    assert "422" not in paths["/incidents"]["get"]["responses"]  # we answer 400
    assert "404" in paths["/incidents/{incident_id}"]["get"]["responses"]
    post = paths["/articles"]["post"]
    assert {"201", "200", "401", "403"} <= set(post["responses"])
    assert post["security"] and "HTTPBearer" in schema["components"]["securitySchemes"]
    components = schema["components"]["schemas"]
    assert {"IncidentPage", "IncidentDetail", "ArticleDetail", "Stats", "ArticleIn", "IngestResult"} <= set(components)
    assert "total" in components["IncidentPage"]["properties"]
    json.dumps(schema)  # serialisable as a whole


def test_dashboard_is_served_with_a_strict_content_security_policy(client):
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert 'id="map"' in r.text
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert client.get("/static/app.js").status_code == 200
    assert client.get("/docs").status_code == 404  # Swagger UI would load from a CDN


def test_dashboard_script_never_writes_markup():
    from sitrep.api.app import STATIC_DIR

    source = (STATIC_DIR / "app.js").read_text()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in source, sink
    assert "textContent" in source


# ------------------------------------------------------------------ auth


def test_writes_refused_without_a_configured_token(client):
    r = client.post("/articles", json={"text": "A bomb exploded."})
    assert r.status_code == 403
    assert "SITREP_TOKEN" in r.json()["detail"]


def test_write_token_required(ledger):
    app = create_app(ledger=ledger, write_token="s3cret", read_token=None,
                     pipeline_factory=lambda: pytest.fail("no report should be coded"))
    with TestClient(app) as c:
        r = c.post("/articles", json={"text": "A bomb exploded."})
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
        r = c.post("/articles", json={"text": "A bomb exploded."}, headers={"Authorization": "Bearer nope"})
        assert r.status_code == 401
        r = c.post("/articles", json={"title": "no text"}, headers={"Authorization": "Bearer s3cret"})
        assert r.status_code == 400 and "text" in r.json()["detail"]
        r = c.post("/articles", json={"text": "x", "published": "someday"}, headers={"Authorization": "Bearer s3cret"})
        assert r.status_code == 400 and "published" in r.json()["detail"]
        assert c.get("/incidents").status_code == 200  # reads stay open


def test_tokens_from_the_environment(ledger, monkeypatch):
    monkeypatch.setenv("SITREP_TOKEN", "w")
    monkeypatch.setenv("SITREP_READ_TOKEN", "r")
    with TestClient(create_app(ledger=ledger)) as c:
        r = c.get("/incidents")
        assert r.status_code == 401 and "SITREP_READ_TOKEN" in r.json()["detail"]
        assert c.get("/incidents", headers={"Authorization": "Bearer r"}).status_code == 200
        assert c.get("/stats", headers={"Authorization": "Bearer w"}).status_code == 200
        assert c.get("/export.csv", headers={"Authorization": "Bearer x"}).status_code == 401
        assert c.get("/").status_code == 200  # the page itself holds no data
        r = c.post("/articles", json={"text": "x"}, headers={"Authorization": "Bearer r"})
        assert r.status_code == 401  # the read token cannot write


# ------------------------------------------------------------------ POST /articles through the pipeline

REPORT = (
    "MOGADISHU, March 5 (Reuters) - A car bomb exploded at a checkpoint in Mogadishu on Tuesday, "
    "killing at least 12 people and wounding 20 others, police said. "
    "Al Shabaab claimed responsibility for the attack."
)


def test_post_article_codes_and_stores_it_once(tmp_path, pipeline):
    from sitrep.store.ledger import Ledger

    loads = []

    def factory():
        loads.append(1)
        return pipeline

    ledger = Ledger(str(tmp_path / "post.db"))
    app = create_app(ledger=ledger, write_token="s3cret", read_token=None, pipeline_factory=factory)
    auth = {"Authorization": "Bearer s3cret"}
    with TestClient(app) as c:
        assert c.get("/incidents").json()["total"] == 0
        assert loads == []  # reads never load the pipeline
        body = {"text": REPORT, "title": "Car bomb in Mogadishu", "source": "Reuters", "published": "2024-03-05"}
        r = c.post("/articles", json=body, headers=auth)
        assert r.status_code == 201, r.text
        created = r.json()
        assert created["stored"] is True
        assert created["incidents"], "the pipeline found no incident in a plain car-bomb report"
        incident = created["incidents"][0]
        assert incident["articles"] == [created["article_id"]]
        assert c.get(f"/incidents/{incident['id']}").status_code == 200
        article = c.get(f"/articles/{created['article_id']}").json()
        assert article["text"] == REPORT and article["title"] == "Car bomb in Mogadishu"
        assert c.get("/incidents").json()["total"] == len(created["incidents"])

        again = c.post("/articles", json=body, headers=auth)
        assert again.status_code == 200
        assert again.json()["stored"] is False
        assert {i["id"] for i in again.json()["incidents"]} == {i["id"] for i in created["incidents"]}

        other = c.post("/articles", json={"text": "Nothing happened in Tartus today."}, headers=auth)
        assert other.status_code == 201
    assert loads == [1]  # loaded once, lazily
    ledger.close()
