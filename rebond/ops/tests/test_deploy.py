"""docs/deploy.md, followed on loopback: production settings, gunicorn with several workers,
WhiteNoise, PostgreSQL, the worker as its own process, /healthz; and clear start-up errors.

The commands and the environment come from the guide itself (its rebond.env block and the
ExecStart lines of its systemd units), so the guide cannot drift from what works.
"""

from __future__ import annotations

import getpass
import http.client
import json
import os
import re
import secrets
import shlex
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import pytest
from django.db import connection

from rebond.lib import envfile
from rebond.tests import live

GUIDE = live.ROOT / "docs" / "deploy.md"
INSTALL_BIN = "/srv/rebond/app/.venv/bin/"


def guide_env_block() -> str:
    """Return the guide's /etc/rebond/rebond.env block, as written."""
    text = GUIDE.read_text()
    section = text[text.index("Then write `/etc/rebond/rebond.env`") :]
    return section[section.index("```sh") + 5 : section.index("```", section.index("```sh") + 5)]


def guide_environment() -> dict[str, str]:
    """Return the variables the guide's rebond.env block sets, read as systemd reads it."""
    return envfile.parse(guide_env_block())


def unit_exec_start(unit: str) -> list[str]:
    """Return the ExecStart command of the guide's systemd unit `unit`, as arguments."""
    text = GUIDE.read_text()
    block = text[text.index(f"`/etc/systemd/system/{unit}`") :]
    block = block[block.index("```ini") : block.index("```", block.index("```ini") + 6)]
    command = re.search(r"^ExecStart=((?:.*\\\n)*.*)$", block, re.MULTILINE)
    assert command, f"no ExecStart in {unit}"
    return shlex.split(command.group(1).replace("\\\n", " "))


def secret_file_content(name: str) -> str:
    if name == "REBOND_KEYS_FILE":
        done = subprocess.run(
            [str(live.BIN / "rebond"), "keys", "generate"],
            capture_output=True, text=True, check=True, cwd=live.ROOT,
        )  # fmt: skip
        return done.stdout.strip()
    return secrets.token_urlsafe(50)


def loopback_environment(database_url: str, var_dir: Path) -> dict[str, str]:
    """Fill the guide's environment with values for this machine: files, loopback, scratch DB."""
    guide = guide_environment()
    files = {}
    # Every secret file the guide names under /etc/rebond, made here: random text, or for the
    # encryption keyring (once merged) a line from `rebond keys generate`, as the guide says.
    for name, value in guide.items():
        if name.endswith("_FILE") and value.startswith("/etc/rebond/"):
            path = var_dir / Path(value).name
            path.write_text(secret_file_content(name) + "\n")
            path.chmod(0o600)
            files[name] = str(path)
    local = {
        **files,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "https://127.0.0.1",
        "DATABASE_URL": database_url,
        "EMAIL_HOST": "127.0.0.1",
        "REBOND_VAR_DIR": str(var_dir),
    }
    # Every variable the guide lists is set, and only those: DEBUG and HTTPS keep their
    # defaults, as the guide says.
    assert set(local) <= set(guide), sorted(set(local) - set(guide))
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    return {**base, **guide, **local}


def command(argv: list[str], port: int) -> list[str]:
    """Point the guide's command at this checkout's virtualenv and a free port."""
    return [
        arg.replace(INSTALL_BIN, f"{live.BIN}/").replace("127.0.0.1:8000", f"127.0.0.1:{port}")
        for arg in argv
    ]


