#!/bin/sh
# report_html.sh - the HTML report of the mini data set in a real browser
# (headless Chromium), and the PDF made from it:
#  - hostile target names and messages (markup, quotes, script) stay
#    inert text: no tag of theirs reaches the page;
#  - the page renders at 1280 px and 390 px without console errors and
#    without a single network request (a proxy on loopback sees every
#    request Chromium would make; a control page with an outside image
#    and a script error shows that both checks can fail);
#  - at 390 px nothing is wider than the screen;
#  - screenshots at both widths are kept in tests/artifacts/ of the build;
#  - the PDF has pages and its text can be extracted (pdftotext).
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
need_cmd chromium "apt-get install chromium"
need_cmd pdftotext "apt-get install poppler-utils"
need_cmd python3 "apt-get install python3"
FIXTURE="$BN_TOP_BUILDDIR/tests/helpers/report_fixture"
ART="$BN_TOP_BUILDDIR/tests/artifacts"
mkdir -p "$ART"
exclusive # Chromium loads the machine

"$FIXTURE" "$T/mini.db" --mini || fail "report_fixture"
"$BN" report --db "$T/mini.db" -f html -o "$T/r.html" 2>"$T/err" ||
  { cat "$T/err"; fail "report"; }

# 1. inert: the hostile strings only appear escaped
for bad in '<img src=x onerror' '<script' '</script>' "alert('x')"; do
  if grep -qF -- "$bad" "$T/r.html"; then
    grep -nF -- "$bad" "$T/r.html" | head -3
    fail "unescaped '$bad' in the page"
  fi
done
assert_contains "$T/r.html" '&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;amp;'
assert_contains "$T/r.html" '&lt;/script&gt;&lt;script&gt;alert(&#39;x&#39;)'
# nothing to fetch: no URL, no resource reference (in-page anchors only)
if grep -nE '<[a-zA-Z][^>]*[[:space:]](src|href|action|srcset|data)=["'"'"']?[^#"'"'"']|url\(|@import' \
  "$T/r.html"; then
  fail "the page refers to something outside itself"
fi

# a proxy that records every request and answers none
python3 - "$T/proxy.port" "$T/proxy.log" <<'PY' &
import socket, sys, threading
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(64)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
log = open(sys.argv[2], "a")
def serve(c):
    try:
        line = c.recv(4096).split(b"\r\n")[0]
        log.write(line.decode("latin-1") + "\n")
        log.flush()
        c.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
    finally:
        c.close()
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PY
on_exit "kill $! 2>/dev/null"
i=0 # python starts slowly on a loaded machine: wait up to 20 s
until [ -s "$T/proxy.port" ]; do
  i=$((i + 1)); [ $i -gt 100 ] && fail "the recording proxy did not start"
  sleep 0.2
done
PORT=$(cat "$T/proxy.port")
touch "$T/proxy.log"

# page_requests: what the proxy saw, less Chromium's own background calls
# to its vendor's services (update checks, time), which it makes whatever
# page it shows; the page itself names no URL at all (checked below).
page_requests() {
  grep -vE '[ /.@](google\.com|googleapis\.com|gvt1\.com|gstatic\.com)[:/ ]' \
    "$T/proxy.log" || true
}

# page_console: the console messages in Chromium's log, less those of
# Chromium's own pages (chrome://, e.g. "Slow network is detected" from its
# new-tab components when the proxy refuses its vendor's services); a
# message of the page itself names its file:// source.
page_console() {
  grep "CONSOLE" "$T/chrome.log" |
    grep -vE 'source: (chrome|chrome-untrusted|chrome-extension|devtools)://' ||
    true
}

# browse FILE WIDTH OUT.png: screenshot; Chromium's log in $T/chrome.log
browse() {
  : >"$T/proxy.log"
  timeout 90 chromium --headless --no-sandbox --disable-gpu \
    --hide-scrollbars --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --disable-default-apps \
    --user-data-dir="$T/chrome-profile" \
    --proxy-server="http://127.0.0.1:$PORT" --proxy-bypass-list='<-loopback>' \
    --enable-logging=stderr --v=0 --window-size="$2,2400" \
    --screenshot="$3" "file://$1" >"$T/chrome.out" 2>"$T/chrome.log"
  [ -s "$3" ] || { tail -5 "$T/chrome.log"; fail "no screenshot of $1"; }
}

# the control: an outside image and a script error are both seen
cat >"$T/control.html" <<'EOF'
<!DOCTYPE html><html><body><img src="http://192.0.2.44/x.png">
<script>no_such_function();</script></body></html>
EOF
browse "$T/control.html" 800 "$T/control.png"
page_requests | grep -q "192.0.2.44" ||
  fail "control: the proxy did not see the outside request"
page_console | grep -q "source: file://$T/control.html" ||
  fail "control: no console error logged for the script error"

for w in 1280 390; do
  browse "$T/r.html" "$w" "$ART/report-$w.png"
  if [ -n "$(page_requests)" ]; then
    page_requests
    fail "the report made network requests at $w px"
  fi
  if [ -n "$(page_console)" ]; then
    page_console
    fail "console messages at $w px"
  fi
  echo "rendered at $w px: no requests, no console messages ($ART/report-$w.png)"
done

# 390 px: measure the page width with a script (in a copy without the
# page's script-forbidding policy; headless windows are at least 500 px
# wide, so the page itself is held to 390 px)
sed '/Content-Security-Policy/d; s|</head>|<style>body{width:390px}</style></head>|; s|</body>|<script>document.title = "W=" + document.body.scrollWidth;</script></body>|' \
  "$T/r.html" >"$T/measure.html"
timeout 90 chromium --headless --no-sandbox --disable-gpu --no-first-run \
  --user-data-dir="$T/chrome-profile" --window-size=390,800 --dump-dom \
  "file://$T/measure.html" >"$T/dom.html" 2>/dev/null
wid=$(sed -n 's/.*<title>W=\([0-9]*\)<\/title>.*/\1/p' "$T/dom.html")
[ -n "$wid" ] || fail "could not measure the page"
[ "$wid" -le 390 ] || fail "at 390 px the page is $wid px wide"
echo "at 390 px the page is $wid px wide"

# the PDF
"$BN" report --db "$T/mini.db" -f pdf -o "$T/r.pdf" 2>"$T/err" ||
  { cat "$T/err"; fail "pdf"; }
pages=$(pdfinfo "$T/r.pdf" | sed -n 's/^Pages: *//p')
[ "${pages:-0}" -ge 1 ] || fail "the PDF has no pages"
pdftotext "$T/r.pdf" "$T/r.txt" || fail "pdftotext"
assert_contains "$T/r.txt" "Bottleneck report: mini"
assert_contains "$T/r.txt" "web-1"
assert_contains "$T/r.txt" "Speed tests"
cp "$T/r.pdf" "$ART/report.pdf"
echo "PDF: $pages pages, text extracted"
