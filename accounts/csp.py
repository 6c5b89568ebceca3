"""Content-Security-Policy (django-csp): enforced on public pages, report-only on /admin/.

CONTENT_SECURITY_POLICY excludes /admin/ (EXCLUDE_URL_PREFIXES); this middleware sends
CONTENT_SECURITY_POLICY_REPORT_ONLY there and nowhere else, so a public page carries one
enforced policy and an admin screen one report-only policy. Templates put `nonce="{{ CSP_NONCE }}"`
on their <script> and <style> tags; a nonce is in the header only when a template used one.
"""

from __future__ import annotations

from csp.middleware import CSPMiddleware, PolicyParts

from .network import is_admin_path


class PlatformCSPMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if report_only and not is_admin_path(request.path_info) and parts.config is None:
            # An empty policy: no report-only header on public pages (they have the enforced one).
            parts.config = {}
        return parts
