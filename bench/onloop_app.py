"""The product as it was before issue 11: the same app with argon2 run in the request's
greenlet (on gevent's loop), for the hashing benchmark's comparison
(``gunicorn bench.onloop_app:app``)."""
from __future__ import annotations

from wsgi import app

parts = app.extensions["eid.parts"]
parts.hasher = parts.hasher.inner  # the bare Hasher, without eid.web.hashing.OffLoopHasher
