# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
export DJANGO_SETTINGS_MODULE ?= govplatform.settings.dev

.PHONY: demo test test-browser browser-deps install db-start db-stop bench clean-db lint check lock stack stack-stop stack-test stack-clean load

# Demo, tests and CI install production plus dev (requirements/lock-dev.txt); production
# installs requirements/lock.txt. Both are compiled from pyproject.toml (`make lock`).
$(VENV)/.installed: requirements/lock-dev.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "需要 Python 3.11（$(PYTHON)）"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/lock-dev.txt
	touch $@

install: $(VENV)/.installed

# The browser tests drive Debian's Chromium (Playwright never downloads a browser of its own here),
# with CJK fonts so that screenshots show the text. Installed when missing, as root or with sudo.
browser-deps:
	@command -v chromium >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -q . || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }

db-start: install
	@[ -n "$$DATABASE_URL" ] || $(PY) -m govplatform.embedded_db start

db-stop:
	@[ -n "$$DATABASE_URL" ] || [ ! -x $(PY) ] || $(PY) -m govplatform.embedded_db stop

# Stops the embedded PostgreSQL and deletes its data: the next db-start initialises a new one.
clean-db:
	@[ ! -x $(PY) ] || $(PY) -m govplatform.embedded_db stop
	rm -rf .pgdata

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Django's system checks, and no model change without its migration.
check: db-start
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

# Recompiles both locks from pyproject.toml with pip-tools (in its own venv, so it is not
# installed with the project). Existing pins are kept; to move one:
# make lock LOCK_ARGS=--upgrade-package=wagtail
LOCK_TOOLS := .venv-tools
LOCK_FLAGS := --quiet --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links $(LOCK_ARGS)
lock:
	[ -x $(LOCK_TOOLS)/bin/pip-compile ] || { $(PYTHON) -m venv $(LOCK_TOOLS) && $(LOCK_TOOLS)/bin/pip install --quiet pip-tools==7.6.2; }
	CUSTOM_COMPILE_COMMAND="make lock" $(LOCK_TOOLS)/bin/pip-compile $(LOCK_FLAGS) --output-file=requirements/lock.txt pyproject.toml
	CUSTOM_COMPILE_COMMAND="make lock" $(LOCK_TOOLS)/bin/pip-compile $(LOCK_FLAGS) --extra=dev --constraint=requirements/lock.txt --output-file=requirements/lock-dev.txt pyproject.toml

# Sets everything up and serves the portal on http://localhost:8000 and each
# unit on http://<code>.localhost:8000; Ctrl-C stops server, worker and database.
demo: db-start
	$(PY) manage.py setup_platform
	@# seed_demo also creates the information centre's `admin` (DEMO_ADMIN_PASSWORD in the dev settings).
	$(PY) manage.py seed_demo
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@# The worker starts once the server answers: its first availability probe must find the sites up.
	@# The server stays in the foreground, where Ctrl-C reaches it (background jobs of bash ignore SIGINT).
	@# On exit the worker (the one background job) is stopped and waited for, then the database.
	@bash -c 'trap "kill \$$(jobs -p) 2>/dev/null; wait; $(PY) -m govplatform.embedded_db stop" EXIT; \
	  { $(PY) -m govplatform.wait_for_http http://localhost:8000/ && exec $(PY) manage.py qcluster; } & \
	  $(PY) manage.py runserver 0.0.0.0:8000'

# A fresh test database every run: pytest.ini's addopts hold --create-db (see the comment there).
# The browser tests (tests_browser/) are a session of their own, on their own test database seeded
# with the demo and served for real; their screenshots and axe reports go to test-artifacts/browser/.
test: db-start browser-deps
	@bash -c 'trap "$(MAKE) --no-print-directory db-stop" EXIT; \
	  DJANGO_SETTINGS_MODULE=govplatform.settings.test $(PY) -m pytest -q $(PYTEST_ARGS) && \
	  DJANGO_SETTINGS_MODULE=govplatform.settings.test TEST_DATABASE_NAME=test_browser $(PY) -m pytest -q tests_browser'

test-browser: db-start browser-deps
	@bash -c 'trap "$(MAKE) --no-print-directory db-stop" EXIT; \
	  DJANGO_SETTINGS_MODULE=govplatform.settings.test TEST_DATABASE_NAME=test_browser $(PY) -m pytest -q tests_browser'

bench: db-start
	$(PY) -m bench.provision
	$(PY) -m bench.search
	$(PY) -m bench.pages
	$(PY) -m bench.secrecy
	$(PY) -m bench.freshness
	$(PY) -m bench.linkcheck
	$(PY) -m bench.interaction
	$(PY) -m bench.assessment

# The production stack on this machine (deploy/stack.py): Debian's PostgreSQL and Redis, nginx with a
# self-signed certificate, gunicorn and two django-q2 workers, all on loopback with production settings.
# Missing packages come from apt. The portal is then on https://zhuhai.localhost/ (port 8443 when not root).
stack: install
	$(PY) deploy/stack.py up

stack-stop:
	@[ ! -x $(PY) ] || $(PY) deploy/stack.py down

# Stops the stack and deletes its data (.stack/): the next `make stack` starts from nothing.
stack-clean: stack-stop
	rm -rf .stack

# Starts the stack, runs the end-to-end and fault tests against it (tests_stack/), stops it.
stack-test: install browser-deps
	@bash -c 'trap "$(PY) deploy/stack.py down" EXIT; \
	  $(PY) deploy/stack.py up && $(PY) -m pytest -c tests_stack/pytest.ini -q $(PYTEST_ARGS) tests_stack'

# The load test (bench/load.py, locust) against the running stack.
load: install
	$(PY) -m bench.load
