# Two commands do everything on a fresh machine with Python 3.10+: `make demo` and `make test`.
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup demo test lint clean

$(STAMP): pyproject.toml scripts/setup.sh
	bash scripts/setup.sh
	touch $(STAMP)

setup: $(STAMP)

# The main job: LoRA fine-tune of the default model on the bundled quickstart data, with a before/after eval.
demo: $(STAMP)
	$(BIN)/tunesmith train examples/quickstart/recipe.yaml --overwrite

test: $(STAMP)
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

clean:
	rm -rf runs eval-report .pytest_cache
