"""Desktop QR login (shared/design/qr-login.md).

Pure core: ``states``, ``machine``, ``tokens``, ``errors``, ``context`` — no Flask,
database or Socket.IO (an import-linter contract checks it). At the edge: ``store``
(database or Redis, compare-and-set), ``service`` (load, transition, save, notify),
``web`` (the desktop's HTTP endpoints and page) and ``realtime`` (the Socket.IO
namespaces).
"""
