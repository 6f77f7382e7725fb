# Opus: a newcomer's first day is `make demo` and `make test`.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
PYTHON  := $(BIN)/python
HOST    ?= 127.0.0.1
PORT    ?= 8000

.PHONY: setup setup-dev frontend migrate demo serve test test-sqlite test-postgres lint bench worker clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

setup: $(BIN)/python frontend  ## virtual environment, locked Python packages, GOV.UK front end
	$(BIN)/pip install --quiet -r requirements/base.txt
	$(BIN)/pip install --quiet --no-deps -e .

setup-dev: setup
	$(BIN)/pip install --quiet -r requirements/dev.txt

frontend: node_modules/govuk-frontend/package.json
	$(PYTHON) scripts/build_frontend.py

node_modules/govuk-frontend/package.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

migrate: setup
	$(PYTHON) manage.py migrate --no-input

demo: migrate  ## build the synthetic demo county and serve it on 127.0.0.1:8000
	$(PYTHON) manage.py seed_demo --if-empty
	OPUS_SITE_URL=http://$(HOST):$(PORT) $(PYTHON) manage.py demo_accounts
	OPUS_SITE_URL=http://$(HOST):$(PORT) $(PYTHON) scripts/together.py \
	  web="$(PYTHON) manage.py runserver --noreload $(HOST):$(PORT)" \
	  worker="$(PYTHON) manage.py db_worker --interval 1" scheduler="$(PYTHON) manage.py run_schedule"

# Production on one machine: gunicorn (gunicorn.conf.py), the task worker and the scheduler.
# Needs OPUS_ENV=production's settings in the environment (README, "Running in production").
serve: setup
	OPUS_ENV=production $(PYTHON) manage.py migrate --no-input
	OPUS_ENV=production $(PYTHON) manage.py collectstatic --no-input --verbosity 0
	OPUS_ENV=production $(PYTHON) scripts/together.py \
	  web="$(BIN)/gunicorn --config gunicorn.conf.py" \
	  worker="$(PYTHON) manage.py $(if $(filter rq,$(OPUS_TASKS_BACKEND)),rqworker default,db_worker)" \
	  scheduler="$(PYTHON) manage.py run_schedule"

test: setup-dev  ## the whole suite on SQLite, then on PostgreSQL when OPUS_TEST_POSTGRES is set
	$(MAKE) --no-print-directory test-sqlite
	@if [ -n "$$OPUS_TEST_POSTGRES" ]; then $(MAKE) --no-print-directory test-postgres; \
	else echo "OPUS_TEST_POSTGRES is not set: PostgreSQL run skipped"; fi

test-sqlite:
	$(PYTHON) manage.py makemigrations --check --dry-run
	OPUS_ENV=production SECRET_KEY=check-deploy-only-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ \
	  OPUS_BID_SEALING_SECRET=check-deploy-only-sealing-secret OCDS_OCID_PREFIX=ocds-abc123 OPUS_360_PREFIX=360G-abc123 \
	  ALLOWED_HOSTS=opus.example EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend \
	  OPUS_COUNCIL_NAME='Northvale Council' OPUS_COUNCIL_EMAIL=opus@northvale.example \
	  DATABASE_URL= $(PYTHON) manage.py check --deploy --fail-level WARNING
	DATABASE_URL= $(PYTHON) -m pytest

test-postgres:
	DATABASE_URL="$$OPUS_TEST_POSTGRES" $(PYTHON) -m pytest

lint: setup-dev
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: setup-dev
	$(BIN)/pip install --quiet phstatsmethods pabutools  # GPL comparisons: for the benchmarks only
	$(PYTHON) bench/seed_national.py
	$(PYTHON) bench/needs.py
	$(PYTHON) bench/matching.py --services 100000 --profiles 500
	$(PYTHON) bench/ledger.py
	$(PYTHON) bench/ocds.py --databases sqlite,postgresql
	$(PYTHON) bench/import_oruk.py
	$(PYTHON) bench/working_days.py
	$(PYTHON) bench/voice.py
	$(PYTHON) bench/pb.py --quick
	$(PYTHON) bench/pb_ballots.py
	$(PYTHON) bench/allocation.py  # then the optimiser and monitor benchmarks, if present

worker: migrate  ## run background tasks by hand (make demo and make serve start one already)
	$(PYTHON) manage.py $(if $(filter rq,$(OPUS_TASKS_BACKEND)),rqworker default,db_worker)

clean:
	rm -rf $(VENV) node_modules opus/static/govuk var
