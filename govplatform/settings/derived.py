"""Settings computed from other settings, after an environment's overrides.

`dev`, `test` and `production` each end with `derived.apply(globals())`, so a
value built from others sees their final values: production's https and dev's
port 8000 reach WAGTAILADMIN_BASE_URL.
"""

from __future__ import annotations

from typing import Any

from govplatform.env import env_str


def portal_base_url(*, scheme: str, domain: str, port: str) -> str:
    """Same form as tenants.hosts.portal_base_url: the port only when it is not the scheme's default."""
    default_port = "443" if scheme == "https" else "80"
    suffix = f":{port}" if port and port != default_port else ""
    return f"{scheme}://{domain}{suffix}"


def apply(namespace: dict[str, Any]) -> None:
    # Only a fallback for Wagtail: e-mails and absolute URLs of the platform use the
    # unit's own host (tenants.hosts), never this one global value.
    namespace["WAGTAILADMIN_BASE_URL"] = env_str("WAGTAILADMIN_BASE_URL") or portal_base_url(
        scheme=namespace["PORTAL_SCHEME"], domain=namespace["PORTAL_DOMAIN"], port=namespace["PORTAL_PORT"]
    )
