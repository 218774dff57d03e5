# chuangwen — the two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
VENDOR := chuangwen/static/vendor
PYTEST_WORKERS ?= 2

.PHONY: demo test lint format install static migrate serve clean messages backup restore fuzz

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed

node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

$(VENDOR)/.installed: node_modules/.installed
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/bootstrap $(VENDOR)/bootstrap-icons $(VENDOR)/htmx $(VENDOR)/echarts $(VENDOR)/leaflet \
		$(VENDOR)/leaflet.markercluster $(VENDOR)/leaflet.heat
	mkdir -p $(VENDOR)/tom-select
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/js/bootstrap.bundle.min.js $(VENDOR)/bootstrap/
	cp -r node_modules/bootstrap-icons/font/bootstrap-icons.min.css node_modules/bootstrap-icons/font/fonts $(VENDOR)/bootstrap-icons/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts/
	cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css node_modules/leaflet/dist/images $(VENDOR)/leaflet/
	cp node_modules/leaflet.markercluster/dist/leaflet.markercluster.js node_modules/leaflet.markercluster/dist/MarkerCluster.css node_modules/leaflet.markercluster/dist/MarkerCluster.Default.css $(VENDOR)/leaflet.markercluster/
	cp node_modules/leaflet.heat/dist/leaflet-heat.js $(VENDOR)/leaflet.heat/
	cp node_modules/tom-select/dist/js/tom-select.complete.min.js node_modules/tom-select/dist/css/tom-select.bootstrap5.min.css $(VENDOR)/tom-select/
	touch $@

static: $(VENDOR)/.installed

migrate: install
	$(PY) manage.py migrate --noinput -v 0

demo: install static migrate
	$(PY) manage.py build_demo_city --if-empty
	$(PY) manage.py demo_logins
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install static
	$(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# schemathesis over /api/openapi.json against a live demo server (its own SQLite in var/fuzz);
# fails on any 500. FUZZ_EXAMPLES=N test cases per operation, FUZZ_ARGS e.g. --small --max-time 60
FUZZ_EXAMPLES ?= 50
fuzz: install
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) scripts/fuzz_api.py $(FUZZ_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy chuangwen bench

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# refresh the English catalogue: extract, fill from the glossary, compile (needs GNU gettext)
messages: install
	cd chuangwen && ../$(PY) ../manage.py makemessages -l en --no-obsolete --ignore "static/*" --ignore "*/static/*" -v 0
	$(PY) scripts/fill_translations.py
	cd chuangwen && ../$(PY) ../manage.py compilemessages -l en -v 0

# one archive of the database and the media files (var/backups, or OUTPUT=目录)
backup: install
	$(PY) manage.py backup $(if $(OUTPUT),--output $(OUTPUT))

# make restore ARCHIVE=var/backups/chuangwen-backup-….tar.gz [FORCE=1 to overwrite a non-empty database]
restore: install
	@test -n "$(ARCHIVE)" || { echo "用法：make restore ARCHIVE=备份文件.tar.gz [FORCE=1]"; exit 2; }
	$(PY) manage.py restore "$(ARCHIVE)" $(if $(FORCE),--force)

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var
