# Ouro — the two commands a new user types are `make demo` and `make test`; each runs setup first.
SWIFT ?= swift
OURO_DEBUG := .build/debug/ouro
OURO := .build/release/ouro

.PHONY: setup build release test demo bench clean

setup:
	@scripts/setup.sh

build: setup
	$(SWIFT) build

release: setup
	$(SWIFT) build -c release --product ouro

# Every test: engine, bridge, sandbox, REPL, command line.
test: setup
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# The main job.
demo: release
	$(OURO) run experiments/hello.lua

bench: release
	$(OURO) bench bridge

clean:
	rm -rf .build
