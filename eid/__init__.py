"""eid: backend of a national electronic-ID companion app.

Parts (see docs/architecture.md): ``eid.app`` (Flask factory, models, pages),
``eid.accounts`` (identity domain and registries), ``eid.mobile_api`` (the phone
app's JSON API), ``eid.qr_login`` (desktop QR login), ``eid.nfc`` (ICAO 9303),
``eid.phone`` (the reference phone client).
"""
