"""A TypeScript client generated from /openapi.json (openapi-typescript types,
openapi-fetch calls) runs a whole booking flow under node: tsc --strict
checks every call and field it uses against the document, and the flow
checks what the server answers (tests/client/flow.ts). The tools are pinned
in the Makefile (make npm-tools, which tools/test.sh runs)."""
import os
import shutil
import subprocess

import pytest
import requests

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOOLS = os.path.join(ROOT, "build", "npm-tools", "node_modules")
OUT = os.path.join(ROOT, "build", "client")


def run(args, **kw):
    r = subprocess.run(args, capture_output=True, text=True, timeout=300, **kw)
    assert r.returncode == 0, f"{args[0]}: {r.stdout}\n{r.stderr}"
    return r.stdout


@pytest.fixture(scope="module")
def flow_js(server):
    assert os.path.isdir(TOOLS), "build/npm-tools is missing: run `make npm-tools`"
    os.makedirs(OUT, exist_ok=True)
    for name in ("flow.ts", "tsconfig.json"):
        shutil.copy(os.path.join(ROOT, "tests", "client", name), OUT)
    # The document as the server serves it, not the file in the tree.
    spec = os.path.join(OUT, "openapi.json")
    r = requests.get(server.url + "/openapi.json", timeout=30)
    assert r.status_code == 200
    with open(spec, "wb") as f:
        f.write(r.content)
    # Fields with a default stay optional in request bodies (v7 makes them
    # required unless told otherwise).
    run([os.path.join(TOOLS, ".bin", "openapi-typescript"), spec, "--default-non-nullable", "false",
         "-o", os.path.join(OUT, "schema.d.ts")])
    run([os.path.join(TOOLS, ".bin", "tsc"), "-p", OUT])
    return os.path.join(OUT, "out", "flow.js")


def test_generated_typescript_client_books_end_to_end(flow_js, base_url):
    out = run(["node", flow_js], env={**os.environ, "BASE_URL": base_url, "NODE_PATH": TOOLS})
    assert out.startswith("flow ok: booking ")
