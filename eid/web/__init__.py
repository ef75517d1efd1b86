"""The request plumbing every HTTP adapter shares (the phone API, the pages, the
Socket.IO namespaces): the per-request unit of work (``unit_of_work``), the database
session (``db``), the signed-in user (``auth``), rate limits, the audit writer, replay
caches, the captcha, the development chip PKI, the QR-login wiring and the Socket.IO
pushes. Below the adapters, above the domain; it holds no business rule."""