def get(port: int, path: str) -> tuple[int, dict[str, str], bytes]:
    """GET as nginx would pass it on: over plain HTTP, marked as having arrived over TLS."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(
            "GET",
            path,
            headers={
                "Host": "127.0.0.1",
                "X-Forwarded-Proto": "https",
                "X-Forwarded-For": "127.0.0.1",
            },
        )
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def health_within(port: int, status: int, seconds: float) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        got, _, body = get(port, "/healthz")
        if got == status or time.monotonic() > deadline:
            assert got == status, body
            result: dict[str, Any] = json.loads(body)
            return result
        time.sleep(0.25)


@contextmanager
def process(argv: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        proc = subprocess.Popen(
            argv, env=env, cwd=live.ROOT, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        try:
            yield proc
        finally:
            live.stop(proc)


def guide_blocks(heading: str, language: str = "sh") -> list[str]:
    """Return the `language` code blocks of the guide's section `heading`, in order."""
    text = GUIDE.read_text()
    start = text.index(heading)
    level = heading.split(" ")[0] + " "
    following = [text.find(f"\n{h} ", start + len(heading)) for h in ("##", level.strip())]
    end = min([i for i in following if i > 0], default=len(text))
    return re.findall(rf"```{language}\n(.*?)```", text[start:end], flags=re.DOTALL)


