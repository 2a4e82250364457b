"""The backoffice's device API under a fleet of simulated kiosks, on SQLite and on PostgreSQL.

Starts real `balie backoffice serve` processes (uvicorn as shipped) on loopback, enrolls N kiosks through
`POST /api/v1/enroll` (codes made with the backoffice's own `new_enrollment_code`), then lets them run:
each kiosk sends a heartbeat every 10 s (staggered start) and, at random (exponential gaps, 30 s on
average), a visit's events as one batch of 3–6. Every request's latency is recorded on the client: one
asyncio process in which each kiosk has its own keep-alive connection, spoken by hand (`KioskLine`), so
the generator takes a few % of a core instead of more than the server (`--client httpx` for the old
way). Scenarios:

  steady      N kiosks for --seconds against one instance on SQLite, one on PostgreSQL, and two on
              PostgreSQL (round-robin by kiosk);
  saturation  12 kiosks per instance sending back to back (3 heartbeats to 1 event batch) for 15 s per
              configuration: the most requests/s it takes, to judge "linear scaling to two instances".
              (Before the cap on requests in flight, ~40 requests in flight froze an instance for the pool's
              30 s timeout; tests/backoffice/test_many_requests_at_once.py now guards that.)

Both databases are durable as in production: SQLite in WAL mode with its default synchronous setting, a
private PostgreSQL cluster (initdb/pg_ctl, as the `postgres` user under root) with fsync on. The CPU
columns say who used the 2 cores: the load generator, the backoffice process(es), and the whole machine.

Target: p99 < 50 ms for 500 kiosks on one instance (this 2-core machine), on SQLite and on PostgreSQL;
two instances on PostgreSQL take about twice the saturation throughput of one.

Figures (500 kiosks = 67 requests/s; 30–60 s steady runs, several each; other test runs often ran on
the same machine, so each is given with how busy the whole machine was, the "all CPU" column):

                      before (9c61179, httpx generator)        after (662fd15 on)
  SQLite steady       p50 12–15 ms, p99 103–432 ms,            p50 3–4 ms, p99 11–32 ms (machine 26–124 %);
                      once 6.9 s and an error                  p99 64–191 ms with the machine full (180–200 %)
  PostgreSQL steady   p50 12–145 ms, p99 245 ms–3.4 s          p50 4–8 ms, p99 22–41 ms (machine 90–170 %);
                                                               p99 97–160 ms with the machine full
  saturation, 1 inst. SQLite 119, PostgreSQL 103 requests/s    SQLite 505–690, PostgreSQL 580–656 (machine
                      (the generator was the bottleneck)       not full); 190–300 with the machine full
  same server before, this generator, machine full: SQLite p50 133 ms, p99 1.36 s, 72–120 requests/s;
  PostgreSQL 80 requests/s at saturation.

What did it: SQLite writers taking turns on a thread lock with BEGIN IMMEDIATE instead of sleeping in
SQLite's busy handler (backoffice/db.py); one trip to a worker thread per device request instead of five;
heartbeats and events in SQLAlchemy Core, a heartbeat in two statements; uvloop and httptools; this
generator instead of httpx (which took more CPU than the server). Server CPU per request: ~5 ms before,
~1.5 ms at saturation and ~2.3 ms at 67 requests/s after (waking a worker thread for each request is now
the largest single cost). What is still over: with both cores busy with other work, a request waits for
a core several times (event loop, worker thread, database) and p99 rises past 50 ms, though the server
then waits on no lock or timeout of its own. Two instances on PostgreSQL took 0.86–1.18× one instance: at saturation
one instance already uses a core, and PostgreSQL and the generator the other, so this machine cannot
show linear scaling; it needs more cores than instances.

Run: .venv/bin/python benchmarks/backoffice.py [--kiosks 500] [--seconds 60] [--only sqlite|postgres|scaling]
     [--client raw|httpx]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import glob
import itertools
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_P99_MS = 50.0
HEARTBEAT_SECONDS = 10.0
VISIT_MEAN_SECONDS = 30.0
SATURATION_SECONDS = 15.0
SATURATION_KIOSKS_PER_INSTANCE = 12
REQUEST_TIMEOUT = 30.0
EVENT_TYPES = ("task_done", "ticket_issued", "checked_in", "document_submitted")


# --- the databases -------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _postgres_binaries() -> Path:
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    if not candidates:
        raise SystemExit("PostgreSQL is missing: run `provisioning/setup-debian.sh --test`")
    return Path(candidates[-1]).parent


@contextlib.contextmanager
def postgres_cluster() -> Iterator[int]:
    """A private cluster as in tests/backoffice/postgres_fixture.py, but durable (fsync on): yields its port."""
    binaries = _postgres_binaries()
    root = Path(tempfile.mkdtemp(prefix="balie-bench-pg-"))
    data, sockets = root / "data", root / "run"
    sockets.mkdir()
    if os.geteuid() == 0:
        import pwd

        owner = pwd.getpwnam("postgres")
        os.chmod(root, 0o755)
        for path in (root, sockets):
            os.chown(path, owner.pw_uid, owner.pw_gid)
    port = free_port()
    pg_ctl = [str(binaries / "pg_ctl"), "-D", str(data)]
    try:
        subprocess.run(
            _as_postgres([str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                          "--locale=C.UTF-8"]),
            check=True, capture_output=True,
        )  # fmt: skip
        options = f"-k {sockets} -p {port} -c listen_addresses=127.0.0.1 -c max_connections=100"
        subprocess.run(
            _as_postgres([*pg_ctl, "-l", str(root / "server.log"), "-w", "-o", options, "start"]),
            check=True,
            capture_output=True,
        )
        yield port
    finally:
        subprocess.run(_as_postgres([*pg_ctl, "-m", "immediate", "stop"]), capture_output=True, check=False)
        shutil.rmtree(root, ignore_errors=True)


def create_database(port: int, name: str) -> str:
    import psycopg

    with psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres", autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/{name}"


# --- the backoffice --------------------------------------------------------------------------------------------


class Backoffice:
    """One `balie backoffice serve` process; its output goes to a log file in `folder`."""

    def __init__(self, database: str, folder: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = (folder / f"serve-{self.port}.log").open("wb")
        env = {**os.environ, "PYTHONPATH": str(ROOT), "BALIE_DATA": str(folder)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kiosk.cli", "backoffice", "serve", "--port", str(self.port),
             "--database", database],
            stdout=self._log, stderr=self._log, env=env, cwd=ROOT,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/openapi.json", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the backoffice did not start; see {self._log.name}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()


def enrollment_codes(database: str, folder: Path, count: int) -> list[str]:
    """Codes straight from the backoffice's own function (one process, one engine), not `count` CLI runs."""
    os.environ["BALIE_DATA"] = str(folder)
    from backoffice.db import make_engine, make_session_factory
    from backoffice.enrollment import new_enrollment_code
    from backoffice.settings import load_settings

    settings = load_settings(database)
    engine = make_engine(settings.database_url, pooled=False)
    try:
        with make_session_factory(engine)() as db:
            return [new_enrollment_code(db, settings, f"Stadhuis {i % 20}") for i in range(count)]
    finally:
        engine.dispose()


