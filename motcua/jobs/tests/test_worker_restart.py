"""The worker survives a restart without losing or repeating a task's effect (issue 5, "done when").

Real ``motcua worker`` processes run against their own database (a SQLite file; also a PostgreSQL database
when the suite runs on PostgreSQL). The test kills the worker with SIGKILL twice: once while a task is inside
its transaction (the effect is rolled back and must be redone), once after a task committed its effect but
before the worker marked it done (the effect must not be repeated). A restarted worker takes the orphaned
tasks back; at the end every task succeeded and every effect exists exactly once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.slow

KEYS = [f"k{i}" for i in range(6)]
PAUSE = 0.6

SETUP = """
from django.core.management import call_command
for app in ("auth", "django_tasks_database", "jobs"):
    call_command("migrate", app, verbosity=0)
from motcua.jobs.tests.tasks import slow_effect
for key in {keys!r}:
    slow_effect.enqueue(key, {pause!r}, {markers!r})
"""

REPORT = """
import json
from django.contrib.auth.models import Group
from django_tasks_db.models import DBTaskResult
tasks = {r.args_kwargs["args"][0]: [r.status, len(r.worker_ids), r.return_value]
         for r in DBTaskResult.objects.all()}
groups = sorted(g.name.split("-")[0] for g in Group.objects.all())
print(json.dumps({"tasks": tasks, "groups": groups}))
"""


def _databases(tmp: Path) -> Iterator[str]:
    yield f"sqlite:///{tmp / 'worker.sqlite3'}"
    main = settings.DATABASES["default"]
    if "postgresql" in str(main["ENGINE"]):
        import psycopg

        name = f"{str(main['NAME']).removeprefix('test_')}_restart"
        params = {
            "host": main.get("HOST") or "127.0.0.1",
            "port": main.get("PORT") or 5432,
            "user": main.get("USER") or "postgres",
            "password": main.get("PASSWORD") or None,
        }
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        password = f":{params['password']}" if params["password"] else ""
        yield f"postgres://{params['user']}{password}@{params['host']}:{params['port']}/{name}"


def _env(url: str, tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    env.update({"MOTCUA_DATABASE_URL": url, "MOTCUA_DATA_DIR": str(tmp), "PYTHONUNBUFFERED": "1"})
    return env


def _motcua(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "motcua", *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )


def _worker(env: dict[str, str], *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "motcua",
            "worker",
            "--interval",
            "0.05",
            "--no-startup-delay",
            "--no-schedule",
            "--heartbeat",
            "1",
            "--stale-after",
            "300",
            *extra,
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait_for(markers: Path, prefix: str, exclude: set[str], worker: subprocess.Popen[str]) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = sorted(p.name[2:] for p in markers.glob(f"{prefix}-*") if p.name[2:] not in exclude)
        if found:
            return found[0]
        if worker.poll() is not None:
            raise AssertionError(f"worker exited early:\n{worker.stdout.read() if worker.stdout else ''}")
        time.sleep(0.01)
    raise AssertionError(f"no {prefix} marker within 60 s")


def _kill(worker: subprocess.Popen[str]) -> None:
    worker.kill()  # SIGKILL: no clean-up of any kind
    worker.wait(timeout=30)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_the_worker_survives_a_restart_without_losing_or_repeating_a_tasks_effect(
    backend: str, tmp_path: Path
) -> None:
    urls = list(_databases(tmp_path))
    if backend == "postgres" and len(urls) < 2:
        pytest.skip("runs when the suite runs on PostgreSQL")
    url = urls[0] if backend == "sqlite" else urls[1]
    env = _env(url, tmp_path)
    markers = tmp_path / "markers"
    markers.mkdir()
    # given: six tasks whose effect is a new, randomly named row, guarded by an effect key
    _motcua(env, "shell", "-c", SETUP.format(keys=KEYS, pause=PAUSE, markers=str(markers)))

    # when: the worker is killed inside a task's transaction ...
    worker = _worker(env)
    in_transaction = _wait_for(markers, "A", set(), worker)
    _kill(worker)
    # ... restarted, and killed again after another task committed its effect but before it was marked done
    worker = _worker(env)
    committed = _wait_for(markers, "B", {in_transaction}, worker)
    _kill(worker)
    # ... and restarted once more to finish the queue
    worker = _worker(env, "--batch")
    out, _ = worker.communicate(timeout=120)
    assert worker.returncode == 0, out

    # then: every task succeeded, and every effect happened exactly once
    report = json.loads(_motcua(env, "shell", "-c", REPORT).stdout.strip().splitlines()[-1])
    assert report["groups"] == KEYS
    tasks = report["tasks"]
    assert {k: v[0] for k, v in tasks.items()} == dict.fromkeys(KEYS, "SUCCESSFUL")
    # the task killed inside its transaction ran again and made its effect on the second attempt
    assert tasks[in_transaction][1:] == [2, "done"]
    # the task killed after its commit ran again, found its effect and did not repeat it
    assert tasks[committed][1:] == [2, "already done"]
    assert sum(v[1] for v in tasks.values()) == len(KEYS) + 2  # two attempts lost, none lost twice
