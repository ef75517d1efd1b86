"""Temporary alias while the phone API moves to :mod:`eid.web.socket_emit` (removed in this change)."""
import sys

from eid.web import socket_emit as _moved

sys.modules[__name__] = _moved