# --- the kiosks ------------------------------------------------------------------------------------------------


class KioskLine:
    """One kiosk's own keep-alive HTTP/1.1 connection, spoken by hand over asyncio streams.

    httpx cost the generator 3–6 ms of CPU per request, more than the server spent: on two cores the
    generator then competed with the server it measures. Real kiosks each have their own machine; this
    costs a few hundredths of that (`--client httpx` measures with httpx as before, for comparison).
    """

    def __init__(self, url: str, token: str) -> None:
        parts = urllib.parse.urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self._headers = (
            f"Host: {self.host}:{self.port}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        )
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def post(self, path: str, body: dict[str, object]) -> tuple[int, str]:
        try:
            return await self._exchange(path, json.dumps(body).encode())
        except (OSError, EOFError, ValueError, IndexError):
            self.close()  # a half-read answer leaves the line useless: the next request connects anew
            raise

    async def _exchange(self, path: str, data: bytes) -> tuple[int, str]:
        if self._streams is not None and self._streams[0].at_eof():
            self.close()  # the server closed it while idle (its keep-alive ran out): connect anew, as httpx does
        if self._streams is None:
            self._streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self._streams
        writer.write(f"POST {path} HTTP/1.1\r\n{self._headers}Content-Length: {len(data)}\r\n\r\n".encode() + data)
        status = int((await reader.readline()).split()[1])
        length, close = 0, False
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "connection":
                close = value.strip().lower() == "close"
        answer = (await reader.readexactly(length)).decode()
        if close:
            self.close()
        return status, answer

    def close(self) -> None:
        if self._streams is not None:
            self._streams[1].close()
            self._streams = None


class HttpxLine:
    """The same through a shared httpx.AsyncClient (`--client httpx`)."""

    def __init__(self, client: httpx.AsyncClient, url: str, token: str) -> None:
        self.client, self.url, self.headers = client, url, {"Authorization": f"Bearer {token}"}

    async def post(self, path: str, body: dict[str, object]) -> tuple[int, str]:
        answer = await self.client.post(f"{self.url}{path}", json=body, headers=self.headers)
        return answer.status_code, answer.text

    def close(self) -> None:
        pass


Line = KioskLine | HttpxLine


@dataclass
class Recorder:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""

    async def post(self, line: Line, path: str, body: dict[str, object]) -> None:
        started = time.perf_counter()
        try:
            status, text = await asyncio.wait_for(line.post(path, body), REQUEST_TIMEOUT)
            ok, problem = status == 200, f"{status} {text[:200]}"
        except (OSError, EOFError, ValueError, IndexError, TimeoutError, httpx.HTTPError) as exc:
            line.close()
            ok, problem = False, f"{type(exc).__name__} {exc}".strip()
        self.latencies.append(time.perf_counter() - started)
        if not ok:
            self.errors += 1
            self.first_error = self.first_error or problem


@dataclass(frozen=True)
class Kiosk:
    number: int
    url: str
    token: str


def heartbeat_body(started: float) -> dict[str, object]:
    printer = {"state": "degraded", "reason": "paper low"} if random.random() < 0.1 else {"state": "ok"}
    return {
        "version": "0.1.0",
        "uptime_seconds": int(time.monotonic() - started) + 3600,
        "health": {"printer": printer, "cardreader": {"state": "ok"}, "camera": {"state": "ok"}},
    }


def visit_body() -> dict[str, object]:
    """One citizen's visit: started, 1–4 things done, ended (3–6 events)."""
    session = uuid.uuid4().hex
    now = datetime.now(UTC).isoformat()
    types = ["session_started", *random.choices(EVENT_TYPES, k=random.randint(1, 4)), "session_ended"]
    return {
        "events": [
            {"id": str(uuid.uuid4()), "type": kind, "occurred_at": now, "session_id": session, "data": {"step": i}}
            for i, kind in enumerate(types)
        ]
    }


async def enroll(urls: list[str], codes: list[str]) -> list[Kiosk]:
    async with httpx.AsyncClient(timeout=60) as client:
        gate = asyncio.Semaphore(16)

        async def one(number: int, code: str) -> Kiosk:
            url = urls[number % len(urls)]
            async with gate:
                answer = await client.post(
                    f"{url}/api/v1/enroll", json={"code": code, "name": f"kiosk-{number}", "version": "0.1.0"}
                )
            answer.raise_for_status()
            return Kiosk(number, url, answer.json()["token"])

        return list(await asyncio.gather(*(one(i, code) for i, code in enumerate(codes))))


async def steady_kiosk(line: Line, rec: Recorder, stop_at: float) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    next_beat = started + random.uniform(0, HEARTBEAT_SECONDS)  # staggered start
    next_visit = started + random.expovariate(1 / VISIT_MEAN_SECONDS)
    while True:
        due = min(next_beat, next_visit)
        if due >= stop_at:
            return
        await asyncio.sleep(max(0.0, due - loop.time()))
        if due == next_beat:
            await rec.post(line, "/api/v1/heartbeat", heartbeat_body(started))
            next_beat += HEARTBEAT_SECONDS
        else:
            await rec.post(line, "/api/v1/events", visit_body())
            next_visit += random.expovariate(1 / VISIT_MEAN_SECONDS)


async def flat_out_kiosk(line: Line, rec: Recorder, stop_at: float) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    for turn in itertools.count():
        if loop.time() >= stop_at:
            return
        if turn % 4 == 3:
            await rec.post(line, "/api/v1/events", visit_body())
        else:
            await rec.post(line, "/api/v1/heartbeat", heartbeat_body(started))


# --- measuring -------------------------------------------------------------------------------------------------


def process_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of all cores since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    latencies_ms: list[float]
    errors: int
    first_error: str
    generator_cpu: float  # share of one core
    server_cpu: float  # share of one core, all instances together
    machine_cpu: float  # share of one core, the whole machine

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else float("nan")


async def run_load(
    name: str, kiosks: list[Kiosk], seconds: float, flat_out: bool, servers: list[Backoffice], client: str
) -> Result:
    limits = httpx.Limits(max_connections=len(kiosks), max_keepalive_connections=len(kiosks))
    rec = Recorder()
    async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT, limits=limits) as shared:
        lines: list[Line] = [
            KioskLine(k.url, k.token) if client == "raw" else HttpxLine(shared, k.url, k.token) for k in kiosks
        ]
        loop = asyncio.get_running_loop()
        cpu0, wall0 = time.process_time(), time.perf_counter()
        servers0 = sum(process_cpu(s.process.pid) for s in servers)
        busy0, total0 = machine_busy()
        stop_at = loop.time() + seconds
        body = flat_out_kiosk if flat_out else steady_kiosk
        await asyncio.gather(*(body(line, rec, stop_at) for line in lines))
        wall = time.perf_counter() - wall0
        for line in lines:
            line.close()
        busy1, total1 = machine_busy()
        cores = os.cpu_count() or 1
        return Result(
            name=name,
            requests=len(rec.latencies),
            seconds=wall,
            latencies_ms=[s * 1000 for s in rec.latencies],
            errors=rec.errors,
            first_error=rec.first_error,
            generator_cpu=(time.process_time() - cpu0) / wall,
            server_cpu=(sum(process_cpu(s.process.pid) for s in servers) - servers0) / wall,
            machine_cpu=(busy1 - busy0) / max(1, total1 - total0) * cores,
        )


