#!/bin/sh
# report_paper.sh - the PDF's paper (issue 16: US Letter only): A4 by
# default outside North America, letter where the locale's territory
# uses it (LC_ALL, LC_PAPER, LANG), --paper a4|letter over the locale,
# a bad size named, --paper refused by a reporter without pages.
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
need_cmd chromium "apt-get install chromium"
need_cmd pdfinfo "apt-get install poppler-utils"
exclusive # Chromium loads the machine
FIXTURE="$BN_TOP_BUILDDIR/tests/helpers/report_fixture"

"$FIXTURE" "$T/mini.db" --mini || fail "report_fixture"
size() { # the PDF's page size in whole points, "W x H"
  pdfinfo "$1" | sed -n 's/^Page size: *\([0-9]*\)[.0-9]* x \([0-9]*\).*/\1 x \2/p'
}
pdf() { # NAME "VAR=VALUE ..." ARGS...: a PDF into $T/NAME.pdf
  name=$1
  vars=$2
  shift 2
  # shellcheck disable=SC2086
  env -u LC_ALL -u LC_PAPER -u LANG $vars "$BN" report --db "$T/mini.db" \
    -f pdf -o "$T/$name.pdf" "$@" 2>"$T/err" ||
    { cat "$T/err"; fail "pdf $name"; }
}
pdf de "LC_ALL=de_DE.UTF-8"
pdf c "LANG=C"
pdf none ""
pdf us "LANG=en_US.UTF-8"
pdf ca "LC_PAPER=fr_CA.UTF-8 LANG=de_DE.UTF-8"
pdf us_a4 "LANG=en_US.UTF-8" --paper a4
pdf de_letter "LC_ALL=de_DE.UTF-8" --paper letter
for n in de c none us_a4; do
  [ "$(size "$T/$n.pdf")" = "594 x 841" ] ||
    fail "$n: page $(size "$T/$n.pdf") pt, want A4 (594.96 x 841.92)"
done
for n in us ca de_letter; do
  [ "$(size "$T/$n.pdf")" = "612 x 792" ] ||
    fail "$n: page $(size "$T/$n.pdf") pt, want letter (612 x 792)"
done
# the HTML page asks for the same paper when printed
"$BN" report --db "$T/mini.db" -f html --paper letter -o "$T/p.html" ||
  fail "html --paper"
assert_contains "$T/p.html" "@page{size:letter"
expect_rc 4 "$BN" report --db "$T/mini.db" -f pdf --paper b5 -o "$T/x.pdf"
assert_contains "$T/err" "unknown paper 'b5': use a4, letter or auto"
expect_rc 2 "$BN" report --db "$T/mini.db" -f text --paper a4
assert_contains "$T/err" "--paper: reporter text has no paper size"
echo "report_paper: ok"
