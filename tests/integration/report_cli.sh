#!/bin/sh
# report_cli.sh - bad input to `bottleneck report`: one clear line and
# the right exit status, nothing written, the store untouched.
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
FIXTURE="$BN_TOP_BUILDDIR/tests/helpers/report_fixture"

"$FIXTURE" "$T/mini.db" --mini || fail "report_fixture"
before=$(sqlite3 "$T/mini.db" 'SELECT count(*) FROM samples' 2>/dev/null)

expect_rc 2 "$BN" report --db "$T/mini.db" --since yesterday-ish
assert_contains "$T/err" "--since 'yesterday-ish' is not a time: use 24h, 7d"
expect_rc 2 "$BN" report --db "$T/mini.db" --until 2026-13-45
assert_contains "$T/err" "--until '2026-13-45' is not a time"
# formats are what the installed reporters declare: none renders xml
expect_rc 4 "$BN" report --db "$T/mini.db" --format xml
assert_contains "$T/err" "no reporter plugin renders format 'xml' (formats here: html, pdf, json, text)"
expect_rc 2 "$BN" report --db "$T/mini.db" --preset tiny
assert_contains "$T/err" "--preset 'tiny' is not one of full, compact, ops"
expect_rc 2 "$BN" report --db "$T/mini.db" --format json --reporter text
assert_contains "$T/err" "give --format or --reporter, not both"
expect_rc 4 "$BN" report --db "$T/mini.db" --reporter nosuch
assert_contains "$T/err" "no reporter plugin named 'nosuch'"
expect_rc 5 "$BN" report --db "$T/mini.db" --run 99
assert_contains "$T/err" "has no run 99"
expect_rc 2 "$BN" report --db "$T/mini.db" --since 2026-11-21 --until 2026-11-20
assert_contains "$T/err" "the range ends before it starts"
expect_rc 5 "$BN" report --db "$T/nonexistent.db"
# an unwritable output: exit 4, the plugin named, no file
expect_rc 4 "$BN" report --db "$T/mini.db" -f html -o "$T/no/dir/r.html"
assert_contains "$T/err" "[reporter:html:html]"
[ ! -e "$T/no" ] || fail "a directory was made"
# PDF without Chromium: the html reporter fails (4), one line naming the package
BOTTLENECK_CHROMIUM=/nonexistent/chromium expect_rc 4 "$BN" report \
  --db "$T/mini.db" -f pdf -o "$T/r.pdf"
assert_contains "$T/err" "PDF needs Chromium, which is not installed: apt-get install chromium"
[ ! -e "$T/r.pdf" ] || fail "a PDF without Chromium"
# html without -o: a name from the profile, host and dates, in the cwd
(cd "$T" && "$BN" report --db "$T/mini.db" -f html 2>"$T/err") || fail "html"
[ -s "$T/bottleneck-mini-testhost-20261120.html" ] ||
  fail "default name: $(ls "$T")"
assert_contains "$T/err" "wrote bottleneck-mini-testhost-20261120.html"
after=$(sqlite3 "$T/mini.db" 'SELECT count(*) FROM samples' 2>/dev/null)
[ "$before" = "$after" ] || fail "the store changed: $before -> $after"
echo "bad input handled"
