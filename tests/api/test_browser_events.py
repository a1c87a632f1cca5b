"""A browser's EventSource on the event stream: Debian's Chromium, driven by
playwright-core (pinned in the Makefile's NPM_TOOLS), loads a page from
another origin listed in CORS_ORIGINS, gets a ticket with its Bearer token
and opens an EventSource with it, and sees a booking made through the API
(tests/browser/event_stream.js)."""
import http.server
import json
import os
import shutil
import subprocess
import threading

import pytest

from booking_helpers import book_ok, future_monday, lz
from conftest import ROOT, Server, free_port, new_user
from sse_helpers import open_all_week

TOOLS = os.path.join(ROOT, "build", "npm-tools", "node_modules")
SCRIPT = os.path.join(ROOT, "tests", "browser", "event_stream.js")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


class Page(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"<!doctype html><title>appointd events</title><p>events</p>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.mark.slow_under_valgrind  # timing-bound
def test_event_source_in_chromium_sees_a_booking(database_url):
    assert os.path.isdir(os.path.join(TOOLS, "playwright-core")), "run `make npm-tools`"
    assert os.path.exists(CHROMIUM), "chromium is missing: tools/deps.sh test installs it"
    page = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Page)
    threading.Thread(target=page.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{page.server_address[1]}"
    srv = Server(database_url, CORS_ORIGINS=origin)
    try:
        provider = new_user(srv.url, "provider")
        svc = open_all_week(provider)
        customer = new_user(srv.url)
        node = subprocess.Popen(["node", SCRIPT], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env={**os.environ, "NODE_PATH": TOOLS, "PAGE_URL": origin + "/",
                                     "API_URL": srv.url, "TOKEN": customer.token, "CHROMIUM": CHROMIUM})
        try:
            assert node.stdout.readline().strip() == "open", node.stderr.read()
            b = book_ok(customer, svc["id"], lz(future_monday(min_days=40), "04:00"))
            out, err = node.communicate(timeout=30)
        finally:
            if node.poll() is None:
                node.kill()
                node.wait()
        assert node.returncode == 0, err
        got = json.loads(out.strip().splitlines()[-1])
        assert got["data"] == b
        assert int(got["id"]) > 0
    finally:
        page.shutdown()
        assert srv.stop() == 0
