"""What the vote keeps of a voter: keyed hashes (HMAC-SHA256), never the number or the address.

The key is the setting VOTING_IDENTITY_SALT when it is set, else one derived from SECRET_KEY; each use
gets its own sub-key (domain separation), so a hash of one kind cannot be matched against another.
Without the key nothing can be recovered: the space of mobile numbers is small enough to be tried
exhaustively, which is why a plain (unkeyed) hash would not do.

Per vote (see `VoterKeys`):
- identity: HMAC of the full 11-digit number. One vote per identity per unit per day is checked on it.
- block + suffix: HMAC of the number's first nine digits (its block of 100 consecutive numbers) and the
  last two digits in clear. This is what the sequential-number check needs: many distinct numbers in one
  block with consecutive suffixes. The two digits alone identify nobody (1 in 100 of a block whose
  prefix stays hidden behind the key); a run that crosses a block boundary is seen in each block.
- ip: HMAC of the full address; network: HMAC of its /24 (IPv4) or /48 (IPv6) network, for the
  "one address behind many numbers" check when addresses rotate within a network.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from django.conf import settings

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_SEPARATORS = re.compile(r"[\s\-()（）]")


@cache
def _master_key(secret: str, salt: str) -> bytes:
    if salt:
        return salt.encode("utf-8")
    return hmac.new(secret.encode("utf-8"), b"voting.identity.v1", hashlib.sha256).digest()


def _key(purpose: str) -> bytes:
    master = _master_key(settings.SECRET_KEY, getattr(settings, "VOTING_IDENTITY_SALT", "") or "")
    return hmac.new(master, purpose.encode("ascii"), hashlib.sha256).digest()


def keyed_hash(purpose: str, value: str) -> str:
    return hmac.new(_key(purpose), value.encode("utf-8"), hashlib.sha256).hexdigest()


def normalise_mobile(value: str) -> str | None:
    """The 11-digit mobile number in `value` (full-width digits, spaces, dashes and +86 allowed), else None."""
    text = unicodedata.normalize("NFKC", value or "")
    text = _SEPARATORS.sub("", text)
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    elif len(text) == 13 and text.startswith("86"):
        text = text[2:]
    return text if MOBILE_RE.fullmatch(text) else None


def mask_mobile(number: str) -> str:
    return f"{number[:3]}****{number[-4:]}" if len(number) == 11 else "***"


def parse_ip(ip: str | None) -> tuple[str, str] | None:
    """(the normalised address, its coarse network: /24 for IPv4, /48 for IPv6); None if missing or malformed."""
    if not ip:
        return None
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return None
    prefix = 24 if address.version == 4 else 48
    return str(address), str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


@dataclass(frozen=True)
class VoterKeys:
    identity_hash: str
    block_hash: str
    block_suffix: int
    ip_hash: str
    network_hash: str


def voter_keys(*, mobile: str, ip: str | None) -> VoterKeys:
    """The hashes a vote stores for a normalised 11-digit number and the client's address (may be None)."""
    parsed = parse_ip(ip)
    return VoterKeys(
        identity_hash=keyed_hash("identity", mobile),
        block_hash=keyed_hash("block", mobile[:9]),
        block_suffix=int(mobile[9:]),
        ip_hash=keyed_hash("ip", parsed[0]) if parsed else "",
        network_hash=keyed_hash("network", parsed[1]) if parsed else "",
    )


def code_hash(*, token: str, code: str) -> str:
    """The stored form of an SMS code, bound to its pending vote's token."""
    return keyed_hash("sms-code", f"{token}:{code}")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
