"""Temporary alias while the phone API moves to :mod:`eid.web.db` (removed in this change)."""
import sys

from eid.web import db as _moved

sys.modules[__name__] = _moved
