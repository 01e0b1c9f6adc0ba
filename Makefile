# STP — the two commands a newcomer needs:
#   make demo   build the sample portal and serve it behind the real
#               oauth2-proxy with the local Entra ID stand-in
#   make test   run every test (installs what the tests need first)

# oauth2-proxy's version is the one go.mod pins: written there only.
OAUTH2_PROXY_VERSION = $(shell go list -m -f '{{.Version}}' github.com/oauth2-proxy/oauth2-proxy/v7)
BIN := $(CURDIR)/bin
STP := $(BIN)/stp
OAUTH2_PROXY := $(BIN)/oauth2-proxy
# Where `make build` writes the site; `make build NOW=2026-11-27` fixes the date.
OUT ?= public
NOW ?=

export STP_OAUTH2_PROXY := $(OAUTH2_PROXY)

.PHONY: all demo build serve check test test-setup fuzz bench pgo fmt clean oauth2-proxy engine release bin/stp

all: build

# The version stp prints (`stp version`); make release VERSION=v1.2.0.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
STP_FLAGS = -tags embedengine -ldflags "$(1)-X main.version=$(VERSION)"

# engine compiles the browser search engine ahead of time, for stp to carry
# (-tags embedengine), into generator/search/embedded, which is not
# committed; a few seconds when the user cache already has it, about 20 s
# when not (see generator/search/README.md, "The engine").
engine:
	go generate ./generator/search

$(STP): FORCE engine
	go build $(call STP_FLAGS) -o $(STP) ./generator/cmd/stp

bin/stp: $(STP)

# The oauth2-proxy binary, pinned by go.mod and stamped with its version
# (`go tool oauth2-proxy --version` prints "undefined"). Built once and reused.
$(OAUTH2_PROXY): go.mod go.sum
	go build -trimpath -ldflags "-s -w -X github.com/oauth2-proxy/oauth2-proxy/v7/pkg/version.VERSION=$(OAUTH2_PROXY_VERSION)" \
		-o $(OAUTH2_PROXY) github.com/oauth2-proxy/oauth2-proxy/v7

oauth2-proxy: $(OAUTH2_PROXY)

demo: $(STP) $(OAUTH2_PROXY)
	$(STP) demo

build: $(STP)
	$(STP) build --out $(OUT) $(if $(NOW),--now $(NOW))

serve: build
	$(STP) serve --dir $(OUT)

check: $(STP)
	$(STP) check

# test-setup installs what the tests drive: Chromium for browser tests,
# axe-core (pinned by generator/browsertest/package-lock.json) for their
# accessibility checks, and for the production topology's end-to-end tests
# (proxy/e2e) nginx and Caddy as TLS terminators and Redis as the session
# store, and PostgreSQL for the portal store's suite (generator/store),
# which runs against SQLite and PostgreSQL alike. The tests start and stop
# their own instances on loopback ports; nothing is started as a system
# service. Debian keeps PostgreSQL's binaries off the PATH, under
# /usr/lib/postgresql/VERSION/bin.
TEST_PACKAGES := chromium chromium-driver fonts-dejavu-core npm nginx-light caddy redis-server postgresql
TEST_COMMANDS := chromium npm nginx caddy redis-server
test-setup:
	go mod download
	@missing=""; for c in $(TEST_COMMANDS); do \
		command -v $$c >/dev/null 2>&1 || [ -x /usr/sbin/$$c ] || missing="$$missing $$c"; \
	done; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
		echo "installing what the tests drive:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get install -y -qq $(TEST_PACKAGES) >/dev/null; \
	fi
	npm ci --prefix generator/browsertest --no-audit --no-fund --loglevel=error

# The packages that run work concurrently (the build's workers, the
# upstream, the dev server) run their tests under the race detector, in
# place of a plain run.
MODULE := github.com/stp-portal/stp
RACE_PACKAGES := ./generator/internal/par ./generator/serve ./generator/devserver ./generator/site

