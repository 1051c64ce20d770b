#!/bin/sh
# exporter_email.sh - the `email` exporter sends the scripted episodes
# (test_episodes) through libcurl's SMTP to an aiosmtpd sink on loopback
# (python3-aiosmtpd), which refuses the first DATA with 451: the mail is
# tried again.  The test parses the mails: envelope, headers, a readable
# plain-text body, one mail per state change.
. "$(dirname "$0")/lib.sh"

need_cmd python3 "apt-get install python3"
# Debian's python3-aiosmtpd is for /usr/bin/python3, which may not be the
# first python3 on PATH
SMTPD_PY=""
for py in python3 /usr/bin/python3; do
  "$py" -c "import aiosmtpd" 2>/dev/null && { SMTPD_PY=$py; break; }
done
[ -n "$SMTPD_PY" ] ||
  skip "python3-aiosmtpd not installed (apt-get install python3-aiosmtpd)"
[ -f "$BN_PLUGIN_STAGE/exporter_email.so" ] ||
  skip "exporter_email not built (libcurl, json-c)"
[ -f "${BN_FIXTURE_PLUGINS:-}/episodes.so" ] || fail "fixture plugin not built"
mkdir "$T/fx" && cp "$BN_FIXTURE_PLUGINS/episodes.so" "$T/fx/" &&
  chmod 755 "$T/fx"
port=$(free_port)
tcp_listener "$port"
sp=$(free_port)
mkdir "$T/mail"
"$SMTPD_PY" "$BN_TOP_SRCDIR/tests/integration/smtp_sink.py" "$sp" "$T/mail" 1 \
  >"$T/sink.log" 2>&1 &
on_exit "kill $! 2>/dev/null"
i=0
until python3 -c "import socket; socket.create_connection(('127.0.0.1', $sp), 0.2)" 2>/dev/null; do
  i=$((i + 1)); [ $i -gt 100 ] && { cat "$T/sink.log"; fail "SMTP sink did not start"; }
  sleep 0.1
done

cat >"$T/p.yaml" <<YAML
name: mailtest
targets:
  - {name: web, host: 127.0.0.1, port: $port}
probes:
  - plugin: tcp
    interval: 100ms
anomaly:
  - plugin: test_episodes
    open_at: 3
    close_at: 12
exporters:
  - plugin: email
    url: "smtp://127.0.0.1:$sp"
    tls: none
    from: bottleneck@probe.example
    to: [noc@example.org, oncall@example.org]
    backoff: 200ms
YAML
"$BN" run -p "$T/p.yaml" --plugin-dir "$T/fx" --db "$T/h.db" -d 4s \
  --no-report </dev/null >"$T/out" 2>"$T/err" || { cat "$T/err"; fail "run failed"; }
[ "$(cat "$T/mail/refused.log" 2>/dev/null)" = 451 ] || fail "the sink refused nothing"
python3 - "$T/mail" <<'PY' || { cat "$T/err"; fail "mails"; }
import email, email.policy, json, os, sys
d = sys.argv[1]
mails = sorted(f for f in os.listdir(d) if f.endswith(".eml"))
assert len(mails) == 2, mails
msgs = []
for f in mails:
    env = json.load(open(os.path.join(d, f[:-4] + ".json")))
    assert env["from"] == "bottleneck@probe.example", env
    assert env["to"] == ["noc@example.org", "oncall@example.org"], env
    m = email.message_from_bytes(open(os.path.join(d, f), "rb").read(),
                                 policy=email.policy.default)
    msgs.append(m)
    assert m["From"] == "bottleneck@probe.example"
    assert "noc@example.org" in m["To"] or "noc@example.org" in str(m.get_all("To"))
    assert m.get_content_type() == "text/plain" and m["Date"]
    key = m["X-Bottleneck-Idempotency-Key"]
    assert m["Message-ID"] == f"<{key}@bottleneck>", (m["Message-ID"], key)
a, b = msgs
assert a["Subject"] == "[bottleneck] critical opened: test_episode on web", a["Subject"]
assert b["Subject"] == "[bottleneck] critical resolved: test_episode on web", b["Subject"]
body = a.get_content()
for want in ("critical opened: scripted episode on web: opened",
             "Target:     web", "Detector:   test_episodes (test_episode)",
             "Confidence: 0.70", "samples ", "latency ms: min",
             "profile mailtest, run 1"):
    assert want in body, (want, body)
assert "Ended:" in b.get_content()
# short lines: readable on a phone
assert max(len(l) for l in body.splitlines()) <= 100, body
print(body)
print("ok: two mails (opened, resolved), tried again after a 451")
PY
