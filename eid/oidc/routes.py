"""The one entry the app factory imports: registers the provider's blueprint, its CLI
and its back-channel logout hooks."""
from __future__ import annotations

from flask import Flask

from eid.oidc import endpoints, pages  # noqa: F401  (their routes are on the blueprint)
from eid.oidc.web import bp


def register(app: Flask) -> None:
    from eid.oidc import backchannel
    from eid.oidc.cli import group

    app.register_blueprint(bp)
    app.cli.add_command(group)
    backchannel.init_app(app)