test: test-setup $(OAUTH2_PROXY) $(STP)
	@test -z "$$(gofmt -l generator proxy)" || (echo "gofmt would change:"; gofmt -l generator proxy; exit 1)
	go vet ./...
	go mod tidy -diff
	@# One build of the sample first: it compresses the browser search
	@# engine (which `make engine` compiled into ~/.cache/stp for the test
	@# packages) once, instead of in every test package at once.
	@tmp=$$(mktemp -d) && $(STP) build --out $$tmp/public --now 2026-11-27 >/dev/null && rm -rf $$tmp
	go test -count=1 $$(go list ./... | grep -v -x $(foreach p,$(RACE_PACKAGES),-e $(MODULE)/$(p:./%=%)))
	go test -race -count=1 $(RACE_PACKAGES)
	$(MAKE) fuzz

# fuzz runs every fuzz target briefly: a fixed number of inputs each, about
# ten seconds here. Not a fixed time: when a -fuzztime duration runs out
# while an input is running, Go 1.26's fuzzing coordinator can report
# "context deadline exceeded" as a failure with nothing found
# (go.dev/issue/75804, fixed in Go 1.27). Run longer by hand with
# FUZZTIME=10m (a duration, or a count such as 5000000x).
# Shrinking a failing 50 KB input byte by byte could take the whole run
# (the default allows a minute), so it is capped: a crash is reported either way.
fuzzflags = -run '^$$' -fuzztime $(or $(FUZZTIME),$(1)) -fuzzminimizetime 2s
fuzz:
	go test $(call fuzzflags,20000x) -fuzz '^FuzzParse$$' ./generator/catalog
	go test $(call fuzzflags,150000x) -fuzz '^FuzzParsePage$$' ./generator/content
	go test $(call fuzzflags,80000x) -fuzz '^FuzzParseText$$' ./generator/search
	go test $(call fuzzflags,40000x) -fuzz '^FuzzRun$$' ./generator/search

# bench prints build figures for the sample, 10,000 and 100,000 documents;
# with HUGO=path/to/hugo also Hugo's on the same 10,000 documents (see
# generator/cmd/stpbench/README.md).
bench: $(STP)
	go run ./generator/cmd/stpbench -stp $(STP) $(if $(HUGO),-hugo $(HUGO))

# pgo writes generator/cmd/stp/default.pgo, the CPU profile that go build
# optimises stp with (profile-guided optimisation): one build each of the
# 10,000 and 100,000-document synthetic portals. Run it again when the
# build's hot code changes much.
pgo: $(STP)
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	for n in 10000 100000; do \
		go run ./generator/synth/cmd/synth -n $$n -out $$tmp/$$n -layouts layouts >/dev/null && \
		$(STP) build --root $$tmp/$$n --out $$tmp/out-$$n --now 2026-11-27 --cpuprofile $$tmp/$$n.prof >/dev/null 2>&1 || exit 1; \
	done && \
	go tool pprof -proto $$tmp/10000.prof $$tmp/100000.prof > generator/cmd/stp/default.pgo 2>/dev/null && \
	ls -l generator/cmd/stp/default.pgo

fmt:
	gofmt -w generator proxy

# release cross-compiles stp for every platform, each carrying the search
# engine, into dist/ with SHA256SUMS: make release VERSION=v1.2.0.
# RELEASE_PLATFORMS and DIST narrow it (the release test builds one).
RELEASE_PLATFORMS ?= linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64
DIST ?= dist
release: engine
	@mkdir -p $(DIST) && rm -f $(DIST)/stp_* $(DIST)/SHA256SUMS
	@for p in $(RELEASE_PLATFORMS); do \
		os=$${p%/*}; arch=$${p#*/}; ext=; [ $$os = windows ] && ext=.exe; \
		echo "stp $(VERSION) $$os/$$arch"; \
		CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch go build -trimpath $(call STP_FLAGS,-s -w ) \
			-o $(DIST)/stp_$(VERSION)_$${os}_$$arch$$ext ./generator/cmd/stp || exit 1; \
	done
	@cd $(DIST) && if command -v sha256sum >/dev/null; then sha256sum stp_*; else shasum -a 256 stp_*; fi > SHA256SUMS

clean:
	rm -rf $(BIN) $(OUT) $(DIST)

FORCE:
