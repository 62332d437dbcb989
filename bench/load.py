"""Load: gunicorn serving the demo city with a 200,000-student exam loaded; wrk on loopback, bounded in time.

    .venv/bin/python bench/load.py [--seconds 20] [--connections 50] [--workers 3]

Prints, from one run on one machine (requests/s, median and p95 latency in ms, errors):
- the mix at 50 concurrent connections: the ranking page, a school's page (bureau and its principal),
  the home page, and the ranking's Excel export (errors must be 0);
- the ceiling: a bare view rendering a 50-row table from PostgreSQL, 8 connections;
- the ranking page and a school page alone at 8 connections: each must reach half the ceiling.

The server is the production set-up (DEBUG=0, gunicorn sync workers, persistent database
connections, WhiteNoise); the database is the score bench's (bench/score_import.py builds it, and
this script builds it the same way if it is missing). Needs Debian's `wrk` (`make bench` installs it).
"""

import argparse
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from importlib import import_module
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/eq_bench_scores"
# One key for this process (which writes the sessions) and the server (which checks their auth hash).
os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
PORT = 8791
LUA = """
local targets = {TARGETS}
local counter = 0
request = function()
  counter = counter + 1
  local target = targets[(counter % #targets) + 1]
  return wrk.format("GET", target[1], {["Cookie"] = target[2], ["Host"] = "127.0.0.1"})
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %.1f %.1f %d\\n", summary.requests, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def setup(database_url: str):
    from bench import score_import

    score_import.setup_django(database_url)
    score_import.ensure_database(database_url)
    from django.core.management import call_command

    from monitoring.models import Exam

    call_command("migrate", verbosity=0)

    exam = Exam.objects.filter(code=score_import.EXAM_CODE, status=Exam.Status.READY).first()
    if exam is None or not exam.statistics.exists():
        from monitoring.score_import import import_scores
        from monitoring.statistics import compute_exam

        path = score_import.prepare(200_000)
        exam = Exam.objects.get(code=score_import.EXAM_CODE)
        import_scores(exam, path.read_bytes(), path.name, report=lambda percent, message: None)
        compute_exam(exam)
    return exam


def session_cookie(username: str) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from eduquality.models import User

    user = User.objects.get(username=username)
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def start_server(database_url: str, workers: int, var_dir: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.load_site.settings",
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "EDUQUALITY_VAR_DIR": str(var_dir),
    }
    env.pop("CELERY_BROKER_URL", None)
    python = sys.executable
    subprocess.run([python, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    gunicorn = [python, "-m", "gunicorn", "eduquality.wsgi", "-w", str(workers), "-b", f"127.0.0.1:{PORT}"]
    log = open(var_dir / "gunicorn.log", "w")  # noqa: SIM115 – closed with the process
    server = subprocess.Popen([*gunicorn, "--timeout", "120"], cwd=ROOT, env={**env, "LOG_LEVEL": "ERROR"}, stderr=log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz/", timeout=2)
            return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("gunicorn did not answer /healthz/ within 30 s")


def wrk(targets: list[tuple[str, str]], connections: int, seconds: int) -> tuple[float, float, float, int, int]:
    """(requests/s, median ms, p95 ms, errors, requests) of wrk over these (path, cookie) targets."""
    lua = LUA.replace("TARGETS", ", ".join(f'{{"{path}", "{cookie}"}}' for path, cookie in targets))
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua)
    command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "30s", "-s", script.name]
    output = subprocess.run([*command, f"http://127.0.0.1:{PORT}/"], capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)
    requests, duration_us, median, p95, errors = re.search(
        r"RESULT (\d+) (\d+) ([\d.]+) ([\d.]+) (\d+)", output
    ).groups()
    return int(requests) / (int(duration_us) / 1e6), float(median), float(p95), int(errors), int(requests)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def check_targets(targets: list[tuple[str, str]]) -> None:
    """Every target answers 200 to its cookie: a login redirect would look fast and prove nothing."""
    opener = urllib.request.build_opener(NoRedirect)
    for path, cookie in targets:
        request = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}", headers={"Cookie": cookie})
        try:
            status = opener.open(request, timeout=60).status
        except urllib.error.HTTPError as error:
            status = error.code
        if status != 200:
            log = Path(os.environ["EDUQUALITY_BENCH_LOG"]).read_text()[-3000:]
            raise SystemExit(f"{path} answered {status}, not 200: the benchmark would measure the wrong thing\n{log}")


def line(label: str, result) -> str:
    rate, median, p95, errors, requests = result
    return f"{label:<38} {rate:7.1f} req/s  median {median:7.1f} ms  p95 {p95:7.1f} ms  errors {errors} of {requests}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=DEFAULT_DATABASE)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--workers", type=int, default=3)  # as the Dockerfile runs gunicorn
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: `make bench` installs it (Debian package wrk)")
    exam = setup(args.database_url)
    from django.urls import reverse

    from schools.models import RoleAssignment

    principal_school = RoleAssignment.objects.get(user__username="principal", role="principal").school_id
    school_in_exam = exam.schools.filter(pk=principal_school).exists()
    bureau, principal = session_cookie("bureau"), session_cookie("principal")
    ranking = reverse("monitoring:exam-ranking", args=[exam.pk])
    school_page = reverse("monitoring:exam-school", args=[exam.pk, principal_school])
    mix = [
        (ranking, bureau),
        (school_page, bureau),
        (school_page if school_in_exam else "/", principal),
        ("/", bureau),
        ("/", principal),
        (ranking + "?export=xlsx", bureau),
    ]
    with tempfile.TemporaryDirectory() as var_dir:
        server = start_server(args.database_url, args.workers, Path(var_dir))
        os.environ["EDUQUALITY_BENCH_LOG"] = str(Path(var_dir) / "gunicorn.log")
        try:
            check_targets([*mix, ("/bench/bare/", bureau)])
            wrk(mix, 4, 3)  # warm every worker's connection and caches
            print(
                f"gunicorn {args.workers} sync workers, CONN_MAX_AGE on; wrk {args.seconds} s per run; "
                f"load average before: {os.getloadavg()[0]:.2f}"
            )
            mixed = wrk(mix, args.connections, args.seconds)
            print(line(f"mix, {args.connections} connections", mixed))
            ceiling = wrk([("/bench/bare/", bureau)], 8, args.seconds)
            print(line("bare 50-row view, 8 connections", ceiling))
            for label, path in (("ranking page", ranking), ("school page", school_page)):
                alone = wrk([(path, bureau)], 8, args.seconds)
                share = alone[0] / ceiling[0]
                print(line(f"{label}, 8 connections", alone) + f"  = {share:.2f} × ceiling (target ≥ 0.5)")
            if mixed[3]:
                print(f"ERRORS in the mix: {mixed[3]}")
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
