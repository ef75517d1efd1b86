"""Production: ``gunicorn -c gunicorn.conf.py wsgi:app``.

Several gevent workers (thousands of idle sockets each, ~56 KB apiece) share
login state, rate limits and Socket.IO events through Redis (REDIS_URL).
"""
import os

bind = os.environ.get("BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "eid.app.gunicorn_worker.Worker"
worker_connections = int(os.environ.get("WORKER_CONNECTIONS", "12000"))
raw_env = ["SOCKETIO_ASYNC_MODE=gevent"]
timeout = 60
graceful_timeout = 20
keepalive = 5
accesslog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
