# Two commands do all the set-up on a fresh machine (Python 3.11+):
#   make demo   builds the synthetic demo region, writes its report, then opens the web workspace on it
#   make test   runs the whole test suite in two processes (real-data tests skip when ../shared is absent)
#   make lint   ruff (lint and format) and mypy, as CI runs them before the tests
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint bench fuzz failure soak install clean accuracy

$(BIN)/dekkend: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/dekkend

# The demo region and its report, then the web workspace on it (prints the address and the demo accounts;
# Ctrl-C stops it). DEMO_WEB=0 skips the workspace; DEMO_ADRES sets its address.
DEMO_WEB   ?= 1
DEMO_ADRES ?= 127.0.0.1:8000
demo: install
	$(BIN)/dekkend demo
	@if [ "$(DEMO_WEB)" = 1 ]; then $(BIN)/dekkend web --werkmap dekkend-demo --adres $(DEMO_ADRES); fi

# The suite in TEST_WORKERS processes (pytest-xdist); --dist loadfile keeps each test module, and so its
# module fixtures (the real-data analyses), in one process. TEST_WORKERS=0 runs it in this process.
# Then the web workspace's suite (tests/web, less the browser tests, whose server process keeps its own SQLite
# database; --dist load: its modules have no costly module fixtures, so single tests balance the processes better)
# once more on a real PostgreSQL server that the tests start
# themselves from Debian's postgresql package (skipped with a note when it is not installed, unless
# DEKKEND_REQUIRE_POSTGRES=1 as in CI). --durations lists the slowest tests, to keep CI's time in view.
TEST_WORKERS ?= 2
test: install
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile --durations=25
	@if ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || [ "$$DEKKEND_REQUIRE_POSTGRES" = 1 ]; then \
	  DEKKEND_WEB_TEST_DB=postgresql $(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist load --durations=15 -m "not browser" tests/web; \
	else echo "PostgreSQL niet geïnstalleerd: de webtests draaiden alleen op SQLite (apt-get install postgresql)."; fi

# The static checks CI runs before the tests (configured in pyproject.toml): ruff lint rules, ruff's
# formatting at 120 columns, and mypy on the package.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Every benchmark in bench/, figures in docs/benchmarks.md (each prints date, commit and machine first).
# The ones that need real data use WERKMAP (see accuracy below), imported from ../shared/data first.
# Long: choice_decay alone takes several minutes (docs/benchmarks.md has the times per script).
BENCH_FUZZ_SECONDS ?= 60
bench: install
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python bench/import.py
	$(BIN)/python bench/corpus.py
	$(BIN)/python bench/fuzz.py --seconds $(BENCH_FUZZ_SECONDS)
	$(BIN)/dekkend importeer ../shared/data --werkmap $(WERKMAP)
	$(BIN)/python bench/forecast.py $(WERKMAP)
	$(BIN)/python bench/forecast_accuracy.py $(WERKMAP)
	$(BIN)/python bench/choice_solver.py $(WERKMAP)
	$(BIN)/python bench/choice_decay.py --werkmap $(WERKMAP)
	$(BIN)/python bench/reachability.py --werkmap $(WERKMAP)
	$(BIN)/python bench/scenario.py $(WERKMAP)
	$(BIN)/python bench/optimise.py --werkmap $(WERKMAP)
	$(BIN)/python bench/report.py --werkmap $(WERKMAP)
	$(BIN)/python bench/web_load.py --werkmap $(WERKMAP) --corop 31

# Fuzz every reader, the scenario YAML loader, the region syntax and the web API (docs/reliability.md).
FUZZ_SECONDS ?= 300
API_FUZZ_EXAMPLES ?= 300
fuzz: install
	$(BIN)/python bench/fuzz.py --seconds $(FUZZ_SECONDS)
	$(BIN)/python -m pip install --quiet atheris || echo "atheris installeert hier niet: alleen hypothesis"
	if $(BIN)/python -c "import atheris" 2>/dev/null; then \
		$(BIN)/python bench/fuzz.py --engine atheris --seconds $(FUZZ_SECONDS); fi
	DEKKEND_FUZZ_EXAMPLES=$(API_FUZZ_EXAMPLES) $(BIN)/python -m pytest -q -p no:cacheprovider tests/web/test_api_fuzz.py

# The failure test in full: the server and task worker killed during the region's analysis and a report
# (CI kills during the report only). DEKKEND_FAILURE_SEED picks other kill moments.
failure: install
	DEKKEND_FAILURE_FULL=1 $(BIN)/python -m pytest -q -s -p no:cacheprovider tests/web/test_failure.py

# The load and soak test in full (docs/reliability.md "Belasting en duurtest"): 50 people browse the demo region,
# run scenarios and comment for SOAK_SECONDS against a real dekkend web on 127.0.0.1; exits 1 when a goal is missed
# (p95 of the cached region pages, errors, queue drained, memory bound). CI runs the short form (tests/web/test_load.py).
SOAK_SECONDS ?= 600
soak: install
	$(BIN)/python bench/web_load.py --gebruikers 50 --seconden $(SOAK_SECONDS)

clean:
	rm -rf $(VENV) dekkend-demo .pytest_cache .hypothesis .mypy_cache .ruff_cache

# Regenerates docs/forecast-accuracy.md (the back-test sections) from ../shared/data; about 5 minutes.
WERKMAP ?= /tmp/dekkend-werkmap-nl
accuracy: install
	$(BIN)/dekkend importeer ../shared/data --werkmap $(WERKMAP)
	$(BIN)/dekkend backtest --werkmap $(WERKMAP) --niveau gemeente --peiljaar 2016 --doel 2017,2018,2019,2020,2021,2022,2023 --verslag docs/forecast-accuracy.md
	$(BIN)/dekkend backtest --werkmap $(WERKMAP) --niveau vestiging --peiljaar 2013 --doel 2019 --verslag docs/forecast-accuracy.md
	$(BIN)/dekkend backtest --werkmap $(WERKMAP) --niveau brin --peiljaar 2013 --doel 2019 --verslag docs/forecast-accuracy.md
	$(BIN)/dekkend backtest --werkmap $(WERKMAP) --niveau vestiging --peiljaar 2016 --doel 2017,2019 --verslag docs/forecast-accuracy.md
	$(BIN)/dekkend backtest --werkmap $(WERKMAP) --niveau vestiging --peiljaar 2017 --doel 2019 --verslag docs/forecast-accuracy.md
	$(BIN)/dekkend backtest --werkmap $(WERKMAP) --niveau brin --peiljaar 2016 --doel 2017,2019 --verslag docs/forecast-accuracy.md
	$(BIN)/dekkend backtest --werkmap $(WERKMAP) --niveau brin --peiljaar 2017 --doel 2019 --verslag docs/forecast-accuracy.md
	$(BIN)/python bench/forecast_accuracy.py $(WERKMAP)
