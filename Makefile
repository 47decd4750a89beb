# Who You Know: every target sets itself up first, so any of them works as
# the first command on a fresh clone (see README.md).

PY ?= python3
VENV ?= $(CURDIR)/.venv
BIN := $(VENV)/bin
PELICAN := $(BIN)/pelican
PELICANOPTS ?=

BASEDIR := $(CURDIR)
# Both can be given on the command line (`make devserver INPUTDIR=/tmp/c`).
INPUTDIR := $(BASEDIR)/content
OUTPUTDIR := $(BASEDIR)/output
CONFFILE := $(BASEDIR)/pelicanconf.py
PUBLISHCONF := $(BASEDIR)/publishconf.py

PORT ?= 8000
BIND ?= 127.0.0.1

# `make deploy`: where rsync over SSH copies the production build. The one
# place for these settings; override any on the command line
# (`make deploy SSH_HOST=www.example.org`) and set SITEURL as for publish.
SSH_HOST ?= www.example.org
SSH_PORT ?= 22
SSH_USER ?= deploy
SSH_TARGET_DIR ?= /var/www/whoyouknow
# Local builds write feeds with absolute links to the preview server:
# pelicanconf.py takes FEEDS_PREVIEW_SITEURL from PREVIEW_SITEURL, set here
# from PORT and BIND (an environment variable, not `-e`, so the settings
# file keeps the last word and PELICANOPTS='-e ...' does not drop it).
PREVIEW_HOST := $(if $(filter 0.0.0.0 ::,$(BIND)),127.0.0.1,$(BIND))
PREVIEW_HOST := $(if $(findstring :,$(PREVIEW_HOST)),[$(PREVIEW_HOST)],$(PREVIEW_HOST))
PREVIEWENV := PREVIEW_SITEURL='http://$(PREVIEW_HOST):$(PORT)'

DEBUG ?= 0
ifeq ($(DEBUG), 1)
	PELICANOPTS += -D
endif

RELATIVE ?= 0
ifeq ($(RELATIVE), 1)
	PELICANOPTS += --relative-urls
endif

# Stamps: the environment is rebuilt only when a requirements file changes,
# so `make install` is near-instant when nothing did.
RUNTIME_STAMP := $(VENV)/.runtime-installed
DEV_STAMP := $(VENV)/.dev-installed
SYSTEM_STAMP := $(VENV)/.system-checked
# Every wheel requirements.txt needs, for the packaging tests
# (tests/packaging/), which install our plugins' wheels into new virtual
# environments without going online.
WHEELHOUSE := $(VENV)/wheelhouse
WHEELHOUSE_STAMP := $(WHEELHOUSE)/.filled
# The Node.js tools (Lighthouse; wrangler, Cloudflare Pages' local server)
# are pinned in package-lock.json.
NPM_STAMP := $(CURDIR)/node_modules/.npm-installed

# `make bench` (bench/bench.py): a blog of BENCH_POSTS posts, every build
# BENCH_RUNS times (CPU-time medians); four times the posts, half as often,
# for the growth figure. Quick look: BENCH_POSTS=200 BENCH_RUNS=1.
BENCH_POSTS ?= 1000
BENCH_RUNS ?= 3

# The tests run on every core (pytest-xdist); TEST_WORKERS=0 runs them in
# this one process.
TEST_WORKERS ?= auto

.DEFAULT_GOAL := help

help:
	@echo 'Who You Know: make targets'
	@echo ''
	@echo '  make serve        set up, build the site and serve it on http://$(BIND):$(PORT)'
	@echo '  make test         set up (system packages too) and run every test, lint included'
	@echo '  make test-fast    lint and the tests without a browser or the audits (quick loop)'
	@echo '  make html         build the site into output/'
	@echo '  make clean        remove the generated output'
	@echo '  make regenerate   rebuild on every change to content, theme or plugins'
	@echo '  make devserver    preview while writing: a saved post shows at once, the rest rebuilt behind it'
	@echo '  make publish      build for production (absolute URLs, SITEURL from the environment)'
	@echo '  make deploy       publish, then rsync output/ to SSH_USER@SSH_HOST:SSH_TARGET_DIR'
	@echo '  make newpost      start a post: TITLE="..." [SERIES="..."] [AUTHOR="..."] [TEMPLATE=campaign]'
	@echo '  make webmentions  send webmentions for the links in published posts [DRY_RUN=1] [POST=...]'
	@echo '  make replies      fetch new replies to the posts into content/replies/ [FULL=1] [POST=...]'
	@echo '  make install      create .venv and install the pinned dependencies'
	@echo '  make check        review the content before publishing: errors and advice, file:line [POST=...]'
	@echo '  make lint         run ruff over the Python code'
	@echo '  make audit        production-build audits: HTML validity, links, axe, Lighthouse, weight'
	@echo '  make dist         build and check every plugin package (sdist and wheel) into dist/'
	@echo '  make bench        measure the build and the preview for decisions (BENCH_POSTS, BENCH_RUNS)'
	@echo ''
	@echo 'Set PORT=8080 to serve on another port, DEBUG=1 for debug output.'

