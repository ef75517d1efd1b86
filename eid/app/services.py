"""Temporary alias while the phone API moves to :mod:`eid.web.unit_of_work` (removed in this change)."""
import sys

from eid.web import unit_of_work as _moved

sys.modules[__name__] = _moved
