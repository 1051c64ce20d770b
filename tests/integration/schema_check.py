"""schema_check.py MODEL SCHEMA - check a report model against the JSON
Schema subset docs/schemas/report.schema.json uses (type, const, enum,
properties, required, additionalProperties, items, prefixItems): the
schema documents the model, and this keeps the two from drifting.  Exits
1 with the first mismatch's path."""
import json
import sys

TYPES = {"object": dict, "array": list, "string": str, "boolean": bool,
         "null": type(None), "integer": int, "number": (int, float)}


def is_type(v, t):
    if t in ("integer", "number") and isinstance(v, bool):
        return False
    return isinstance(v, TYPES[t])


def check(v, s, path):
    if "const" in s and v != s["const"]:
        raise ValueError("%s: %r is not %r" % (path, v, s["const"]))
    if "enum" in s and v not in s["enum"]:
        raise ValueError("%s: %r not in %r" % (path, v, s["enum"]))
    if "type" in s:
        ts = s["type"] if isinstance(s["type"], list) else [s["type"]]
        if not any(is_type(v, t) for t in ts):
            raise ValueError("%s: %r is not %s" % (path, v, ts))
    if isinstance(v, dict):
        props = s.get("properties", {})
        for k in s.get("required", []):
            if k not in v:
                raise ValueError("%s: %s missing" % (path, k))
        for k, x in v.items():
            if k in props:
                check(x, props[k], path + "." + k)
            elif s.get("additionalProperties", True) is False:
                raise ValueError("%s: %s not in the schema" % (path, k))
    if isinstance(v, list):
        pre = s.get("prefixItems", [])
        for i, x in enumerate(v):
            sub = pre[i] if i < len(pre) else s.get("items")
            if sub:
                check(x, sub, "%s[%d]" % (path, i))


model, schema = (json.load(open(p)) for p in sys.argv[1:3])
try:
    check(model, schema, "$")
except ValueError as e:
    print("schema mismatch:", e)
    sys.exit(1)
