#!/usr/bin/python3
"""Checks that the route table and openapi.json list the same routes.

Usage: tools/check_routes.py [routes.c] [openapi.json]
       (defaults: src/api/routes.c and src/api/openapi.json of this repository)

src/api/routes.c is the only place a route exists; every route is one line
holding a C initializer {"METHOD", "/path/{param}", ...}. Paths are compared
literally, parameter names included. C comments in routes.c are ignored.

Exit status: 0 when the two sets of (method, path) are equal, 1 when they
differ (each difference printed as file:line: message), 2 when a file cannot
be read or parsed. Standard library only.
"""
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROUTE_RE = re.compile(r'\{\s*"(GET|POST|PUT|PATCH|DELETE)",\s*"(/[^"]*)"')
OPENAPI_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
PARAM_RE = re.compile(r"\{[^}/]*\}")


def display(path):
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def strip_c_comments(text):
    """Blanks out /* */ and // comments, keeping string and character
    literals and every newline, so line numbers stay right."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        nxt = text[i + 1] if i + 1 < n else ""
        if c == "/" and nxt == "*":
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append(re.sub(r"[^\n]", " ", text[i:end]))
            i = end
        elif c == "/" and nxt == "/":
            end = text.find("\n", i)
            end = n if end < 0 else end
            out.append(" " * (end - i))
            i = end
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(text[i:j])
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def read_routes(path):
    """Returns ({(method, path): first line}, [duplicate messages])."""
    with open(path, encoding="utf-8") as f:
        text = strip_c_comments(f.read())
    routes, dups = {}, []
    for lineno, line in enumerate(text.splitlines(), 1):
        for m in ROUTE_RE.finditer(line):
            key = (m.group(1), m.group(2))
            if key in routes:
                dups.append((lineno, "duplicate route %s %s (first at line %d)"
                             % (key[0], key[1], routes[key])))
            else:
                routes[key] = lineno
    return routes, dups


def read_openapi(path):
    """Returns {(METHOD, path): line of the path's key}."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    doc = json.loads(text)
    paths = doc.get("paths") if isinstance(doc, dict) else None
    if not isinstance(paths, dict):
        raise ValueError("no \"paths\" object")
    lines = text.splitlines()
    ops = {}
    for p, item in paths.items():
        if not isinstance(item, dict):
            continue
        key_re = re.compile(r'^\s*' + re.escape(json.dumps(p)) + r'\s*:')
        lineno = next((i for i, l in enumerate(lines, 1) if key_re.match(l)), 0)
        for method in item:
            if method in OPENAPI_METHODS:
                ops[(method.upper(), p)] = lineno
    return ops


def shape(path):
    return PARAM_RE.sub("{}", path)


def main(argv):
    if len(argv) > 3:
        print("usage: check_routes.py [routes.c] [openapi.json]", file=sys.stderr)
        return 2
    routes_path = argv[1] if len(argv) > 1 else os.path.join(ROOT, "src/api/routes.c")
    openapi_path = argv[2] if len(argv) > 2 else os.path.join(ROOT, "src/api/openapi.json")
    rname, oname = display(routes_path), display(openapi_path)
    try:
        routes, dups = read_routes(routes_path)
    except (OSError, UnicodeDecodeError) as e:
        print("%s:0: cannot read the route table: %s" % (rname, e))
        return 2
    try:
        ops = read_openapi(openapi_path)
    except (OSError, UnicodeDecodeError, ValueError) as e:
        print("%s:0: cannot read the OpenAPI document: %s" % (oname, e))
        return 2

    only_routes = sorted(set(routes) - set(ops), key=lambda k: (k[1], k[0]))
    only_openapi = sorted(set(ops) - set(routes), key=lambda k: (k[1], k[0]))
    shapes_openapi = {(m, shape(p)): p for m, p in only_openapi}
    shapes_routes = {(m, shape(p)): p for m, p in only_routes}

    findings = []
    for lineno, msg in dups:
        findings.append("%s:%d: %s" % (rname, lineno, msg))
    for m, p in only_routes:
        hint = shapes_openapi.get((m, shape(p)))
        hint = " (openapi.json has %s %s: parameter names differ)" % (m, hint) if hint else ""
        findings.append("%s:%d: route %s %s is not in %s%s"
                        % (rname, routes[(m, p)], m, p, oname, hint))
    for m, p in only_openapi:
        hint = shapes_routes.get((m, shape(p)))
        hint = " (the route table has %s %s: parameter names differ)" % (m, hint) if hint else ""
        findings.append("%s:%d: %s %s is not in the route table %s%s"
                        % (oname, ops[(m, p)], m, p, rname, hint))

    if findings:
        print("\n".join(findings))
        print("routes: %d in %s, %d in %s, %d differences"
              % (len(routes), rname, len(ops), oname, len(only_routes) + len(only_openapi)),
              file=sys.stderr)
        return 1
    print("routes: %d routes match openapi.json" % len(routes))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
