# sluice — see README.md. Every target works from a clean clone.
GO      ?= go
SQLC    ?= $(GO) run github.com/sqlc-dev/sqlc/cmd/sqlc@v1.30.0
BIN     := bin/sluice

.PHONY: help build build-debug run test generate bench vet fmt clean-data load fuzz web

# The flags of a release binary: no debug info or symbol table (-s -w) and no
# build machine paths (-trimpath). Stack traces keep function names and lines.
RELEASE_FLAGS := -trimpath -ldflags "-s -w"

help: ## List the targets with what they do
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | awk -F '\t' '{ printf "  %-14s %s\n", $$1, $$2 }'

build: ## Build the release binary bin/sluice (no debug info; the first build takes many minutes: DuckDB through cgo)
	@$(MAKE) --no-print-directory build-note FLAGS='$(RELEASE_FLAGS)'
	$(GO) build $(RELEASE_FLAGS) -o $(BIN) ./cmd/sluice

build-debug: ## Build bin/sluice with debug info and symbols, for a debugger or a profiler
	@$(MAKE) --no-print-directory build-note FLAGS=''
	$(GO) build -o $(BIN) ./cmd/sluice

# build-note says what is coming when the build cache lacks DuckDB's cgo
# package for these flags: otherwise the build is silent for many minutes.
.PHONY: build-note
build-note:
	@if [ "$$($(GO) list $(FLAGS) -f '{{.Stale}}' github.com/duckdb/duckdb-go/v2 2>/dev/null)" != "false" ]; then \
		echo "building $(BIN) on a cold build cache: cgo compiles Postgres's parser and links DuckDB's C++ library, and Temporal's server is a lot of Go: many minutes on 2 cores; later builds reuse the cache but still relink (minutes)"; \
	else echo "building $(BIN)"; fi

run: build ## Run everything in one process: API :8080, worker, Temporal + UI :8233
	$(BIN) dev

test: ## Every test: vet, unit and integration tests, the chaos scenarios' short form, a short fuzz of each quick target (needs Postgres and MariaDB)
	$(GO) vet ./...
	$(GO) run ./internal/testsummary -- $(GO) test -json -count=1 -timeout 15m ./...
	$(MAKE) chaos-short
	$(MAKE) fuzz FUZZTIME=5s FUZZ_TARGETS="$(FUZZ_QUICK_TARGETS)"

web: ## Rebuild the web console into web/dist (needs Node 20 and npm); commit web/dist afterwards
	cd web && npm ci --no-audit --no-fund && npm run build

vet: ## go vet every package
	$(GO) vet ./...

generate: ## Regenerate the sqlc query code in db/ from db/queries and db/migrations
	$(SQLC) generate

bench: ## Run the benchmarks; figures are ratios against baselines measured in the same run
	$(GO) test -count=1 -run '^$$' -bench . -benchtime 1x ./... 

load: build ## Load harness: find saturation, hold 70% of it for LOAD_DURATION (default 10m), overload, recover; PASS/FAIL per goal
	$(GO) run ./cmd/sluice-load -bin $(BIN)

# FUZZ_TARGETS are "package:FuzzName" pairs; go test fuzzes one target per run.
# A new input is minimized for at most FUZZMINIMIZETIME: go's default (60s)
# stalls the targets whose inputs take milliseconds (FuzzRequestBodies).
FUZZTIME ?= 15s
FUZZMINIMIZETIME ?= 5s
FUZZ_TARGETS := \
	./sqlguard:FuzzCheck ./sqlguard:FuzzCheckPostgres \
	./semantic:FuzzCompile \
	./syncspec:FuzzParseSchedule ./syncspec:FuzzParseTableSelector ./syncspec:FuzzDestTableName \
	./observability:FuzzParseSchemaField \
	./openlineage:FuzzParse \
	./lineage/sqlcols:FuzzExtract ./lineage/sqlcols:FuzzPostgresJSONTree \
	./api:FuzzRequestBodies

# FUZZ_QUICK_TARGETS leave out the two that need seconds per seed (their seeds
# still run in every `go test` as regression cases).
FUZZ_QUICK_TARGETS := $(filter-out ./sqlguard:FuzzCheckPostgres ./api:FuzzRequestBodies,$(FUZZ_TARGETS))

fuzz: ## Fuzz each target for FUZZTIME (default 15s), a line each; a crasher is kept in <package>/testdata/fuzz
	@failed=0; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; out=$$(mktemp); st=0; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZETIME) $$pkg >$$out 2>&1 || st=1; \
		res=$$(sed -n 's/^fuzz: elapsed: \([^,]*\), execs: \([0-9]*\) .*new interesting: \([0-9]*\).*/\1, \2 execs, \3 new inputs/p' $$out | tail -n 1); \
		seeds=$$(sed -n 's/^fuzz: .*gathering baseline coverage: \([0-9/]*\) completed.*/seeds only: \1 run before FUZZTIME ran out/p' $$out | tail -n 1); \
		if grep -q 'no fuzz tests to fuzz' $$out; then st=1; res="no such fuzz target"; fi; \
		if [ $$st = 1 ] && grep -A1 -- "--- FAIL: $$name " $$out | grep -q '^    context deadline exceeded$$' && ! grep -q 'Failing input written' $$out; then \
			st=0; res="$$res (go.dev/issue/75804: the coordinator's own deadline race at FUZZTIME, no failing input)"; fi; \
		if [ $$st = 0 ]; then \
			printf '%-24s %-16s ok    %s\n' $$name $$pkg "$${res:-$$seeds}"; \
		else \
			printf '%-24s %-16s FAIL  %s\n' $$name $$pkg "$$res"; sed 's/^/    /' $$out; failed=1; \
		fi; rm -f $$out; \
	done; exit $$failed

fmt: ## gofmt every Go file
	gofmt -w $$(git ls-files '*.go')

clean-data: ## Forget the dev stack's state (.sluice: Temporal history, secret key, dev token)
	rm -rf .sluice

.PHONY: chaos chaos-short
# chaos builds with the tests' flags (build-debug, no -trimpath): the release
# build's -trimpath would compile every dependency a second time in make test.
chaos: build-debug ## Fault-injection scenarios on real api/worker processes (CHAOS_RUNS each, default 20 worker kills, 10 others); prints a table
	SLUICE_CHAOS=1 SLUICE_CHAOS_BIN=$(CURDIR)/$(BIN) CHAOS_RUNS=$(CHAOS_RUNS) CHAOS_SHORT=$(CHAOS_SHORT) $(GO) test -count=1 -v -timeout 90m ./chaos

chaos-short: ## The chaos scenarios in CI's short form: 2 runs each, without the slow retries-exhausted cases
	$(MAKE) chaos CHAOS_RUNS=2 CHAOS_SHORT=1
