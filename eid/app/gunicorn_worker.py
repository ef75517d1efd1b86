"""``gunicorn -k eid.app.gunicorn_worker.Worker``: gevent with TCP_NODELAY."""
from eid.app.nodelay import gevent_worker_class

Worker = gevent_worker_class()
