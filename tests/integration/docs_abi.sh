#!/bin/sh
# docs_abi.sh - the docs match the SDK header: every ABI version they
# name is the header's BN_ABI_MAJOR.BN_ABI_MINOR, and docs/sdk.md names
# every host function, callback, option type and metric role of
# sdk/bottleneck/sdk.h (docs_abi.py says exactly what is checked).
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
need_cmd python3 "apt-get install python3"

python3 "$BN_TOP_SRCDIR/tests/integration/docs_abi.py" "$BN_TOP_SRCDIR" \
  >"$T/out" 2>&1 || { cat "$T/out"; fail "the docs do not match sdk.h"; }

# The check itself must catch a stale number: a copy of the tree whose
# sdk.md names another ABI fails it.
mkdir -p "$T/tree/docs" "$T/tree/sdk/bottleneck" "$T/tree/sdk/examples"
cp "$BN_TOP_SRCDIR"/docs/*.md "$BN_TOP_SRCDIR/docs/bottleneck.1.in" \
  "$T/tree/docs/"
cp "$BN_TOP_SRCDIR/sdk/bottleneck/sdk.h" "$T/tree/sdk/bottleneck/"
cp "$BN_TOP_SRCDIR/README.md" "$T/tree/"
cp "$BN_TOP_SRCDIR/sdk/examples/README.md" "$T/tree/sdk/examples/"
echo "This host speaks ABI 2.1." >>"$T/tree/docs/sdk.md"
if python3 "$BN_TOP_SRCDIR/tests/integration/docs_abi.py" "$T/tree" \
  >"$T/out" 2>&1; then
  fail "docs_abi.py accepted a stale 'ABI 2.1'"
fi
assert_contains "$T/out" "docs/sdk.md:"
assert_contains "$T/out" "'ABI 2.1'"
exit 0
