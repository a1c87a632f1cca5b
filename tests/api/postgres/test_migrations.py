"""PostgreSQL only: processes that start together on one empty database
migrate it once between them. 4 concurrent `appointd migrate` on an empty
database used to fail 1 to 3 of them in 6 of 8 trials ("migrations failed"):
they created schema_migrations at once, before taking the migration lock."""
import glob
import os
import re
import subprocess
import uuid

from conftest import BIN, ROOT

MIGRATIONS = sorted(os.path.basename(p) for p in glob.glob(os.path.join(ROOT, "src/db/postgres/migrations/*.sql")))


def psql(url, sql):
    return subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
                          capture_output=True, text=True, timeout=60, check=True).stdout.strip()


def fresh_database(server):
    name = "migrate_" + uuid.uuid4().hex[:12]
    psql(server.database_url, f"CREATE DATABASE {name}")
    return name, server.database_url.rsplit("/", 1)[0] + "/" + name


def drop_database(server, name):
    psql(server.database_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def migrate_at_once(server, url, n):
    env = dict(server.env, DATABASE_URL=url, APPOINTD_LOG_LEVEL="info")
    procs = [subprocess.Popen([BIN, "migrate"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True) for _ in range(n)]
    return [(p.wait(timeout=120), p.stdout.read()) for p in procs]


def test_concurrent_first_migrations_all_succeed_once(server):
    assert len(MIGRATIONS) >= 4, MIGRATIONS
    for trial in range(8):
        name, url = fresh_database(server)
        try:
            results = migrate_at_once(server, url, 4)
            for code, out in results:
                assert code == 0, f"trial {trial}: a migrate exited {code}:\n{out}"
            recorded = psql(url, "SELECT name, count(*) FROM schema_migrations GROUP BY name ORDER BY name")
            assert recorded.splitlines() == [f"{m}|1" for m in MIGRATIONS], (trial, recorded)
            applied = re.findall(r"applied migration (\S+)", "".join(out for _, out in results))
            assert sorted(applied) == MIGRATIONS, f"trial {trial}: each migration must be applied once: {applied}"
        finally:
            drop_database(server, name)


def test_failed_migration_logs_the_database_error(server):
    """A migration that fails says why, in the database's own words."""
    name, url = fresh_database(server)
    try:
        psql(url, "CREATE TABLE users (nothing int)")
        (code, out), = migrate_at_once(server, url, 1)
        assert code != 0, out
        assert re.search(r"migration 001_init\.sql failed: .*relation \"users\" already exists", out), out
        # Nothing of the failed migration was kept.
        assert psql(url, "SELECT count(*) FROM schema_migrations") == "0"
        assert psql(url, "SELECT to_regclass('sessions') IS NULL") == "t"
    finally:
        drop_database(server, name)
