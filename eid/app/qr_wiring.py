"""Temporary alias while the phone API moves to :mod:`eid.web.qr_wiring` (removed in this change)."""
import sys

from eid.web import qr_wiring as _moved

sys.modules[__name__] = _moved
