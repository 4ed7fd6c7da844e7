# The two commands a developer needs: `make dev` and `make test`. Everything else is optional.
VENV      := .venv
BIN       := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: dev test lint format bench fuzz lock clean

dev: $(INSTALLED) ## run the whole local stack on http://127.0.0.1:$${PORT:-3000}
	$(BIN)/sauti dev

test: lint ## lint, then the whole test suite against real PostgreSQL and Redis
	$(BIN)/pytest

lint: $(INSTALLED) ## ruff and cfn-lint
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/cfn-lint template.yaml

format: $(INSTALLED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(INSTALLED) ## print every benchmark's figures
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

fuzz: $(INSTALLED) ## a long schemathesis run over every operation (make test runs a short one)
	SAUTI_FUZZ_EXAMPLES=$${SAUTI_FUZZ_EXAMPLES:-100} $(BIN)/pytest tests/test_fuzz.py

lock: $(INSTALLED) ## re-pin every package after changing requirements/*.txt
	$(BIN)/pip install -q -r requirements/dev.txt
	{ echo "# Every package of the dev environment, pinned (pip freeze). Regenerate with \`make lock\`."; \
	  $(BIN)/pip freeze --exclude-editable; } > requirements/lock.txt

clean: ## remove the virtual environment and the local data (databases, keys)
	rm -rf $(VENV) .local

$(INSTALLED): requirements/lock.txt requirements/dev.txt requirements/runtime.txt pyproject.toml
	test -x $(BIN)/python || "$$(scripts/find-python)" -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements/lock.txt
	$(BIN)/pip install -q --no-deps -e .
	touch $@
