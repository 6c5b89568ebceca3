# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
export DJANGO_SETTINGS_MODULE ?= govplatform.settings.dev

.PHONY: demo test install db-start db-stop bench clean-db

$(VENV)/.installed: requirements/lock.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "需要 Python 3.11（$(PYTHON)）"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/lock.txt
	touch $@

install: $(VENV)/.installed

db-start: install
	@[ -n "$$DATABASE_URL" ] || $(PY) -m govplatform.embedded_db start

db-stop:
	@[ -n "$$DATABASE_URL" ] || [ ! -x $(PY) ] || $(PY) -m govplatform.embedded_db stop

# Sets everything up and serves the portal on http://localhost:8000 and each
# unit on http://<code>.localhost:8000; Ctrl-C stops server, worker and database.
demo: db-start
	$(PY) manage.py setup_platform --admin-username admin --admin-password "$${DEMO_ADMIN_PASSWORD:-zhuhai-admin-2026}"
	$(PY) manage.py seed_demo
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@# The worker starts once the server answers: its first availability probe must find the sites up.
	@# The server stays in the foreground, where Ctrl-C reaches it (background jobs of bash ignore SIGINT).
	@# On exit the worker (the one background job) is stopped and waited for, then the database.
	@bash -c 'trap "kill \$$(jobs -p) 2>/dev/null; wait; $(PY) -m govplatform.embedded_db stop" EXIT; \
	  { $(PY) -m govplatform.wait_for_http http://localhost:8000/ && exec $(PY) manage.py qcluster; } & \
	  $(PY) manage.py runserver 0.0.0.0:8000'

test: db-start
	@bash -c 'trap "$(MAKE) --no-print-directory db-stop" EXIT; \
	  DJANGO_SETTINGS_MODULE=govplatform.settings.test $(PY) -m pytest --create-db -q $(PYTEST_ARGS)'

bench: db-start
	$(PY) bench/provision.py
	$(PY) bench/search.py
	$(PY) bench/secrecy.py
	$(PY) bench/freshness.py
	$(PY) bench/linkcheck.py
