# Tandem: `make run` serves the demo, `make test` runs the whole suite. Both work on a fresh clone.
# `make run PORT=8080 HOST=0.0.0.0` serves elsewhere.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
WORKERS ?= 2
# Links in mail, QR codes and contact-link files follow HOST and PORT unless TANDEM_BASE_URL is set
# (webapp/config.py); exported so every tandem command run by make agrees with the server.
export TANDEM_HOST := $(HOST)
export TANDEM_PORT := $(PORT)

.PHONY: run test security audit bench install install-test bytecode migrate demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the project's dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# The project's modules compiled once (quick when nothing changed): where PYTHONDONTWRITEBYTECODE is set,
# every `tandem` command, worker and test run would otherwise compile them again (~0.15 s a start).
bytecode: install
	$(BIN)/python -m compileall -q surveys webapp analysis demo migrations > /dev/null

# Migrations run once here, before any gunicorn worker starts.
migrate: bytecode
	$(BIN)/tandem db upgrade

demo: migrate
	$(BIN)/tandem demo --if-empty

# No access log: the first request of a survey link carries its token in the path.
run: demo
	@echo "Tandem is starting on http://$(HOST):$(PORT)"
	@echo "Demo logins (see README.md): hr@northwind.example, exec@northwind.example, lead1@northwind.example;" \
	      "password: $$($(BIN)/python -c 'from demo import DEMO_PASSWORD; print(DEMO_PASSWORD)')"
	$(BIN)/gunicorn -c python:webapp.gunicorn_conf --workers $(WORKERS) --bind $(HOST):$(PORT) "webapp:create_app()"

# Static security check of the code (a few seconds): medium and high findings fail; see [tool.bandit].
security: install-test
	$(BIN)/bandit -c pyproject.toml -r surveys webapp analysis demo migrations -ll -q

test: security bytecode
	$(BIN)/python -m pytest

# Known vulnerabilities in the installed packages; needs the network to the package index and its
# vulnerability data. --strict: a package that could not be checked fails the audit, it is not skipped.
audit: install-test
	$(BIN)/pip-audit --skip-editable --strict

bench: bytecode
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
