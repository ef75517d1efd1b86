"""Temporary alias while the phone API moves to :mod:`eid.web.auth` (removed in this change)."""
import sys

from eid.web import auth as _moved

sys.modules[__name__] = _moved
