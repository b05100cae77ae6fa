// sitrep dashboard: map, timeline, table and incident view over the REST API.
// Every piece of data (report text, names, places) is untrusted: it reaches the page only
// through textContent, attribute properties or DOM nodes, never as markup.
"use strict";

(function () {
  const PAGE = 50;
  const COLOURS = {
    "Battles": "#c0392b",
    "Explosions/Remote violence": "#e67e22",
    "Violence against civilians": "#8e44ad",
    "Protests": "#27ae60",
    "Riots": "#795548",
    "Strategic developments": "#2e86c1",
  };
  const UNKNOWN_COLOUR = "#7f8c8d";
  const state = { filters: {}, sort: "-date", offset: 0, total: 0, selected: null };
  const byId = (id) => document.getElementById(id);

  // ------------------------------------------------------------------ DOM helpers

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "text") node.textContent = String(value);
      else if (key === "class") node.className = value;
      else if (key === "dataset") Object.assign(node.dataset, value);
      else if (key === "style") Object.assign(node.style, value);
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function svg(tag, attrs, ...children) {
    const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
    for (const child of children) node.append(child);
    return node;
  }

  function message(text) {
    const box = byId("message");
    box.textContent = text || "";
    box.hidden = !text;
  }

  // ------------------------------------------------------------------ API

  function token() {
    try { return sessionStorage.getItem("sitrep-token"); } catch (e) { return null; }
  }

  async function api(path, retried) {
    const headers = {};
    const t = token();
    if (t) headers.Authorization = "Bearer " + t;
    const response = await fetch(path, { headers });
    if (response.status === 401 && !retried) {
      const given = window.prompt("This ledger needs a read token (SITREP_READ_TOKEN):");
      if (given) {
        try { sessionStorage.setItem("sitrep-token", given); } catch (e) { /* private mode */ }
        return api(path, true);
      }
    }
    if (!response.ok) {
      let detail = response.statusText;
      try { detail = (await response.json()).detail || detail; } catch (e) { /* not JSON */ }
      const error = new Error(String(detail));
      error.status = response.status;
      throw error;
    }
    return response.json();
  }

  function query(extra) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries({ ...state.filters, ...(extra || {}) })) {
      if (value !== undefined && value !== null && value !== "") params.set(key, value);
    }
    const text = params.toString();
    return text ? "?" + text : "";
  }

  // ------------------------------------------------------------------ formatting

  const fmtRange = (r) => (r ? (r.low === r.high ? String(r.best) : `${r.best} (${r.low}–${r.high})`) : "—");
  const colour = (eventType) => COLOURS[eventType] || UNKNOWN_COLOUR;
  const place = (loc) => (loc ? [loc.name, loc.admin1, loc.country_code].filter(Boolean).join(", ") : "—");
  const isoDay = (t) => new Date(t).toISOString().slice(0, 10);

  // The days a date of this precision stands for: its week (Monday to Sunday), month or year.
  function dateRange(d, precision) {
    const t = Date.parse(d + "T00:00:00Z");
    if (Number.isNaN(t)) return [d, d];
    const day = new Date(t);
    if (precision === "week") {
      const monday = t - ((day.getUTCDay() + 6) % 7) * 86400000;
      return [isoDay(monday), isoDay(monday + 6 * 86400000)];
    }
    if (precision === "month") {
      return [isoDay(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), 1)), isoDay(Date.UTC(day.getUTCFullYear(), day.getUTCMonth() + 1, 0))];
    }
    if (precision === "year") return [`${d.slice(0, 4)}-01-01`, `${d.slice(0, 4)}-12-31`];
    return [d, d];
  }

  // "2016-05-23", or for a week- or month-precise date the range it stands for: "2016-05-16 – 2016-05-22 (week)".
  function dateText(d, precision) {
    if (!d) return "undated";
    const [first, last] = dateRange(d, precision);
    return first === last ? first : `${first} – ${last} (${precision})`;
  }

  // GeoJSON properties are flat (killed_low, killed_best, killed_high; location, admin1, country_code).
  const flatRange = (p, kind) => (p[kind + "_best"] === null || p[kind + "_best"] === undefined ? null
    : { low: p[kind + "_low"], best: p[kind + "_best"], high: p[kind + "_high"] });
  const flatPlace = (p) => [p.location, p.admin1, p.country_code].filter(Boolean).join(", ") || "—";

  // ------------------------------------------------------------------ map

  let map = null;
  let cluster = null;
  const markers = new Map();

  function markerSize(killed) {
    const n = killed || 0;
    return Math.round(Math.min(46, 12 + 5 * Math.sqrt(n)));
  }

  function markerIcon(props, selected) {
    const size = markerSize(props.killed_best);
    const dot = el("div", {
      class: "inc-marker" + (selected ? " selected" : ""),
      dataset: { id: props.id, eventType: props.event_type || "" },
      style: { width: size + "px", height: size + "px", background: colour(props.event_type) },
    });
    return L.divIcon({ html: dot, className: "inc-icon", iconSize: [size, size] });
  }

  function clusterIcon(group) {
    const children = group.getAllChildMarkers();
    const killed = children.reduce((sum, m) => sum + (m.options.incident.killed_best || 0), 0);
    const n = group.getChildCount();
    const size = Math.round(Math.min(56, 26 + 4 * Math.sqrt(n) + 2 * Math.sqrt(killed)));
    const node = el("div", { class: "cluster", dataset: { count: n }, style: { width: size + "px", height: size + "px" } },
      el("span", { text: n }));
    return L.divIcon({ html: node, className: "cluster-icon", iconSize: [size, size] });
  }

  function tooltip(props) {
    return el("div", { class: "tip" },
      el("strong", { text: props.sub_event_type || props.event_type || "Incident" }),
      el("div", { text: `${dateText(props.date, props.date_precision)} · ${flatPlace(props)}` }),
      el("div", { text: `killed ${fmtRange(flatRange(props, "killed"))} · injured ${fmtRange(flatRange(props, "injured"))}` }));
  }

  function unwrapRing(ring) {
    let previous = null;
    return ring.map(([lon, lat]) => {
      if (previous !== null) {
        while (lon - previous > 180) lon -= 360;
        while (lon - previous < -180) lon += 360;
      }
      previous = lon;
      return [lon, lat];
    });
  }

  function unwrapFeature(feature) {
    const g = feature.geometry;
    if (g && g.type === "Polygon") g.coordinates = g.coordinates.map(unwrapRing);
    else if (g && g.type === "MultiPolygon") g.coordinates = g.coordinates.map((p) => p.map(unwrapRing));
    return feature;
  }

  async function initMap() {
    if (!window.L || !L.markerClusterGroup || !window.topojson) {
      message("The map libraries are missing: run `make vendor` (npm ci) and reload. The table still works.");
      byId("map").classList.add("unavailable");
      return;
    }
    map = L.map("map", { worldCopyJump: true, minZoom: 1, maxZoom: 12, zoomSnap: 0.5, attributionControl: true })
      .setView([20, 15], 2);
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("Outlines: Natural Earth (world-atlas)");
    try {
      const topo = await (await fetch("/static/vendor/world-atlas/countries-50m.json")).json();
      const countries = topojson.feature(topo, topo.objects.countries);
      // No incidents in Antarctica; rings crossing the antimeridian are unwrapped so that they
      // do not draw lines across the whole map.
      countries.features = countries.features.filter((f) => f.id !== "010").map(unwrapFeature);
      L.geoJSON(countries, {
        interactive: false,
        style: { color: "#8a8f98", weight: 0.7, fillColor: "#f4f1ea", fillOpacity: 1 },
      }).addTo(map);
      byId("map").dataset.outlines = String(countries.features.length);
    } catch (e) {
      message("Country outlines could not be loaded: " + e.message);
    }
    cluster = L.markerClusterGroup({
      maxClusterRadius: 36, showCoverageOnHover: false, iconCreateFunction: clusterIcon,
      spiderfyOnMaxZoom: true, animate: false,
    }).addTo(map);
    const legend = L.control({ position: "bottomleft" });
    legend.onAdd = () => el("div", { class: "legend" },
      Object.entries(COLOURS).map(([name, c]) => el("div", {},
        el("span", { class: "swatch", style: { background: c } }), name)),
      el("div", { class: "legend-note", text: "Size: fatalities (best figure)" }));
    legend.addTo(map);
  }

  async function loadMap() {
    if (!cluster) return;
    const collection = await api("/export.geojson" + query());
    cluster.clearLayers();
    markers.clear();
    const layers = [];
    for (const feature of collection.features) {
      const [lon, lat] = feature.geometry.coordinates;
      const props = feature.properties;
      const marker = L.marker([lat, lon], {
        icon: markerIcon(props, props.id === state.selected), incident: props, keyboard: true,
        title: "", riseOnHover: true,
      });
      marker.bindTooltip(tooltip(props), { direction: "top", offset: [0, -8] });
      marker.on("click", () => { location.hash = "#incident/" + encodeURIComponent(props.id); });
      markers.set(props.id, marker);
      layers.push(marker);
    }
    cluster.addLayers(layers);
    byId("map").dataset.markers = String(layers.length);
    if (layers.length) {
      const bounds = L.latLngBounds(layers.map((m) => m.getLatLng()));
      map.fitBounds(bounds.pad(0.25), { maxZoom: 6 });
    }
  }

  function highlightMarker(id) {
    for (const [key, marker] of markers) {
      const selected = key === id;
      if (selected || marker.options.icon.options.html.classList.contains("selected")) {
        marker.setIcon(markerIcon(marker.options.incident, selected));
      }
    }
    const marker = id && markers.get(id);
    if (marker && map) {
      // Centre on it; where incidents share a place, open their cluster instead of zooming in for ever.
      map.setView(marker.getLatLng(), Math.max(map.getZoom(), 5), { animate: false });
      setTimeout(() => {
        const parent = cluster.getVisibleParent(marker);
        if (!parent || parent === marker || !parent.getAllChildMarkers) return;
        const here = marker.getLatLng();
        const together = parent.getAllChildMarkers().every((m) => m.getLatLng().distanceTo(here) < 2000);
        if (together) parent.spiderfy();
        else cluster.zoomToShowLayer(marker, () => {});
      }, 60);
    }
  }

  // ------------------------------------------------------------------ timeline

  // Days grouped by week (Monday to Sunday) or month: [{first, last, incidents, killed}], in date order.
  function grouped(days, unit) {
    const out = new Map();
    for (const d of days) {
      let first = d.date;
      let last = d.date;
      if (unit === "week") [first, last] = dateRange(d.date, "week");
      else if (unit === "month") [first, last] = dateRange(d.date, "month");
      const bucket = out.get(first) || { first, last, incidents: 0, killed: 0 };
      bucket.incidents += d.incidents;
      bucket.killed += d.killed;
      out.set(first, bucket);
    }
    return [...out.values()];
  }

  // Days for up to two months of data, weeks for up to two years, months beyond (unless chosen).
  function timelineUnit(days) {
    const chosen = byId("granularity").value;
    if (chosen !== "auto") return chosen;
    const span = (Date.parse(days[days.length - 1].date) - Date.parse(days[0].date)) / 86400000 + 1;
    return span <= 62 ? "day" : span <= 731 ? "week" : "month";
  }

  function drawTimeline(stats) {
    const box = byId("timeline");
    box.replaceChildren();
    state.stats = stats;
    byId("totals").textContent = `· ${stats.incidents} incidents, ${stats.killed} killed`;
    drawBreakdown(stats);
    const days = stats.by_day;
    if (!days.length) {
      byId("timeline-unit").textContent = "day";
      box.append(el("p", { class: "empty", text: "No dated incidents for these filters." }));
      return;
    }
    const unit = timelineUnit(days);
    byId("timeline-unit").textContent = unit;
    box.dataset.unit = unit;
    const buckets = grouped(days, unit);
    const width = Math.max(300, box.clientWidth || 600);
    const height = 130;
    const pad = { left: 30, right: 34, top: 8, bottom: 22 };
    const day = (d) => Date.parse(d + "T00:00:00Z") / 86400000;
    const first = day(buckets[0].first);
    const last = day(buckets[buckets.length - 1].last);
    const span = Math.max(1, last - first + 1);
    const x = (d) => pad.left + ((day(d) - first) / span) * (width - pad.left - pad.right);
    const mid = (b) => (x(b.first) + x(b.last) + (width - pad.left - pad.right) / span) / 2;
    const maxN = Math.max(...buckets.map((b) => b.incidents), 1);
    const maxK = Math.max(...buckets.map((b) => b.killed), 1);
    const yN = (n) => height - pad.bottom - (n / maxN) * (height - pad.top - pad.bottom);
    const yK = (k) => height - pad.bottom - (k / maxK) * (height - pad.top - pad.bottom);
    const per = { day: 1, week: 7, month: 30.4 }[unit];
    const barWidth = Math.max(3, Math.min(40, (width - pad.left - pad.right) / (span / per) * 0.8));
    const root = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": `Incidents and fatalities per ${unit}` });
    root.append(svg("line", { x1: pad.left, x2: width - pad.right, y1: height - pad.bottom, y2: height - pad.bottom, class: "axis" }));
    const label = (b) => (b.first === b.last ? b.first : `${b.first} – ${b.last}`);
    for (const b of buckets) {
      const bar = svg("rect", {
        x: mid(b) - barWidth / 2, y: yN(b.incidents), width: barWidth,
        height: height - pad.bottom - yN(b.incidents), class: "bar", "data-date": b.first, "data-last": b.last,
      });
      const title = svg("title");
      title.textContent = `${label(b)}: ${b.incidents} incident(s), ${b.killed} killed — click to show this ${unit}`;
      bar.append(title);
      bar.addEventListener("click", () => setFilters({ since: b.first, until: b.last }));
      root.append(bar);
    }
    const points = buckets.map((b) => `${mid(b)},${yK(b.killed)}`).join(" ");
    root.append(svg("polyline", { points, class: "killed-line" }));
    for (const b of buckets) {
      const dot = svg("circle", { cx: mid(b), cy: yK(b.killed), r: 2.5, class: "killed-dot" });
      const title = svg("title");
      title.textContent = `${label(b)}: ${b.killed} killed`;
      dot.append(title);
      root.append(dot);
    }
    const text = (value, attrs) => { const t = svg("text", attrs); t.textContent = value; return t; };
    root.append(text(buckets[0].first, { x: pad.left, y: height - 6, class: "tick" }));
    if (buckets.length > 1) root.append(text(buckets[buckets.length - 1].last, { x: width - pad.right, y: height - 6, class: "tick", "text-anchor": "end" }));
    root.append(text(String(maxN), { x: pad.left - 4, y: pad.top + 8, class: "tick", "text-anchor": "end" }));
    root.append(text(String(maxK), { x: width - pad.right + 4, y: pad.top + 8, class: "tick killed" }));
    box.append(root);
  }

  // ------------------------------------------------------------------ by region, by actor

  // The incidents of the current filter by first-level region and by perpetrator; each a filter.
  function drawBreakdown(stats) {
    const list = (items, label, apply, testid) => el("ol", { class: "breakdown-list", "data-testid": testid },
      items.length ? items.slice(0, 8).map((item) => el("li", {},
        el("button", { type: "button", class: "chip", onclick: () => apply(item), title: "Show only these incidents" },
          el("span", { class: "chip-name", text: label(item) }),
          el("span", { class: "chip-count", text: `${item.incidents} · ${item.killed} killed` }))))
        : [el("li", { class: "empty", text: "none" })]);
    const regions = (stats.by_admin1 || []).filter((r) => r.admin1);
    const actors = stats.by_actor || [];
    byId("breakdown").replaceChildren(
      el("div", {}, el("div", { class: "box-title", text: "By region" }),
        list(regions, (r) => `${r.admin1}${r.country_code ? " (" + r.country_code + ")" : ""}`,
          (r) => setFilters({ admin1: r.admin1, country: r.country_code || "" }), "by-region")),
      el("div", {}, el("div", { class: "box-title", text: "By actor" }),
        list(actors, (a) => a.actor, (a) => setFilters({ actor: a.actor }), "by-actor")));
  }

  // ------------------------------------------------------------------ table

  async function loadTable() {
    const page = await api("/incidents" + query({ sort: state.sort, limit: PAGE, offset: state.offset }));
    state.total = page.total;
    const rows = page.items.map((inc) => el("tr", {
      dataset: { id: inc.id }, tabindex: 0, class: inc.id === state.selected ? "selected" : "",
      onclick: () => { location.hash = "#incident/" + encodeURIComponent(inc.id); },
      onkeydown: (e) => { if (e.key === "Enter") location.hash = "#incident/" + encodeURIComponent(inc.id); },
    },
    el("td", { text: dateText(inc.date, inc.date_precision) }),
    el("td", {}, el("span", { class: "swatch", style: { background: colour(inc.event_type) } }), inc.sub_event_type || inc.event_type || "—"),
    el("td", { text: place(inc.location) }),
    el("td", { class: "num", text: fmtRange(inc.killed) }),
    el("td", { class: "num", text: fmtRange(inc.injured) }),
    el("td", { text: inc.perpetrators.map((a) => a.name).join(", ") || "—" }),
    el("td", { class: "num", text: inc.articles.length })));
    byId("table").tBodies[0].replaceChildren(...rows);
    if (!rows.length) byId("table").tBodies[0].append(el("tr", {}, el("td", { colspan: 7, class: "empty", text: "No incidents match these filters." })));
    byId("count").textContent = `${page.total} incident${page.total === 1 ? "" : "s"}`;
    const end = Math.min(page.total, state.offset + page.items.length);
    byId("page").textContent = page.total ? `${state.offset + 1}–${end} of ${page.total}` : "";
    byId("prev").disabled = state.offset === 0;
    byId("next").disabled = end >= page.total;
    for (const th of document.querySelectorAll("th[data-sort]")) {
      const key = th.dataset.sort;
      th.dataset.active = state.sort.replace("-", "") === key ? (state.sort.startsWith("-") ? "desc" : "asc") : "";
    }
  }

  // ------------------------------------------------------------------ incident view

  function field(label, value) {
    if (value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length)) return null;
    return [el("dt", { text: label }), el("dd", {}, value)];
  }

  function rangeText(r) {
    return r ? `low ${r.low} · best ${r.best} · high ${r.high}` : "unknown";
  }

  // The article text with spans marked: segments between span boundaries become text nodes,
  // or <mark> elements when spans cover them. Only textContent carries the article's words.
  function highlighted(text, spans) {
    const cuts = new Set([0, text.length]);
    for (const s of spans) { cuts.add(s.start); cuts.add(s.end); }
    const points = [...cuts].filter((p) => p >= 0 && p <= text.length).sort((a, b) => a - b);
    const out = el("div", { class: "report-text" });
    for (let i = 0; i < points.length - 1; i++) {
      const [a, b] = [points[i], points[i + 1]];
      const piece = text.slice(a, b);
      const covering = spans.filter((s) => s.start <= a && s.end >= b && s.end > s.start);
      if (!covering.length) { out.append(document.createTextNode(piece)); continue; }
      const kinds = new Set(covering.map((s) => s.kind));
      const labels = covering.map((s) => (s.kind === "excluded" ? `excluded (${s.field})` : s.kind === "figure" ? `figure: ${s.detail || s.field}` : `evidence: ${s.field}`));
      const [, before, core, after] = piece.match(/^(\s*)([\s\S]*?)(\s*)$/);
      if (before) out.append(document.createTextNode(before));
      if (core) {
        out.append(el("mark", {
          class: [...kinds].map((k) => "span-" + k).join(" "),
          title: [...new Set(labels)].join("\n"), text: core,
        }));
      }
      if (after) out.append(document.createTextNode(after));
    }
    return out;
  }

  function safeLink(url, text) {
    if (typeof url === "string" && /^https?:\/\//i.test(url)) {
      return el("a", { href: url, target: "_blank", rel: "noopener noreferrer", text: text || url });
    }
    return text ? document.createTextNode(text) : null;
  }

  // A recorded value as people read it: a toll "100 (48–148)", a place "Jableh, Latakia, SY", actors
  // "Islamic State (claimed)", lists joined; never raw JSON.
  function valueText(v) {
    if (v === null || v === undefined || v === "") return "—";
    if (Array.isArray(v)) return v.length ? v.map(valueText).join(", ") : "none";
    if (typeof v === "object") {
      if ("best" in v) return fmtRange(v);
      if ("name" in v && "basis" in v) return `${v.name} (${v.basis})`;
      if ("name" in v) return place(v);
      return Object.entries(v).map(([k, x]) => `${k.replace(/_/g, " ")} ${valueText(x)}`).join(", ");
    }
    return String(v);
  }

  const ACTIONS = { create: "created", report: "a new report", link: "linked", edit: "edited", merge: "merged",
                    split: "split", release: "released" };

  // One change to the incident: when, who, field: old → new ("2026-01-19 14:02 · ana (edited) · killed: 100 → 120 · checked").
  function historyLine(h) {
    if (!("action" in h)) {
      return el("li", { text: Object.entries(h).map(([k, v]) => `${k}: ${valueText(v)}`).join(" · ") });
    }
    const when = h.at ? String(h.at).replace("T", " ").slice(0, 16) + " UTC" : "";
    const who = h.by || (h.article_id ? `report ${h.article_id}` : "sitrep");
    const what = ACTIONS[h.action] || h.action;
    const change = !h.field || h.field === "*"
      ? el("span", { class: "change", text: h.action === "create" ? "incident recorded" : what })
      : el("span", { class: "change" }, el("strong", { text: h.field.replace(/_/g, " ") }), `: ${valueText(h.old)} → ${valueText(h.new)}`);
    return el("li", { dataset: { action: h.action } },
      el("span", { class: "when", text: when }), " · ", el("span", { class: "who", text: `${who} (${what})` }), " · ", change,
      h.note ? el("span", { class: "note", text: ` · ${h.note}` }) : null);
  }

  async function showIncident(id) {
    state.selected = id;
    const view = byId("incident-view");
    byId("list-view").hidden = true;
    view.hidden = false;
    view.replaceChildren(el("p", { class: "loading", text: "Loading incident…" }));
    let inc;
    try {
      inc = await api("/incidents/" + encodeURIComponent(id));
    } catch (e) {
      view.replaceChildren(el("a", { href: "#", class: "back", text: "← All incidents" }),
        el("p", { class: "error", text: e.status === 404 ? `No incident ${id} in the ledger.` : `Could not load ${id}: ${e.message}` }));
      return;
    }
    highlightMarker(id);
    const loc = inc.location;
    const where = loc ? [loc.name, loc.admin2, loc.admin1, loc.country_code].filter(Boolean).join(", ") : null;
    const coords = loc && loc.lat !== null && loc.lon !== null ? `${loc.lat.toFixed(4)}, ${loc.lon.toFixed(4)}` + (loc.precision ? ` (${loc.precision})` : "") : null;
    const details = el("dl", { class: "fields" },
      field("Type", [inc.event_type, inc.sub_event_type].filter(Boolean).join(" / ") || null),
      field("Date", dateText(inc.date, inc.date_precision)),
      field("Place", where),
      field("Coordinates", coords),
      field("Perpetrators", inc.perpetrators.map((a) => `${a.name} (${a.basis})`).join(", ")),
      field("Claimed by", inc.claimed_by),
      field("Killed", rangeText(inc.killed)),
      field("Injured", rangeText(inc.injured)),
      field("Targets", inc.targets.join(", ")),
      field("Victims", inc.victims.join(", ")),
      field("Weapons", inc.weapons.join(", ")),
      field("Sources", inc.sources.join(", ")));

    const figures = el("table", { class: "figures", "data-testid": "figures" },
      el("thead", {}, el("tr", {}, ["Kind", "Value", "Qualifier", "Scope", "Reported by", "Quote"].map((h) => el("th", { text: h })))),
      el("tbody", {}, inc.figures.map((f) => el("tr", {},
        el("td", { text: f.kind }), el("td", { class: "num", text: f.high == null ? f.value : `${f.value}–${f.high}` }),
        el("td", { text: f.qualifier }),
        el("td", { text: f.scope || "" }), el("td", { text: f.reported_by || "unattributed" }),
        el("td", { class: "quote", text: f.quote })))));

    const related = inc.related_incidents.length ? el("section", { class: "related", "data-testid": "related" },
      el("h3", { text: "Related incidents" }),
      el("ul", {}, inc.related_incidents.map((r) => el("li", {},
        r.found
          ? el("a", { href: "#incident/" + encodeURIComponent(r.id), text: `${r.sub_event_type || r.event_type || "Incident"} · ${r.date || "undated"} · ${r.location || "place unknown"} · killed ${fmtRange(r.killed)}` })
          : el("span", { text: `${r.id} (not in the ledger)` }))))) : null;

    const history = inc.history.length ? el("section", { class: "history" },
      el("h3", { text: "History" }),
      el("ul", {}, inc.history.map(historyLine))) : null;

    const reports = el("section", { class: "reports" }, el("h3", { text: `Reports (${inc.reports.length})` }));
    view.replaceChildren(
      el("a", { href: "#", class: "back", "data-testid": "back", text: "← All incidents" }),
      el("h2", {}, el("span", { class: "swatch", style: { background: colour(inc.event_type) } }),
        `${inc.sub_event_type || inc.event_type || "Incident"} — ${loc ? loc.name : "place unknown"}`),
      el("div", { class: "incident-id", text: inc.id }),
      details,
      el("h3", { text: `Reported figures (${inc.figures.length})` }),
      inc.figures.length ? figures : el("p", { class: "empty", text: "No figures reported." }),
      ...[related, history, reports].filter(Boolean));

    for (const meta of inc.reports) {
      const box = el("div", { class: "report", dataset: { article: meta.id } },
        el("h4", { text: meta.title || "Untitled report" }),
        el("div", { class: "report-meta" },
          [meta.source, meta.published, meta.feed_item_id ? `feed item ${meta.feed_item_id}` : null].filter(Boolean).join(" · "), " ",
          safeLink(meta.url, "original")),
        el("p", { class: "loading", text: "Loading text…" }));
      reports.append(box);
      try {
        const article = await api("/articles/" + encodeURIComponent(meta.id));
        const spans = article.spans.filter((s) => s.incident_id === inc.id || s.kind === "excluded");
        box.lastChild.replaceWith(highlighted(article.text, spans));
      } catch (e) {
        box.lastChild.textContent = "Could not load the report: " + e.message;
      }
    }
    view.dataset.loaded = inc.id;
    for (const row of document.querySelectorAll("#table tbody tr")) row.classList.toggle("selected", row.dataset.id === id);
  }

  function showList() {
    state.selected = null;
    byId("incident-view").hidden = true;
    byId("incident-view").dataset.loaded = "";
    byId("list-view").hidden = false;
    highlightMarker(null);
  }

  function route() {
    const match = location.hash.match(/^#incident\/(.+)$/);
    if (match) showIncident(decodeURIComponent(match[1]));
    else showList();
  }

  // ------------------------------------------------------------------ filters

  function readForm() {
    const form = byId("filters");
    const filters = {};
    for (const name of ["since", "until", "country", "admin1", "actor", "q"]) {
      const value = form.elements[name].value.trim();
      if (value) filters[name] = value;
    }
    const type = form.elements.type.value;
    if (type.startsWith("e:")) filters.event_type = type.slice(2);
    else if (type.startsWith("s:")) filters.sub_event_type = type.slice(2);
    return filters;
  }

  function setFilters(values) {
    const form = byId("filters");
    for (const [key, value] of Object.entries(values)) form.elements[key].value = value;
    refresh();
  }

  function updateExportLinks() {
    byId("export-csv").href = "/export.csv" + query();
    byId("export-geojson").href = "/export.geojson" + query();
    byId("brief-html").href = "/brief" + query({ format: "html" });
    byId("brief-pdf").href = "/brief" + query({ format: "pdf" });
  }

  let generation = 0;
  async function refresh() {
    state.filters = readForm();
    state.offset = 0;
    updateExportLinks();
    const mine = ++generation;
    document.body.dataset.ready = "";
    try {
      message("");
      const [stats] = await Promise.all([api("/stats" + query()), loadTable(), loadMap()]);
      if (mine !== generation) return;
      drawTimeline(stats);
      document.body.dataset.ready = "1";
    } catch (e) {
      message("Could not load incidents: " + e.message);
    }
  }

  async function fillOptions() {
    const stats = await api("/stats");
    const country = byId("filters").elements.country;
    for (const c of stats.by_country) {
      if (!c.country_code) continue;
      country.append(el("option", { value: c.country_code, text: `${c.country || c.country_code} (${c.country_code}) · ${c.incidents}` }));
    }
    const type = byId("filters").elements.type;
    const groups = new Map();
    for (const t of stats.by_sub_event_type) {
      const key = t.event_type || "Other";
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(t);
    }
    for (const [eventType, subs] of [...groups].sort((a, b) => a[0].localeCompare(b[0]))) {
      const group = el("optgroup");
      group.label = eventType;
      const count = subs.reduce((n, s) => n + s.incidents, 0);
      group.append(el("option", { value: "e:" + eventType, text: `All ${eventType} · ${count}` }));
      for (const s of subs) {
        if (s.sub_event_type) group.append(el("option", { value: "s:" + s.sub_event_type, text: `${s.sub_event_type} · ${s.incidents}` }));
      }
      type.append(group);
    }
  }

  // ------------------------------------------------------------------ watched sources (sitrep watch)

  function utcTime(iso) {
    return iso ? iso.slice(0, 16).replace("T", " ") : "never";
  }

  async function loadSources() {
    let data;
    try { data = await api("/sources"); } catch (e) { return; }
    const panel = byId("sources-panel");
    const rows = data.sources.map((s) => el("tr", { class: s.error_count ? "failing" : null, title: s.last_error && s.error_count ? s.last_error : (s.last_status || s.url) },
      el("td", { text: s.name || s.url }), el("td", { text: utcTime(s.last_poll) }), el("td", { text: utcTime(s.last_success) }),
      el("td", { class: "num", text: s.error_count }), el("td", { class: "num", text: s.items_stored })));
    panel.querySelector("tbody").replaceChildren(...rows);
    const failing = data.sources.filter((s) => s.error_count).length;
    byId("sources-count").textContent = `(${data.sources.length}${failing ? `, ${failing} failing` : ""})`;
    panel.hidden = data.sources.length === 0;
  }

  async function start() {
    const form = byId("filters");
    form.addEventListener("change", refresh);
    form.addEventListener("submit", (e) => { e.preventDefault(); refresh(); });
    for (const name of ["actor", "q"]) {
      let timer = null;
      form.elements[name].addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(refresh, 350); });
    }
    form.addEventListener("reset", () => setTimeout(refresh, 0));
    byId("prev").addEventListener("click", () => { state.offset = Math.max(0, state.offset - PAGE); loadTable(); });
    byId("next").addEventListener("click", () => { state.offset += PAGE; loadTable(); });
    for (const th of document.querySelectorAll("th[data-sort]")) {
      th.addEventListener("click", () => {
        const key = th.dataset.sort;
        state.sort = state.sort === "-" + key ? key : "-" + key;
        state.offset = 0;
        loadTable();
      });
    }
    byId("granularity").addEventListener("change", () => { if (state.stats) drawTimeline(state.stats); });
    window.addEventListener("hashchange", route);
    window.addEventListener("resize", () => { api("/stats" + query()).then(drawTimeline).catch(() => {}); });
    await initMap();
    try {
      await fillOptions();
    } catch (e) {
      message("Could not load the ledger: " + e.message);
      return;
    }
    await refresh();
    route();
    loadSources();
  }

  start();
})();