@dataclass
class Loopback:
    """This machine in the place of the guide's server: every difference, in one table.

    The guide's commands run as written, through /bin/sh, with these substitutions only: paths
    under a scratch directory instead of /etc/rebond and /srv/rebond; no sudo (the test runs
    as one user, so no -o/-g either); the suite's PostgreSQL server over TCP instead of the
    local socket with peer authentication, with unique database names; loopback host names;
    `createsuperuser` without a terminal. `systemctl` lines are done by the test itself:
    starting and stopping the ExecStart commands of the guide's units.
    """

    root: Path
    database: dict[str, Any]
    names: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        suffix = secrets.token_hex(4)
        self.names = {"rebond": f"rebond_deploy_{suffix}", "rebond_drill": f"rebond_drill_{suffix}"}
        for folder in ("etc", "bin", "backups", "var"):
            (self.root / folder).mkdir(parents=True)

    @property
    def server(self) -> str:
        d = self.database
        return f"-h {d['HOST'] or '127.0.0.1'} -p {d['PORT'] or 5432} -U {d['USER']}"

    def url(self, name: str) -> str:
        d = self.database
        return f"postgres://{d['USER']}@{d['HOST'] or '127.0.0.1'}:{d['PORT'] or 5432}/{name}"

    def localise(self, text: str) -> str:
        text = re.sub(
            r"sudo -u postgres (createdb|dropdb)(?: --owner rebond)? (\w+)",
            lambda m: f"{m[1]} {self.server} {self.names[m[2]]}",
            text,
        )
        text = re.sub(
            r"postgres://rebond@%2Frun%2Fpostgresql/(\w+)",
            lambda m: self.url(self.names[m[1]]),
            text,
        )
        table = [
            ("sudo -u postgres createuser rebond", ": the role exists"),
            ("rebond createsuperuser", "rebond createsuperuser --noinput --display_name Operator"),
            ("/srv/rebond/app/.venv/bin/", f"{live.BIN}/"),
            ("sudo -u rebond ", ""),
            (" -o root -g rebond", ""),
            (" -o rebond -g rebond", ""),
            ("sudo ", ""),
            ("/usr/local/bin/", f"{self.root}/bin/"),
            ("/etc/rebond/", f"{self.root}/etc/"),
            ("/srv/rebond/backups", f"{self.root}/backups"),
            ("/srv/rebond/var", f"{self.root}/var"),
            ("rebond.example.org", "127.0.0.1"),
            ("smtp.example.org", "127.0.0.1"),
        ]
        for guide, here in table:
            text = text.replace(guide, here)
        return text

    def shell_env(self) -> dict[str, str]:
        base = {key: os.environ[key] for key in ("HOME", "LANG") if key in os.environ}
        return {
            **base,
            "PATH": f"{self.root}/bin:{os.environ['PATH']}",
            "DJANGO_SUPERUSER_EMAIL": "operator@example.org",
            "DJANGO_SUPERUSER_PASSWORD": secrets.token_urlsafe(20),
        }

    def run(self, script: str, *, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run the guide's commands (without its systemctl lines) as one shell script."""
        lines = [line for line in script.splitlines() if "systemctl" not in line]
        done = subprocess.run(
            ["/bin/sh", "-ec", self.localise("\n".join(lines))],
            env=self.shell_env(), cwd=self.root, capture_output=True, text=True,
            stdin=subprocess.DEVNULL, timeout=300,
        )  # fmt: skip
        if check:
            assert done.returncode == 0, f"{script}\n{done.stdout}\n{done.stderr}"
        return done

    def service_env(self) -> dict[str, str]:
        """The environment systemd gives the units: the env file, read by systemd's rules."""
        env = envfile.read(str(self.root / "etc" / "rebond.env"))
        return {"PATH": os.environ["PATH"], "LANG": os.environ.get("LANG", "C.UTF-8"), **env}

    def unit_command(self, unit: str, port: int) -> list[str]:
        argv = [self.localise(arg).replace("%%", "%") for arg in unit_exec_start(unit)]
        return command(argv, port)

    def rebond(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.run(shlex.join(["rebond", *args]))

    def query(self, name: str, sql: str) -> list[tuple[Any, ...]]:
        import psycopg

        d = self.database
        conninfo = psycopg.conninfo.make_conninfo(
            dbname=name, host=d["HOST"] or "127.0.0.1", port=d["PORT"] or 5432, user=d["USER"],
            password=d["PASSWORD"] or None,
        )  # fmt: skip
        with psycopg.connect(conninfo) as db:
            return list(db.execute(sql).fetchall())

    def drop_databases(self) -> None:
        for name in self.names.values():
            subprocess.run(
                ["dropdb", *self.server.split(), "--if-exists", "--force", name],
                capture_output=True, check=False,
            )  # fmt: skip


class Services:
    """The guide's rebond-web and rebond-worker units, started and stopped as systemctl would."""

    def __init__(self, machine: Loopback, port: int, logs: Path) -> None:
        self.machine, self.port, self.logs = machine, port, logs
        self.running: list[subprocess.Popen[bytes]] = []
        self.log_files: list[BinaryIO] = []
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        env = self.machine.service_env()
        env["WORKER_HEARTBEAT_SECONDS"] = "1"  # so that a dead worker shows within seconds
        env["WORKER_HEARTBEAT_MAX_AGE_SECONDS"] = "3"
        for unit in ("rebond-web.service", "rebond-worker.service"):
            log = (self.logs / f"{unit}.{self.starts}.log").open("wb")
            self.log_files.append(log)
            self.running.append(
                subprocess.Popen(
                    self.machine.unit_command(unit, self.port),
                    env=env,
                    cwd=live.ROOT,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        live.wait_for(self.port)

    def stop(self) -> None:
        for proc in self.running:
            live.stop(proc)
        for log in self.log_files:
            log.close()
        self.running, self.log_files = [], []

    def restart(self) -> None:
        self.stop()
        self.start()

    def web_lines(self) -> list[str]:
        return [
            line
            for log in sorted(self.logs.glob("rebond-web.service.*.log"))
            for line in log.read_text().splitlines()
        ]


def run_with_restarts(machine: Loopback, services: Services, script: str) -> str:
    """Run a guide block, restarting the services where it says `systemctl restart`."""
    output, chunk = "", []
    for line in [*script.splitlines(), "systemctl end"]:
        if "systemctl" not in line:
            chunk.append(line)
            continue
        if chunk:
            output += machine.run("\n".join(chunk)).stdout
            chunk = []
        if "systemctl restart" in line:
            services.restart()
    return output


def get_as_forwarded(port: int, path: str) -> tuple[int, bytes]:
    """GET as through nginx: X-Forwarded-For holds a client address (documentation range)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={
            "Host": "127.0.0.1", "X-Forwarded-Proto": "https", "X-Forwarded-For": CLIENT,
        })  # fmt: skip
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


CLIENT = "203.0.113.7"
# A couple, and a video session ahead: the clinic's video room belongs to nobody in particular,
# so it is sealed under the keyring's data key (v1) and a backup holding it needs that key.
# (The partners' values are under subject keys, which no backup holds: see docs/deploy.md.)
SEED = """
from datetime import time, timedelta
from rebond.appointments import sessions
from rebond.appointments.models import Appointment, SessionType
from rebond.lib.clinic_time import clinic_today
from rebond.test import make_clinic, make_clinician, make_couple
clinician = make_clinician(make_clinic("Practice"), "Therapist")
couple = make_couple(clinician, "{label}")
kind = SessionType.objects.create(
    clinic=clinician.clinic, kind=SessionType.Kind.CONJOINT, name="Conjoint", duration_minutes=50
)
sessions.schedule_sessions(clinician, couple.id, sessions.ScheduleDraft(
    session_type_id=kind.id, clinician_id=clinician.id,
    day=clinic_today(clinician.clinic) + timedelta(days=7), clock=time(10, 0),
    mode=Appointment.Mode.VIDEO, video_link="https://video.example.test/room",
))
"""
READ = "from rebond.couples.models import Couple; print([c.label for c in Couple.objects.all()])"


@pytest.mark.postgresql
@pytest.mark.django_db
def test_the_deploy_guide_runs_as_written_on_postgresql_with_rotation_and_restore(
    tmp_path: Path,
) -> None:
    assert connection.vendor == "postgresql", "run in the PostgreSQL leg of make test"
    machine = Loopback(tmp_path / "server", dict(connection.settings_dict))
    services = Services(machine, live.free_port(), tmp_path)
    try:
        deploy_and_rotate(machine, services, tmp_path)
    finally:
        services.stop()
        machine.drop_databases()


def deploy_and_rotate(machine: Loopback, services: Services, tmp_path: Path) -> None:
    etc = machine.root / "etc"
    # --- Section 2: the directory, the `rebond` command, the env file, secrets, keyring, check.
    wrapper, env_block, secret_files, first_start = guide_blocks("## 2. Configure")
    machine.run(wrapper)
    (etc / "rebond.env").write_text(machine.localise(env_block))
    # Item 2: that very file reads the same in a shell and under systemd.
    sourced = machine.run('set -a; . "$1"; set +a; env'.replace("$1", str(etc / "rebond.env")))
    shell_env = dict(line.partition("=")[::2] for line in sourced.stdout.splitlines())
    systemd_env = envfile.read(str(etc / "rebond.env"))
    assert {name: shell_env.get(name) for name in systemd_env} == systemd_env
    assert systemd_env["DEFAULT_FROM_EMAIL"] == "Rebond <no-reply@127.0.0.1>"
    machine.run(secret_files)
    # Item 4: every secret file is the service user's alone.
    for name in ("secret_key", "audit_chain_key", "smtp_password", "keys"):
        assert (etc / name).stat().st_mode & 0o777 == 0o400, name
    keyring_copy = (etc / "keys").read_text()  # "a copy off the server"
    # Item 3: the keyring exists before the check, which passes; items 5 and 7: through `rebond`.
    done = machine.run(first_start)
    assert "System check identified no issues" in done.stdout
    assert "Traceback" not in done.stderr

    # --- Section 3: the units, and a first encrypted record under data-2026a.
    services.start()
    machine.rebond("shell", "-c", SEED.format(label="Rivera & Chen"))
    # The sweep's timer runs its oneshot unit; one run records the heartbeat /healthz reads.
    subprocess.run(
        machine.unit_command("rebond-safety-sweep.service", services.port),
        env=machine.service_env(), cwd=live.ROOT, check=True, capture_output=True,
    )  # fmt: skip
    assert health(services.port, 200) == {
        "status": "ok",
        "checks": {"database": "ok", "worker": "ok", "safety_sweep": "ok"},
    }
    status, body = get_as_forwarded(services.port, "/static/rebond/css/app.css")
    assert status == 200
    assert body == (live.ROOT / "rebond/static/rebond/css/app.css").read_bytes()
    status, body = get_as_forwarded(services.port, "/accounts/login/")
    assert status == 200
    assert b'name="password"' in body
    web = services.machine.unit_command("rebond-web.service", services.port)
    assert int(web[web.index("--workers") + 1]) >= 2

    # --- Section 4, "The first clinic": the printed link opens the enrolment, once.
    (first_clinic,) = guide_blocks("### The first clinic")
    created = machine.run(first_clinic)
    link = re.search(r"^  https://127\.0\.0\.1(/enrol/[\w-]{43}/)$", created.stdout, re.MULTILINE)
    assert link, created.stdout
    assert "could not be sent" in created.stdout  # no mail server on this machine
    enrol_once(services.port, link[1])

    # --- Section 6: the sweep says it ran, in one line (item 9).
    sweep = subprocess.run(
        machine.unit_command("rebond-safety-sweep.service", services.port),
        env=machine.service_env(), cwd=live.ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert sweep.stdout == "escalated 0, notifications sent 0\n"

    # --- Section 8: a nightly backup, then rotation.
    backup_unit = machine.unit_command("rebond-backup.service", services.port)
    subprocess.run(backup_unit, env=machine.service_env(), cwd=live.ROOT, check=True)
    (before_rotation,) = (machine.root / "backups").glob("rebond-*.backup")
    rotation, retirement = guide_blocks("### Rotation")
    status_report = run_with_restarts(machine, services, rotation)
    assert "data-2027a (current)" in status_report
    assert f"{before_rotation} (" in status_report
    assert "needs data-2026a" in status_report
    # Item 1: retirement refuses while the pre-rotation backup is in place; the line stays.
    refused = machine.run(retirement, check=False)
    assert "Not retired: data-2026a is still needed by 1 backup(s)" in refused.stderr
    assert " data-2026a " in (etc / "keys").read_text()
    # The operator deletes the line anyway (the case): the restore drill is refused
    # before anything is loaded, naming the key, and the spare database stays empty.
    machine.run(retirement.split("&& ", 1)[1].splitlines()[0])
    services.restart()  # start-up is fine: every stored value is under data-2027a now
    drill, real_restore = guide_blocks("### Restore, and the restore drill")
    refused = machine.run(drill, check=False)
    assert refused.returncode != 0
    assert "needs data key 'data-2026a', which the keyring lacks" in refused.stderr
    drill_db = machine.names["rebond_drill"]
    assert machine.query(
        drill_db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
    ) == [(0,)]
    machine.run(f"dropdb {machine.server} {drill_db}")
    # With the key back from its copy, the drill restores the old backup and verifies it.
    newest = [line for line in (etc / "keys").read_text().splitlines() if " data-2027a " in line]
    (etc / "keys").write_text(keyring_copy + "\n".join(newest) + "\n")
    (etc / "keys").chmod(0o400)
    restored = machine.run(drill)
    assert "Row counts match the backup's manifest." in restored.stdout
    assert "Audit chain intact" in restored.stdout
    # Once the backup has expired (the timer's find deletes it), the old key may go.
    before_rotation.unlink()
    run_with_restarts(machine, services, retirement)
    assert " data-2026a " not in (etc / "keys").read_text()
    assert "Rivera & Chen" in machine.rebond("shell", "-c", READ).stdout
    assert health(services.port, 200)["status"] == "ok"

    # A real restore, as the guide gives it, of tonight's backup (sealed after the rotation).
    subprocess.run(backup_unit, env=machine.service_env(), cwd=live.ROOT, check=True)
    (tonight,) = (machine.root / "backups").glob("rebond-*.backup")
    services.stop()
    real = real_restore.replace("/srv/rebond/backups/rebond-20270101T023000Z.backup", str(tonight))
    assert "Row counts match" in run_with_restarts(machine, services, real)
    services.start()
    assert "Rivera & Chen" in machine.rebond("shell", "-c", READ).stdout

    # Item 7: the operations are in the audit trail, by the host user, without values.
    audit = machine.query(
        machine.names["rebond"],
        "SELECT action, actor_label, reason FROM audit_auditentry WHERE actor_label LIKE 'cli:%'",
    )
    actions = [action for action, _, _ in audit]
    for action in (
        "account.create",
        "clinic.create",
        "staff.invitation.create",
        "backup.create",
        "keys.rotate",
        "backup.restore",
    ):
        assert action in actions, actions
    assert all(label.startswith(f"cli:{getpass.getuser()}@") for _, label, _ in audit)
    assert not [row for row in audit if "Rivera" in str(row)]

    # Item 6: every line gunicorn and Rebond wrote is JSON, naming the client, not the proxy.
    services.stop()
    lines = [json.loads(line) for line in services.web_lines()]
    access = [line for line in lines if line["logger"] == "gunicorn.access"]
    requests = [line for line in lines if line["logger"] == "rebond.requests"]
    assert access
    assert requests
    # The health checks come as from nginx itself; the pages as from a client.
    assert {line["client"] for line in access if line["path"] != "/healthz"} == {CLIENT}
    assert {line["client"] for line in requests if line["route"] != "healthz"} == {CLIENT}
    # The invitation link's token reached no line; gunicorn wrote its path as /enrol/-/.
    assert "/enrol/-/" in {line["path"] for line in access}
    assert link[1].split("/")[2] not in "\n".join(services.web_lines())

    # Item 9: with the database down, /healthz answers as section 9 documents.
    documented = json.loads(
        next(b for b in guide_blocks("## 9. Health", "json") if '"unknown"' in b)
    )
    down = machine.service_env()
    down["DATABASE_URL"] = machine.url(f"{machine.names['rebond']}_absent")
    port = live.free_port()
    with process(
        command(machine.unit_command("rebond-web.service", port), port), down, tmp_path / "down.log"
    ):
        live.wait_for(port)
        assert health(port, 503) == documented


def enrol_once(port: int, link: str) -> None:
    """Open the first admin's link through the proxy, set the password, and find it spent."""
    admin = live.HttpClient(port, forwarded_https=True)
    assert admin.request("GET", link)[:2] == (302, "/enrol/")
    status, page, _ = admin.request("GET", "/enrol/")
    assert status == 200
    assert "Welcome to Harbour Couples on Rebond, Ana García" in page
    password = secrets.token_urlsafe(16)
    posted = admin.request("POST", "/enrol/", {"password": password, "password_again": password})
    assert posted[:2] == (302, "/accounts/two-factor/setup/")
    # Logged in, yet nothing opens before the authenticator app is confirmed.
    status, location, _ = admin.request("GET", "/cases/")
    assert status == 302
    assert location.startswith("/accounts/two-factor/setup/")
    # The link works once.
    status, page, _ = live.HttpClient(port, forwarded_https=True).request("GET", link)
    assert status == 404
    assert "This invitation link does not work" in page


def health(port: int, status: int) -> dict[str, Any]:
    return health_within(port, status, 30)


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("SECRET_KEY_FILE", "SECRET_KEY (or SECRET_KEY_FILE) must be set"),
        ("AUDIT_CHAIN_KEY_FILE", "AUDIT_CHAIN_KEY"),
        ("ALLOWED_HOSTS", "ALLOWED_HOSTS must list"),
    ],
)
def test_start_up_without_a_required_setting_fails_naming_it(
    tmp_path: Path, missing: str, message: str
) -> None:
    env = loopback_environment(f"sqlite:///{tmp_path}/db.sqlite3", tmp_path)
    del env[missing]
    done = subprocess.run(
        [str(live.BIN / "rebond"), "check", "--deploy"],
        env=env,
        cwd=live.ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert message in done.stderr


def test_a_malformed_setting_stops_start_up_naming_the_variable(tmp_path: Path) -> None:
    env = loopback_environment(f"sqlite:///{tmp_path}/db.sqlite3", tmp_path)
    env["WORKER_HEARTBEAT_MAX_AGE_SECONDS"] = "a minute"
    done = subprocess.run(
        [str(live.BIN / "rebond"), "check"],
        env=env,
        cwd=live.ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "WORKER_HEARTBEAT_MAX_AGE_SECONDS='a minute'" in done.stderr
