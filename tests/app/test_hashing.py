"""Password hashing off the event loop (eid.web.hashing): gevent's thread pool under
gevent, a plain call otherwise; the factory wraps the argon2 hasher in it."""
from __future__ import annotations

import subprocess
import sys
import textwrap
import threading

import pytest

from eid.accounts.errors import InvalidCredentials
from eid.accounts.passwords import Hasher
from eid.web.hashing import OffLoopHasher, on_gevent
from eid.web.unit_of_work import parts


class Recording:
    """A hasher that notes the thread each call ran in."""

    def __init__(self) -> None:
        self.inner, self.threads = Hasher.for_tests(), []

    def _note(self) -> None:
        self.threads.append(threading.get_ident())

    def hash(self, password):  # type: ignore[no-untyped-def]
        self._note()
        return self.inner.hash(password)

    def verify(self, stored, password):  # type: ignore[no-untyped-def]
        self._note()
        self.inner.verify(stored, password)

    def needs_rehash(self, stored):  # type: ignore[no-untyped-def]
        return self.inner.needs_rehash(stored)

    def dummy_verify(self):  # type: ignore[no-untyped-def]
        self._note()
        self.inner.dummy_verify()


def test_without_gevent_the_hash_runs_in_the_callers_thread():
    assert not on_gevent()
    inner = Recording()
    hasher = OffLoopHasher(inner)
    stored = hasher.hash("Rv#9-Tq!Wz4k")
    hasher.verify(stored, "Rv#9-Tq!Wz4k")
    hasher.dummy_verify()
    assert inner.threads == [threading.get_ident()] * 3
    assert hasher.needs_rehash(stored) is False


@pytest.mark.parametrize("stored", ["wrong password", "not an argon2 hash"])
def test_a_mismatch_still_raises_invalid_credentials(stored):
    hasher = OffLoopHasher(Hasher.for_tests())
    good = hasher.hash("Rv#9-Tq!Wz4k")
    with pytest.raises(InvalidCredentials):
        if stored == "wrong password":
            hasher.verify(good, stored)
        else:
            hasher.verify(stored, "Rv#9-Tq!Wz4k")


def test_the_app_hashes_passwords_through_the_adapter(app):
    hasher = parts(app).hasher
    assert isinstance(hasher, OffLoopHasher) and isinstance(hasher.inner, Hasher)


UNDER_GEVENT = textwrap.dedent('''
    from gevent import monkey
    monkey.patch_all()
    import gevent, json
    from eid.accounts.errors import InvalidCredentials
    from eid.accounts.passwords import Hasher
    from eid.web.hashing import OffLoopHasher, on_gevent

    native = monkey.get_original("threading", "get_ident")
    RealEvent = monkey.get_original("threading", "Event")
    loop_ran = RealEvent()
    seen = {}

    class Waits:
        """Its hash finishes only once a greenlet has run: on the loop it would wait forever."""
        inner = Hasher.for_tests()
        def hash(self, password):
            import os
            seen["thread"] = native()
            seen["idle_priority"] = os.sched_getscheduler(0) == os.SCHED_IDLE
            seen["loop_ran_meanwhile"] = loop_ran.wait(10)
            return self.inner.hash(password)
        def verify(self, stored, password):
            self.inner.verify(stored, password)
        def needs_rehash(self, stored):
            return False
        def dummy_verify(self):
            pass

    hasher = OffLoopHasher(Waits())
    ticker = gevent.spawn_later(0.01, loop_ran.set)
    stored = hasher.hash("Rv#9-Tq!Wz4k")
    try:
        hasher.verify(stored, "a wrong guess")
        mismatch = None
    except InvalidCredentials as exc:
        mismatch = exc.error
    import os
    seen["loop_at_normal_priority"] = os.sched_getscheduler(0) == os.SCHED_OTHER
    print(json.dumps({"on_gevent": on_gevent(), "main": native(), **seen,
                      "verified": hasher.verify(stored, "Rv#9-Tq!Wz4k") is None,
                      "mismatch": mismatch}))
''')


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SCHED_IDLE is Linux's")
def test_under_gevent_the_hash_runs_in_the_thread_pool_while_the_loop_serves():
    import json

    r = subprocess.run([sys.executable, "-c", UNDER_GEVENT], capture_output=True, text=True,
                       timeout=60, check=False)
    assert r.returncode == 0, r.stderr[-2000:]
    got = json.loads(r.stdout.strip().splitlines()[-1])
    assert got["on_gevent"] is True and got["thread"] != got["main"]
    assert got["loop_ran_meanwhile"] is True
    assert got["idle_priority"] is True and got["loop_at_normal_priority"] is True
    assert got["verified"] is True and got["mismatch"] == "invalid_credentials"


SQLITE_UNDER_GEVENT = textwrap.dedent('''
    from gevent import monkey
    monkey.patch_all()
    import json, sys
    from sqlalchemy import text
    from eid.app import create_app
    from eid.accounts.passwords import Hasher
    from eid.web.db import db
    from eid.web.hashing import OffLoopHasher

    native = monkey.get_original("threading", "get_ident")
    where = []

    class Notes(Hasher):
        def hash(self, password):
            where.append("loop" if native() == main else "pool")
            return super().hash(password)

    main = native()
    app = create_app(json.loads(sys.argv[1]))
    hasher = OffLoopHasher(Notes(time_cost=1, memory_cost=1024, parallelism=1))
    with app.app_context():
        hasher.hash("before any write")
        db.session.execute(text("UPDATE account SET id = id WHERE 1 = 0"))
        hasher.hash("while the write lock is held")
        db.session.rollback()
        hasher.hash("after the rollback")
    print(json.dumps(where))
''')


def test_under_gevent_an_sqlite_write_lock_keeps_the_hash_on_the_loop(db_path, tmp_path):
    import json

    from tests.conftest import make_env

    env = make_env(f"sqlite:///{db_path}", tmp_path)
    r = subprocess.run([sys.executable, "-c", SQLITE_UNDER_GEVENT, json.dumps(env)],
                       capture_output=True, text=True, timeout=60, check=False)
    assert r.returncode == 0, r.stderr[-2000:]
    assert json.loads(r.stdout.strip().splitlines()[-1]) == ["pool", "loop", "pool"]
