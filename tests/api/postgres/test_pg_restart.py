"""PostgreSQL restarted, then stopped for a while, under booking load
(docs/RELIABILITY.md). On a cluster of its own (tools/pg_cluster.sh), so the
suite's database is left alone: appointd recovers by itself, what is asked
meanwhile gets 503 with the contract's body (never a 500, never a hang),
/health/ready follows the database, and every acknowledged booking is
there afterwards, with its event and audit row, none overlapping.
APPOINTD_FAULT_PG_DOWN_S: how long the cluster stays stopped (5 s here;
tools/soak.sh makes it 20)."""
import glob
import os
import subprocess
import tempfile
import time

import pytest

from conftest import ROOT, Server
from fault_helpers import READY_DOWN, BookingLoad, assert_nothing_lost, ready, record, wait_ready

DOWN_S = float(os.environ.get("APPOINTD_FAULT_PG_DOWN_S", "5"))
PG_BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: [int(x) for x in p.split("/")[4].split(".")])[-1]
SMALL = {"DB_STATEMENT_TIMEOUT": 1000, "DB_CONNECT_TIMEOUT": 2, "APPOINTD_READY_TIMEOUT_MS": 1000}


class Cluster:
    def __init__(self, path):
        self.dir = str(path)
        out = subprocess.run([os.path.join(ROOT, "tools", "pg_cluster.sh"), "start", self.dir],
                             capture_output=True, text=True, timeout=120, check=True)
        self.port = int(out.stdout.strip())
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/appointd"

    def pg_ctl(self, *args):
        # The tests run as root; the cluster belongs to the postgres user.
        subprocess.run(["runuser", "-u", "postgres", "--", f"{PG_BIN}/pg_ctl", "-D", f"{self.dir}/data",
                        "-l", f"{self.dir}/server.log", "-w", *args],
                       capture_output=True, text=True, timeout=120, check=True)

    def restart(self):
        self.pg_ctl("-m", "fast", "restart")  # restart reuses the start's options

    def stop(self):
        self.pg_ctl("-m", "fast", "stop")

    def start(self):
        # The options of tools/pg_cluster.sh start, which pg_ctl start does not keep.
        self.pg_ctl("-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                          "-c max_connections=300", "start")

    def remove(self):
        subprocess.run([os.path.join(ROOT, "tools", "pg_cluster.sh"), "stop", self.dir], timeout=120)


@pytest.fixture
def cluster():
    # Under /tmp like tools/test.sh's: the postgres user must reach it, and
    # pytest's own folders are root's alone.
    c = Cluster(tempfile.mkdtemp(prefix="appointd-pg-restart."))
    try:
        yield c
    finally:
        c.remove()


def test_restart_and_outage_under_booking_load(cluster):
    srv = Server(cluster.url, APPOINTD_LOG_LEVEL="info", **SMALL)
    print(f"\nappointd log: {srv.log.name}")
    load = None
    try:
        load = BookingLoad(srv.url).start()
        load.wait_for(201, 20, 30)
        assert ready(srv.url) == (200, {"status": "ok", "database": "ok"})

        t0 = time.monotonic()
        cluster.restart()
        load.wait_for(201, 20, 60)
        after_restart = time.monotonic() - t0

        cluster.stop()
        t_down = time.monotonic()
        wait_ready(srv.url, 503, 10)
        assert ready(srv.url) == (503, READY_DOWN)
        load.wait_for(503, 10, 30)
        time.sleep(max(0.0, DOWN_S - (time.monotonic() - t_down)))
        assert ready(srv.url) == (503, READY_DOWN)
        t_up = time.monotonic()
        cluster.start()
        recovered = wait_ready(srv.url, 200, 30)
        load.wait_for(201, 20, 60)
        load.stop()
        record("postgresql restart and outage", down_s=round(t_up - t_down, 1),
               restart_to_20_bookings_s=round(after_restart, 2),
               ready_after_start_s=round(recovered, 2),
               answers=load.summary(), **load.latency())
        try:
            load.assert_only({201, 409, 503})
        except AssertionError as e:
            lines = open(srv.log.name, errors="replace").read().splitlines()
            ids = {l.split()[-2] for l in lines if " 500 " in l and len(l.split()) > 2}
            told = [l for l in lines if any(i in l for i in ids)]
            raise AssertionError(f"{e}\nappointd's lines of those requests:\n" + "\n".join(told[-30:])) from None
    finally:
        if load:
            load.stopping.set()
        code = srv.stop()
    assert code == 0
    assert_nothing_lost(cluster.url, load)
