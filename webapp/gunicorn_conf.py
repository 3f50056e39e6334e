"""gunicorn settings read by `make run` (`gunicorn -c python:webapp.gunicorn_conf`).

Each worker, once it has forked and loaded the app, imports the report statistics stack, starts
vl-convert's JavaScript engine with one tiny chart, compiles the app's templates and freezes the objects
alive so far out of the garbage collector's scans (webapp.reports.charts.warm_up, a few seconds per
worker), so the first report after a restart does not pay for them and no report pays for full
collections over them. Done in the worker, not in the master (vl-convert starts threads, which do not
survive a fork), and not at import of the app, which every `tandem` command loads. TANDEM_WARM_UP=0
turns it off.

Before that, the master checks once that the database schema is at this release's head revision and
refuses to start otherwise (webapp/schema.py): workers never migrate, `tandem db upgrade` does, first.
"""
import os
import sys
import time

# gunicorn 27 opens a control socket at one path per user (~/.gunicorn/gunicorn.ctl), which several Tandem
# hosts on one machine would share; Tandem does not use it. (Older gunicorns ignore the setting.)
control_socket_disable = True
# A sync worker is killed after `timeout` seconds of one request: a streamed download of a customer wave
# (100,000 responses take 10-20 s on 2 shared cores) must not be cut short at gunicorn's default 30 s.
timeout = 120


def on_starting(server):
    """In the master, once, before any worker forks: refuse to serve a database whose schema is not at head."""
    from webapp.config import ConfigError, load_config
    from webapp.schema import schema_problem

    try:
        problem = schema_problem(load_config()["DATABASE_URL"])
    except ConfigError as exc:
        problem = f"Configuration error: {exc}"
    if problem:
        server.log.error(problem)
        sys.exit(1)


def post_worker_init(worker):
    """In each worker, after it loaded the app and before its first request: the warm-up above."""
    if os.environ.get("TANDEM_WARM_UP", "1") == "0":
        return
    from webapp.reports.charts import warm_up

    started = time.perf_counter()
    warm_up(getattr(worker, "wsgi", None))
    worker.log.info("Worker %s: report charts warmed up in %.1f s", worker.pid, time.perf_counter() - started)
