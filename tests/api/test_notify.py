"""systemd's readiness protocol (Type=notify): the test owns the datagram
socket NOTIFY_SOCKET names, as systemd does, and reads what appointd sends."""
import glob
import os
import signal
import socket
import sqlite3
import struct
import subprocess

import pytest
import requests

from conftest import BIN, JWT_SECRET, ROOT, free_port

# Generous: under valgrind the start alone takes seconds. A bound, not a measurement.
WAIT = 60


def notify_socket(path):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    # The kernel then attaches the sender's pid to each message: systemd
    # (NotifyAccess=main) takes only those of the main process.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
    sock.bind(path)
    return sock


def log_text(log):
    log.seek(0)
    return log.read()


def receive(sock, timeout, log):
    """One notification as ({field: value}, sender pid); fails with the
    server's log when none comes."""
    sock.settimeout(timeout)
    try:
        data, ancillary, _, _ = sock.recvmsg(4096, socket.CMSG_SPACE(12))
    except socket.timeout:
        pytest.fail(f"no notification within {timeout} s; appointd's log:\n{log_text(log)}")
    pid = None
    for level, kind, cdata in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
            pid = struct.unpack("3i", cdata[:12])[0]
    fields = dict(line.split("=", 1) for line in data.decode().splitlines() if line)
    return fields, pid


def nothing_queued(sock):
    sock.setblocking(False)
    try:
        sock.recv(4096)
        return False
    except BlockingIOError:
        return True


def start(tmp_path, notify_path):
    port = free_port()
    env = dict(os.environ, APPOINTD_HOST="127.0.0.1", APPOINTD_PORT=str(port),
               DATABASE_URL="sqlite:" + str(tmp_path / "notify.db"), JWT_SECRET=JWT_SECRET,
               BCRYPT_COST="4", APPOINTD_LOG_LEVEL="info", NOTIFY_SOCKET=notify_path)
    log = open(tmp_path / "appointd.log", "w+")
    proc = subprocess.Popen([BIN, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
    return proc, port, log


def stop(proc):
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def applied_migrations(db):
    with sqlite3.connect(db) as conn:
        return {row[0] for row in conn.execute("SELECT name FROM schema_migrations")}


def test_ready_after_migrations_and_listen_stopping_on_sigterm(tmp_path):
    path = str(tmp_path / "notify.sock")
    sock = notify_socket(path)
    proc, port, log = start(tmp_path, path)
    try:
        ready, pid = receive(sock, WAIT, log)
        assert ready.get("READY") == "1", ready
        assert pid == proc.pid
        assert ready.get("STATUS") == f"listening on 127.0.0.1:{port}"
        # Once READY is in, the server answers at the first try and every
        # migration is recorded: systemd may start what depends on it.
        assert requests.get(f"http://127.0.0.1:{port}/health", timeout=WAIT).status_code == 200
        expected = {os.path.basename(f).split(".")[0]
                    for f in glob.glob(os.path.join(ROOT, "src/db/sqlite/migrations/*.sql"))}
        assert expected and {m.split(".")[0] for m in applied_migrations(tmp_path / "notify.db")} == expected
        assert nothing_queued(sock), "a notification came between READY and SIGTERM"

        proc.send_signal(signal.SIGTERM)
        stopping, pid = receive(sock, WAIT, log)
        assert stopping.get("STOPPING") == "1", stopping
        assert pid == proc.pid
        assert proc.wait(timeout=WAIT) == 0, log_text(log)
        assert nothing_queued(sock), "a notification came after STOPPING"
    finally:
        stop(proc)
        sock.close()


def test_unreachable_notify_socket_is_not_fatal(tmp_path):
    # systemd would fail such a start on its own timeout; by hand the server must serve.
    proc, port, log = start(tmp_path, str(tmp_path / "nobody-listens.sock"))
    try:
        url = f"http://127.0.0.1:{port}/health"
        answered = False
        for _ in range(WAIT * 20):
            assert proc.poll() is None, "appointd exited"
            try:
                answered = requests.get(url, timeout=5).status_code == 200
                break
            except requests.ConnectionError:
                try:
                    proc.wait(timeout=0.05)
                except subprocess.TimeoutExpired:
                    pass
        assert answered
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=WAIT) == 0
        assert "cannot notify the service manager" in log_text(log)
    finally:
        stop(proc)
