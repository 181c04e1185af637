# Glassnet: `make run` starts the app, `make class` starts it for a class, `make test` runs the whole suite.
# Both create the virtualenv (.venv) and install what they need on first use.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
HOST   ?= 127.0.0.1
PORT   ?= 8501

.PHONY: venv dev run class test bench clean

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	$(PYTHON) -c 'import sys; sys.exit("Glassnet needs Python >= 3.10") if sys.version_info < (3, 10) else None'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

dev: $(VENV)/.installed-dev

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

run: venv
	$(PY) -m streamlit run dashboard/app.py --server.address $(HOST) --server.port $(PORT)

# A class shares one server: it listens on the machine's network (0.0.0.0) unless HOST is given,
# and prints the join link, the class code and the teacher key before it starts.
class: venv
	$(PY) -m dashboard.serve --class --host $(if $(filter command line environment,$(origin HOST)),$(HOST),0.0.0.0) --port $(PORT)

# As root, the suite runs in a network namespace that has only `lo`: the Ray cluster the tests start (and
# every server they start) then cannot be reached from, nor reach, any other network. Elsewhere plain pytest.
IP := $(shell command -v ip 2>/dev/null || echo /usr/sbin/ip)
test: dev
	@if [ "$$(id -u)" = 0 ] && command -v unshare >/dev/null 2>&1 && [ -x "$(IP)" ] && unshare -n true 2>/dev/null; then \
		echo "make test: in a loopback-only network namespace (unshare -n)"; \
		unshare -n sh -c '$(IP) link set lo up && exec $(PY) -m pytest'; \
	else \
		$(PY) -m pytest; \
	fi

bench: dev
	$(PY) -m bench --json

clean:
	rm -rf $(VENV) .pytest_cache
