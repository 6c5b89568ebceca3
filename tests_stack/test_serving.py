"""The portal and a unit's site over HTTPS through nginx, with the production headers and rules."""

from __future__ import annotations

import http.client
import re
import socket

from tests_stack.conftest import request, stack, unit_host


def test_the_portal_and_a_unit_are_served_over_https():
    status, headers, body = request("GET", "/")
    assert status == 200
    assert "珠海市" in body.decode()
    assert "includeSubDomains" in headers["strict-transport-security"]
    policy = dict(part.strip().split(" ", 1) for part in headers["content-security-policy"].split(";") if part.strip())
    assert policy["object-src"] == "'none'" and "unsafe" not in policy["script-src"]

    status, _headers, body = request("GET", "/", host=unit_host("fgj"))
    assert status == 200
    assert "发展和改革局" in body.decode()


def test_plain_http_is_sent_to_https():
    connection = http.client.HTTPConnection("127.0.0.1", stack.PORTS["http"], timeout=5)
    connection.request("GET", "/zhengce/?a=1", headers={"Host": unit_host("fgj")})
    response = connection.getresponse()
    assert response.status == 301
    suffix = "" if stack.PORTS["https"] == 443 else f":{stack.PORTS['https']}"
    assert response.getheader("Location") == f"https://{unit_host('fgj')}{suffix}/zhengce/?a=1"


def test_static_files_come_from_nginx_and_media_through_x_accel_redirect():
    _status, _headers, body = request("GET", "/", host=unit_host("fgj"))
    static = re.search(r'(/static/[^"\']+\.css)', body.decode()).group(1)
    status, headers, _ = request("GET", static, host=unit_host("fgj"))
    assert status == 200 and "expires" in headers and "public" in headers["cache-control"]

    # The internal location is never reachable from outside.
    status, _headers, _ = request("GET", "/_protected_media/", host=unit_host("fgj"))
    assert status == 404


def test_the_admin_refuses_addresses_outside_the_admin_networks():
    # nginx refuses a client outside ADMIN_ALLOWED_NETWORKS by its own address: 127.0.0.2 is not listed.
    with socket.create_connection(("127.0.0.1", stack.PORTS["https"]), timeout=5, source_address=("127.0.0.2", 0)) as sock:
        import ssl

        context = ssl.create_default_context(cafile=str(stack.STATE / "tls" / "cert.pem"))
        with context.wrap_socket(sock, server_hostname=stack.DOMAIN) as tls:
            tls.sendall(f"GET /admin/login/ HTTP/1.1\r\nHost: {stack.DOMAIN}\r\nConnection: close\r\n\r\n".encode())
            reply = b""
            while chunk := tls.recv(65536):
                reply += chunk
    assert reply.startswith(b"HTTP/1.1 403")

    # Django applies the same rule to the client nginx reports: X-Forwarded-For from outside is refused,
    # and a forged entry on the left cannot make an outside client look inside.
    status, _headers, _ = request("GET", "/admin/login/", headers={"X-Forwarded-For": "203.0.113.9"})
    assert status == 403
    status, _headers, _ = request("GET", "/admin/login/")
    assert status == 200


def test_check_deploy_is_clean_with_the_stacks_settings():
    result = stack.manage("check", "--deploy", "--fail-level", "WARNING", quiet=True)
    assert "no issues" in result.stdout + result.stderr