def scenario(name: str, database: str, instances: int, folder: Path, args: argparse.Namespace) -> list[Result]:
    servers: list[Backoffice] = []
    try:
        servers.append(Backoffice(database, folder))  # the first one migrates; the others then start on it
        servers.extend(Backoffice(database, folder) for _ in range(instances - 1))
        codes = enrollment_codes(database, folder, args.kiosks)
        kiosks = asyncio.run(enroll([s.url for s in servers], codes))
        results = []
        if args.seconds > 0:
            results.append(asyncio.run(run_load(f"{name} steady", kiosks, args.seconds, False, servers, args.client)))
            print_row(results[-1], steady=True)
        sample = kiosks[: SATURATION_KIOSKS_PER_INSTANCE * instances]
        results.append(
            asyncio.run(run_load(f"{name} saturation", sample, SATURATION_SECONDS, True, servers, args.client))
        )
        print_row(results[-1], steady=False)
        return results
    finally:
        for server in servers:
            server.stop()


HEADER = (
    f"{'scenario':<34}{'req':>7}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}{'max ms':>8}{'errors':>7}"
    f"{'gen CPU':>8}{'srv CPU':>8}{'all CPU':>8}  p99<50ms"
)


def print_row(r: Result, steady: bool) -> None:
    verdict = ("ok" if r.percentile(99) < TARGET_P99_MS and r.errors == 0 else "OVER") if steady else "-"
    print(
        f"{r.name:<34}{r.requests:>7}{r.rate:>8.0f}{r.percentile(50):>8.1f}{r.percentile(99):>8.1f}"
        f"{max(r.latencies_ms, default=float('nan')):>8.0f}{r.errors:>7}"
        f"{r.generator_cpu:>7.0%} {r.server_cpu:>7.0%} {r.machine_cpu:>7.0%}  {verdict}",
        flush=True,
    )
    if r.first_error:
        print(f"    first error: {r.first_error}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--kiosks", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=60, help="steady run per scenario (0: saturation only)")
    parser.add_argument("--only", choices=("sqlite", "postgres", "scaling"))
    parser.add_argument(
        "--client", choices=("raw", "httpx"), default="raw", help="kiosk HTTP: hand-written HTTP/1.1 (light) or httpx"
    )
    args = parser.parse_args()
    random.seed(0)

    print(f"{args.kiosks} kiosks (heartbeat every {HEARTBEAT_SECONDS:.0f} s, a visit of 3–6 events every "
          f"~{VISIT_MEAN_SECONDS:.0f} s), {args.seconds:.0f} s steady; saturation: "
          f"{SATURATION_KIOSKS_PER_INSTANCE} kiosks/instance flat out for {SATURATION_SECONDS:.0f} s; "
          f"{os.cpu_count()} cores; CPU as share of one core")  # fmt: skip
    print(HEADER, flush=True)
    results: dict[str, list[Result]] = {}
    with tempfile.TemporaryDirectory(prefix="balie-bench-") as temp:
        folder = Path(temp)
        if args.only in (None, "sqlite"):
            (folder / "sqlite").mkdir()
            sqlite_url = f"sqlite:///{folder / 'sqlite' / 'balie.db'}"
            results["sqlite"] = scenario("SQLite, 1 instance", sqlite_url, 1, folder / "sqlite", args)
        if args.only in (None, "postgres", "scaling"):
            with postgres_cluster() as port:
                if args.only in (None, "postgres", "scaling"):
                    (folder / "pg1").mkdir()
                    url = create_database(port, "balie_one")
                    results["pg1"] = scenario("PostgreSQL, 1 instance", url, 1, folder / "pg1", args)
                if args.only in (None, "scaling"):
                    (folder / "pg2").mkdir()
                    url = create_database(port, "balie_two")
                    results["pg2"] = scenario("PostgreSQL, 2 instances", url, 2, folder / "pg2", args)
    if "pg1" in results and "pg2" in results:
        one, two = results["pg1"][-1].rate, results["pg2"][-1].rate
        print(f"scaling on PostgreSQL, saturation: 2 instances / 1 instance = {two / one:.2f}× (linear: 2.00×)")


if __name__ == "__main__":
    main()
