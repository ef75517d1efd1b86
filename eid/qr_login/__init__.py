"""Desktop QR login (shared/design/qr-login.md).

Pure core: ``states``, ``machine``, ``tokens``, ``errors``, ``context`` — no Flask,
database or Socket.IO (an import-linter contract checks it). Beside it: ``store``
(the store protocol, database or Redis with compare-and-set, and the decision log) and
``service`` (load, transition, save, record, notify). The app wires it in
``eid.web.qr_wiring``; the desktop's HTTP views are ``eid.app.views.qr_login``, its
socket namespace ``eid.app.realtime``, the phone's API ``eid.mobile_api``.
"""
