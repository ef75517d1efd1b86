"""The phone app's JSON API, ``/api/mobile/v1``: parse -> call a core -> serialise.

Nothing imports this package except the app factory, which registers it.
"""
