"""The phone app's JSON API, ``/api/mobile/v1``: parse -> call a core -> serialise.

One module per flow (``signup``, ``signin``, ``password``, ``account``, ``mobile_signin``,
``registration``, ``devices``, ``chip``, ``qr``, ``acting``, ``captcha``), each adding its
routes to the blueprint in ``blueprint``; ``responses`` holds the JSON they share,
``schemas`` the request and response shapes, ``spec`` the ``@endpoint`` metadata and
``openapi`` the document built from it. Nothing imports this package except the app
factory, through :func:`eid.mobile_api.routes.register` and the OpenAPI blueprint.
"""
