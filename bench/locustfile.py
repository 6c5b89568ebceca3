"""Locust users of bench/load.py: citizens reading and searching, editors in the admin saving drafts.

Run through bench/load.py, which prepares the plan (LOAD_PLAN: hosts, pages, editors and their
second factors) and starts a publisher beside locust. Every request goes to nginx on loopback with
the site's Host header and its certificate checked (the certificate also names 127.0.0.1).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import random
import re
import struct
import time
from html.parser import HTMLParser

from locust import HttpUser, between, task

PLAN = json.loads(open(os.environ["LOAD_PLAN"], encoding="utf-8").read())  # noqa: SIM115
CERT = PLAN["cert"]


def totp(key_hex: str, *, step: int = 30, digits: int = 6) -> str:
    """RFC 6238, as the authenticator app computes it (django-otp's defaults)."""
    counter = struct.pack(">Q", int(time.time()) // step)
    digest = hmac.new(bytes.fromhex(key_hex), counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**digits
    return f"{code:0{digits}d}"


class FormValues(HTMLParser):
    """The values a browser would submit for the form with id `form_id` (no files, checked boxes only)."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.values = form_id, False, []
        self._textarea: str | None = None
        self._select: str | None = None
        self._select_value: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and "disabled" not in attrs:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.values.append((name, attrs.get("value") or ("on" if kind == "checkbox" else "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select, self._select_value = name, None
        elif tag == "option" and self._select is not None and ("selected" in attrs or self._select_value is None):
            # The first option unless one is marked selected.
            self._select_value = attrs.get("value", "")

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            self.values.append((self._textarea, "".join(self._text)))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            if self._select_value is not None:
                self.values.append((self._select, self._select_value))
            self._select = None


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return match.group(1) if match else ""


class SiteUser(HttpUser):
    abstract = True

    def open(self, path: str, *, host: str, name: str, **kwargs):
        return self.client.get(path, headers={"Host": host}, verify=CERT, name=name, **kwargs)


class Citizen(SiteUser):
    """Reads the portal and the units' sites, and searches; a few minutes per visit."""

    weight = 20
    wait_time = between(1, 3)

    @task(4)
    def portal_home(self):
        self.open("/", host=PLAN["portal_host"], name="门户首页")

    @task(3)
    def unit_home(self):
        self.open("/", host=random.choice(PLAN["unit_hosts"]), name="子站首页")

    @task(3)
    def column_list(self):
        host, path = random.choice(PLAN["lists"])
        self.open(path, host=host, name="栏目列表")

    @task(4)
    def article(self):
        host, path = random.choice(PLAN["articles"])
        self.open(path, host=host, name="信息页")

    @task(3)
    def search(self):
        self.open(f"/search/?q={random.choice(PLAN['queries'])}", host=PLAN["portal_host"], name="门户检索")


class Editor(SiteUser):
    """An 信息员 in the admin: password and authenticator code, the dashboard, a draft saved now and then."""

    weight = 1
    wait_time = between(3, 8)

    def on_start(self):
        self.account = random.choice(PLAN["editors"])
        self.host = self.account["host"]
        login = self.open("/admin/login/", host=self.host, name="后台登录页")
        self.client.post(
            "/admin/login/",
            data={
                "username": self.account["username"],
                "password": self.account["password"],
                "csrfmiddlewaretoken": csrf_from(login.text),
            },
            headers={"Host": self.host, "Referer": f"https://{self.host}/admin/login/"},
            verify=CERT,
            name="后台登录",
        )
        verify = self.open("/admin/otp/verify/?next=/admin/", host=self.host, name="验证码页")
        self.client.post(
            "/admin/otp/verify/",
            data={"token": totp(self.account["totp_key"]), "next": "/admin/", "csrfmiddlewaretoken": csrf_from(verify.text)},
            headers={"Host": self.host, "Referer": f"https://{self.host}/admin/otp/verify/"},
            verify=CERT,
            name="验证码",
        )

    @task(3)
    def dashboard(self):
        self.open("/admin/", host=self.host, name="后台首页")

    @task(2)
    def page_explorer(self):
        self.open(f"/admin/pages/{self.account['column_id']}/", host=self.host, name="页面浏览")

    @task(2)
    def save_draft(self):
        edit_path = f"/admin/pages/{self.account['draft_page_id']}/edit/"
        edit = self.open(edit_path, host=self.host, name="编辑页")
        parser = FormValues("page-edit-form")
        parser.feed(edit.text)
        values = [(k, v) for k, v in parser.values if k != "csrfmiddlewaretoken"]
        values.append(("csrfmiddlewaretoken", csrf_from(edit.text)))
        with self.client.post(
            edit_path,
            data=values,
            headers={"Host": self.host, "Referer": f"https://{self.host}{edit_path}"},
            verify=CERT,
            name="保存草稿",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            # Saved: Wagtail redirects back to the edit view; a form error is a 200 with the form again.
            if response.status_code != 302:
                response.failure(f"草稿未保存（{response.status_code}）")
