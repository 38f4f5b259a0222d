# The two commands of the README. Everything else lives in .ci/.
.PHONY: run test

## make run: install what is missing, build, and serve at http://127.0.0.1:3000
run:
	@.ci/tools.sh app
	@. .ci/env.sh && cargo leptos serve --split

## make test: every test, on SQLite and PostgreSQL, and in Chromium
test:
	@.ci/test.sh