# Our plugins (requirements-plugins.txt) go in after the rest: they are
# built from their folders with pdm-backend, which requirements.txt pins.
PLUGIN_PROJECTS := $(wildcard plugins/*/pyproject.toml)
$(RUNTIME_STAMP): requirements.txt requirements-plugins.txt $(PLUGIN_PROJECTS)
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-build-isolation -r requirements-plugins.txt
	touch $@

$(DEV_STAMP): $(RUNTIME_STAMP) requirements-dev.txt $(WHEELHOUSE_STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# Refilled from scratch when requirements.txt changes, so it never holds two
# versions of a package. `pip wheel` also builds the wheels PyPI lacks
# (feedgen has only an sdist).
$(WHEELHOUSE_STAMP): requirements.txt | $(RUNTIME_STAMP)
	rm -rf "$(WHEELHOUSE)"
	$(BIN)/python -m pip wheel --quiet --disable-pip-version-check -r requirements.txt -w "$(WHEELHOUSE)"
	touch $@

# System packages come from Debian: installed with apt when we are root,
# otherwise we say what to install. A recipe sets $$missing (" a b") first.
INSTALL_MISSING = if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "Installing system packages:$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
		else \
			echo "Missing system packages:$$missing"; \
			echo "Install them first, e.g.: sudo apt-get install$$missing"; \
			exit 1; \
		fi; \
	fi

# Browser tests need Debian's chromium; the HTML validator needs a Java
# runtime.
$(SYSTEM_STAMP): $(RUNTIME_STAMP)
	@missing=''; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	command -v java >/dev/null 2>&1 || missing="$$missing default-jre-headless"; \
	$(INSTALL_MISSING)
	touch $@

# Lighthouse needs Node.js 18.16 or newer (Debian 12's nodejs is 18.19);
# wrangler 3 runs on it too (wrangler 4 needs Node.js 22).
# package.json pins third-party-web under "overrides": a Lighthouse
# dependency asks for its "latest", which would put the lock out of date
# (and `npm ci` would refuse) whenever a new one is published.
$(NPM_STAMP): package.json package-lock.json
	@missing=''; \
	command -v npm >/dev/null 2>&1 || missing=" nodejs npm"; \
	$(INSTALL_MISSING)
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(DEV_STAMP)

html: $(RUNTIME_STAMP)
	$(PREVIEWENV) "$(PELICAN)" "$(INPUTDIR)" -o "$(OUTPUTDIR)" -s "$(CONFFILE)" $(PELICANOPTS)

clean:
	[ ! -d "$(OUTPUTDIR)" ] || rm -rf "$(OUTPUTDIR)"

regenerate: $(RUNTIME_STAMP)
	$(PREVIEWENV) "$(PELICAN)" -r "$(INPUTDIR)" -o "$(OUTPUTDIR)" -s "$(CONFFILE)" $(PELICANOPTS)

serve: html
	$(PREVIEWENV) "$(PELICAN)" -l "$(INPUTDIR)" -o "$(OUTPUTDIR)" -s "$(CONFFILE)" $(PELICANOPTS) -p $(PORT) -b $(BIND)

# Serves a preview that follows every save (a post's body re-rendered at
# once, the rest rebuilt behind it): tools/devserver.py, tools/preview/.
# PELICANOPTS do not apply.
devserver: $(RUNTIME_STAMP)
	$(PREVIEWENV) $(BIN)/python tools/devserver.py "$(INPUTDIR)" -o "$(OUTPUTDIR)" -s "$(CONFFILE)" -p $(PORT) -b $(BIND) $(if $(filter 1,$(DEBUG)),--debug)

publish: $(RUNTIME_STAMP)
	"$(PELICAN)" "$(INPUTDIR)" -o "$(OUTPUTDIR)" -s "$(PUBLISHCONF)" $(PELICANOPTS)

# --delete: the server holds exactly this build. --checksum: builds are
# reproducible, so only files whose bytes changed are sent.
deploy: publish
	rsync -e "ssh -p $(SSH_PORT)" -rvz --delete --checksum "$(OUTPUTDIR)/" "$(SSH_USER)@$(SSH_HOST):$(SSH_TARGET_DIR)/"

# TITLE, SERIES and AUTHOR reach the script through the environment (make
# exports command-line variables), so quotes in a title need no escaping.
newpost: $(RUNTIME_STAMP)
	@test -n "$$TITLE" || { echo 'Usage: make newpost TITLE="..." [SERIES="..."] [AUTHOR="..."] [TEMPLATE=campaign]'; exit 2; }
	@$(BIN)/python tools/newpost.py --content-dir "$(INPUTDIR)" --settings "$(CONFFILE)" --title "$$TITLE" --series "$$SERIES" --author "$$AUTHOR" --template "$$TEMPLATE"

# Sends webmentions for the links in the published posts, as `make publish`
# builds them (SITEURL as for publish); content/replies/sent/webmentions.json remembers
# what was sent. DRY_RUN=1 only says what would be sent; POST=content/posts/x.md
# limits it to one post. See plugins/social_replies/README.md, "Sending".
webmentions: $(RUNTIME_STAMP)
	$(BIN)/pelican-webmentions --content-dir "$(INPUTDIR)" --settings "$(PUBLISHCONF)" $(if $(filter 1,$(DRY_RUN)),--dry-run) $(if $(POST),--post "$(POST)")

# Fetches the conversation each post started elsewhere (webmention.io,
# Mastodon, Bluesky) into content/replies/, to be committed: builds only
# read it and never touch the network. Production settings, so posts are
# known by their public URLs. FULL=1 refetches everything and drops what
# was deleted upstream; POST=content/posts/x.md fetches for one post.
replies: $(RUNTIME_STAMP)
	$(BIN)/pelican-replies --content-dir "$(INPUTDIR)" --settings "$(PUBLISHCONF)" $(if $(filter 1,$(FULL)),--full) $(if $(POST),--post "$(POST)")

# Reviews the content before publishing (tools/check.py): each finding with
# its file and line, errors apart from advice; fails only on an error.
# POST=content/posts/x.md reviews that file alone.
check: $(RUNTIME_STAMP)
	$(BIN)/python tools/check.py --settings "$(CONFFILE)" $(if $(POST),"$(POST)")

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Each plugin package's own tests, run from its folder as its README says
# (`cd plugins/<name> && pytest`), configured by its own pyproject.toml. The
# root pytest collects only tests/ (testpaths), never these. Every package
# runs; a failure in any fails the target.
PLUGIN_DIRS := $(patsubst %/pyproject.toml,%,$(PLUGIN_PROJECTS))
PACKAGE_TESTS = failed=''; for package in $(PLUGIN_DIRS); do \
		echo "$$package:"; \
		(cd $$package && $(BIN)/python -m pytest -q -p no:cacheprovider) || failed="$$failed $$package"; \
	done; \
	if [ -n "$$failed" ]; then echo "Package tests failed:$$failed"; exit 1; fi

# The audits are tests (tests/audit/ and the Nu validator's), so `make test`
# runs them too; `make audit` runs only them.
test: lint check $(SYSTEM_STAMP) $(NPM_STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS)
	@$(PACKAGE_TESTS)

# The quick local loop: no browser tests and no audits, so it needs neither
# Chromium, Java nor Node.js. `make test` (and CI) still runs everything.
test-fast: lint
	$(BIN)/python -m pytest -n $(TEST_WORKERS) -m "not browser and not audit"
	@$(PACKAGE_TESTS)

# The sdist and wheel of every plugin package, into DIST_DIR, each checked
# with `twine check --strict`; build and twine are pinned in
# requirements-dev.txt, pdm-backend in requirements.txt. The release
# workflow publishes the tagged package's two (plugins/README.md).
DIST_DIR ?= $(CURDIR)/dist
# Each is built from a copy of its folder: pdm-backend writes into the
# folder it builds, and two builds at once (the tests run in parallel) must
# not share one.
dist: $(DEV_STAMP)
	rm -f "$(DIST_DIR)"/*.tar.gz "$(DIST_DIR)"/*.whl
	work=$$(mktemp -d) && trap 'rm -rf "$$work"' EXIT && \
	for package in $(PLUGIN_DIRS); do \
		mkdir -p "$$work/$$package" && cp -R $$package/. "$$work/$$package" && \
		rm -rf "$$work/$$package/.pdm-build" && \
		$(BIN)/python -m build --quiet --no-isolation --outdir "$(DIST_DIR)" "$$work/$$package" || exit 1; \
	done
	$(BIN)/twine check --strict "$(DIST_DIR)"/*.tar.gz "$(DIST_DIR)"/*.whl

audit: $(DEV_STAMP) $(SYSTEM_STAMP) $(NPM_STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) tests/audit tests/test_html_validity.py

# Outside the tests: it takes minutes and measures, it does not judge.
# Save-to-screen (bench/preview.py) drives Chromium with Playwright.
bench: $(DEV_STAMP) $(SYSTEM_STAMP)
	$(BIN)/python bench/bench.py --posts $(BENCH_POSTS) --runs $(BENCH_RUNS)

.PHONY: help install html clean regenerate serve devserver publish deploy newpost webmentions replies check lint test test-fast audit dist bench
