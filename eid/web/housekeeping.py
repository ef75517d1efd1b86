"""Purging expired rows: once (``flask --app wsgi purge``) or every
``PURGE_INTERVAL_SECONDS`` in each server process.

The periodic job is a daemon thread (a greenlet under gevent's monkey-patching)
started by the first request a process serves, so each gunicorn worker runs one,
whether or not the app was built before the fork (``--preload``). Several workers
purging at once is harmless: each deletes what the others left. Off where the
interval is 0 (the test configuration's default).
"""
from __future__ import annotations

import logging
import os
import random
import threading
from datetime import timedelta
from typing import Any

from flask import Flask

from eid.accounts import purge
from eid.accounts.context import Settings
from eid.web.db import db
from eid.web.qr_wiring import store_for
from eid.web.unit_of_work import parts

log = logging.getLogger(__name__)


def purge_all(app: Flask) -> dict[str, int]:
    """Delete every expired row past its retention (accounts and QR-login store) and
    commit; returns the count per table."""
    with app.app_context():
        now = parts(app).clock.now()
        try:
            counts = purge.expired(db.session, now=now, settings=Settings.from_config(app.config),
                                   retention=_retention(app))
            store: Any = store_for(app)
            counts["qr_login_tx"] = int(store.purge(now)) if hasattr(store, "purge") else 0
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        finally:
            db.session.remove()
    return counts


def _retention(app: Flask) -> purge.Retention:
    days = int(app.config.get("PURGE_RETENTION_DAYS", 30))
    return purge.Retention(sessions=timedelta(days=days))


class PeriodicPurge:
    """One purge thread per process (a new one after a fork)."""

    def __init__(self, app: Flask, interval: float) -> None:
        self.app, self.interval = app, interval
        self._pid: int | None = None
        self._lock = threading.Lock()
        self.stop = threading.Event()
        self.runs = 0

    def ensure_started(self) -> None:
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid = os.getpid()
            self.stop = threading.Event()
            threading.Thread(target=self._loop, name="eid-purge", daemon=True).start()

    def _loop(self) -> None:
        # spread the workers' runs over the interval instead of all at once
        delay = random.uniform(0, self.interval / 4)
        while not self.stop.wait(delay):
            try:
                counts = purge_all(self.app)
                if any(counts.values()):
                    log.info("purged %s", {k: v for k, v in counts.items() if v})
            except Exception:
                log.exception("periodic purge failed")
            self.runs += 1
            delay = self.interval


def init_app(app: Flask) -> None:
    interval = float(app.config.get("PURGE_INTERVAL_SECONDS") or 0)
    if interval <= 0:
        return
    job = PeriodicPurge(app, interval)
    app.extensions["eid.purge_job"] = job
    app.before_request(job.ensure_started)
