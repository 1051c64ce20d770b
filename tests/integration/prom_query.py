#!/usr/bin/env python3
"""prom_query.py - ask a Prometheus server's HTTP API (tests only).

  prom_query.py URL instant EXPR [TIME]   print "labels value ts" lines
  prom_query.py URL last SELECTOR        "value ts" of the newest sample
                                         (5 minutes back), per series
  prom_query.py URL range EXPR START END  print the number of series
  prom_query.py URL dashboard FILE START END
      every PromQL expression of a Grafana dashboard (panel targets and
      annotations, with $target as .* and $__rate_interval/$__interval as
      30s) must return data over [START, END]; prints one line each and
      exits 1 if one does not (or is not valid PromQL).  An optional
      sixth argument names a metric prefix whose expressions may be empty
      (they still must be valid PromQL).
"""
import json
import sys
import urllib.parse
import urllib.request


def api(url, path, **params):
    q = urllib.parse.urlencode(params)
    with urllib.request.urlopen(f"{url}/api/v1/{path}?{q}", timeout=30) as r:
        d = json.load(r)
    if d.get("status") != "success":
        raise SystemExit(f"prometheus: {d}")
    return d["data"]


def exprs(dash):
    for p in dash.get("panels", []):
        for t in p.get("targets", []):
            yield p.get("title", "?"), t["expr"]
    for a in dash.get("annotations", {}).get("list", []):
        if a.get("expr"):
            yield "annotation " + a.get("name", "?"), a["expr"]
    for v in dash.get("templating", {}).get("list", []):
        q = v.get("definition", "")
        if q.startswith("label_values("):
            inner = q[len("label_values("):-1]
            metric = inner.rsplit(",", 1)[0].strip()
            yield "variable " + v["name"], metric


def subst(e):
    for k, v in (("$target", ".*"), ("$__rate_interval", "30s"),
                 ("$__interval", "30s"), ("${datasource}", "")):
        e = e.replace(k, v)
    return e


def main():
    url, mode = sys.argv[1], sys.argv[2]
    if mode == "instant":
        params = {"query": sys.argv[3]}
        if len(sys.argv) > 4:
            params["time"] = sys.argv[4]
        for r in api(url, "query", **params)["result"]:
            m = dict(r["metric"])
            lab = ",".join(f"{k}={m[k]}" for k in sorted(m))
            print(lab, r["value"][1], r["value"][0])
    elif mode == "last":
        for r in api(url, "query", query=sys.argv[3] + "[5m]")["result"]:
            ts, v = r["values"][-1]
            print(v, ts)
    elif mode == "range":
        d = api(url, "query_range", query=sys.argv[3], start=sys.argv[4],
                end=sys.argv[5], step="1")
        print(len(d["result"]))
    elif mode == "dashboard":
        dash = json.load(open(sys.argv[3]))
        bad = 0
        for title, e in exprs(dash):
            q = subst(e)
            try:
                d = api(url, "query_range", query=q, start=sys.argv[4],
                        end=sys.argv[5], step="1")
                n = len(d["result"])
            except Exception as ex:  # a 400 for invalid PromQL
                print(f"ERROR {title}: {q}: {ex}")
                bad += 1
                continue
            allowed = len(sys.argv) > 6 and sys.argv[6] in q
            print(f"{'ok' if n else 'EMPTY'} {n} series: {title}: {q}"
                  + (" (allowed)" if not n and allowed else ""))
            bad += n == 0 and not allowed
        sys.exit(1 if bad else 0)


main()
