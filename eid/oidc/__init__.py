"""The OpenID Connect provider for relying portals ("đăng nhập qua Cổng dịch vụ công quốc gia").

Pure rules (``acr``, ``claims``, ``consent``, ``request``) are plain, typed Python with
no Flask; the protocol edge (``endpoints``, ``pages``, ``cli``) is the only part that
speaks HTTP, and only the app factory imports it. See docs/oidc.md.
"""
