"""The console's sign-in page: the people one may sign in as (read from the platform) and the rules for its URIs."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

PEOPLE_TIMEOUT_SECONDS = 5.0
MAX_OID_LENGTH = 128
_OID = re.compile(rf"^[A-Za-z0-9._-]{{1,{MAX_OID_LENGTH}}}$")
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost"})
_ALLOWED_ORIGIN = re.compile(r"^(?:https://[A-Za-z0-9.-]+|http://(?:127\.0\.0\.1|localhost))(?::\d{1,5})?$")
_MAX_PEOPLE = 500
_ORG_TYPE_NAMES = {"operator": "Operator", "provider": "Provider", "reseller": "Reseller", "customer": "Customer"}


@dataclass(frozen=True)
class Person:
    """One entry of the page: the oid its button signs in as, and the label that is the button's accessible name."""

    oid: str
    label: str


@dataclass(frozen=True)
class PeopleList:
    """What the page offers; `note` says why the list is missing or short (shown above the free-text field)."""

    people: tuple[Person, ...]
    note: str | None = None


def is_valid_oid(value: str) -> bool:
    """Letters, digits, '.', '_' and '-', at most 128: enough for GUIDs and test ids, nothing to inject."""
    return bool(_OID.match(value))


def is_console_redirect_uri(uri: str) -> bool:
    """Loopback http on any port, or any https URI, as an SPA registration with loopback URIs accepts."""
    if not uri or any(ch.isspace() or ord(ch) < 0x20 for ch in uri) or "#" in uri:
        return False
    try:
        parts = urlsplit(uri)
        _ = parts.port  # a malformed port raises here
    except ValueError:
        return False
    if parts.username is not None or parts.password is not None or not parts.hostname:
        return False
    if parts.scheme == "https":
        return True
    return parts.scheme == "http" and parts.hostname in _LOOPBACK_HOSTS


def is_allowed_origin(origin: str | None) -> bool:
    """Origins the console may run on: loopback http (any port) or any https origin."""
    return bool(origin) and bool(_ALLOWED_ORIGIN.match(origin or ""))


def person_label(item: Mapping[str, Any]) -> str:
    """'Operator — 1234abcd…' for the operator; the org's name, its type and the role for the others."""
    oid = str(item.get("userId", ""))
    short = f"{oid[:8]}…" if len(oid) > 8 else oid
    org_type = str(item.get("orgType") or "")
    if org_type == "operator":
        return f"Operator — {short}"
    org = str(item.get("orgName") or item.get("orgId") or "")
    kind = _ORG_TYPE_NAMES.get(org_type, org_type)
    head = f"{org} ({kind})" if org and kind else (org or kind)
    return " — ".join(part for part in (head, str(item.get("role") or ""), short) if part)


def fetch_people(url: str | None, timeout: float = PEOPLE_TIMEOUT_SECONDS) -> PeopleList:
    """The platform's people, read server-side; any failure leaves the page with only the free-text field."""
    if not url:
        return PeopleList((), "No list of people is configured; type the user id to sign in as.")
    try:
        with requests.Session() as session:
            session.trust_env = False  # the platform is local: no proxy from the environment
            response = session.get(url, timeout=timeout, headers={"Accept": "application/json"})
        response.raise_for_status()
        body = response.json()
        items = body["items"] if isinstance(body, dict) else None
        if not isinstance(items, list):
            raise ValueError("the answer has no 'items' list")
    except (requests.RequestException, ValueError, KeyError) as exc:
        return PeopleList((), f"Could not read the list of people ({type(exc).__name__}); type the user id.")
    people = tuple(
        Person(item["userId"], person_label(item))
        for item in items[:_MAX_PEOPLE]
        if isinstance(item, dict) and isinstance(item.get("userId"), str) and is_valid_oid(item["userId"])
    )
    return PeopleList(people, None if people else "The platform lists nobody yet; type the user id.")


def _hidden_fields(params: Iterable[tuple[str, str]]) -> str:
    return "".join(
        f'<input type="hidden" name="{html.escape(name)}" value="{html.escape(value)}">' for name, value in params
    )


_STYLE = """
body{font-family:system-ui,sans-serif;background:#f2f2f2;margin:0;display:flex;justify-content:center}
main{background:#fff;margin:3rem 1rem;padding:2rem 2.5rem;max-width:30rem;width:100%;box-shadow:0 2px 6px #0003}
h1{font-size:1.5rem;font-weight:600;margin:0 0 1rem}
ul{list-style:none;padding:0;margin:0 0 1.5rem}
li form{margin:0}
li button{width:100%;text-align:left;padding:.75rem;margin:.25rem 0;border:1px solid #ccc;background:#fff}
li button{cursor:pointer}
li button:hover,li button:focus{background:#e6f0fa}
label{display:block;margin:.5rem 0 .25rem}
input[type=text]{width:100%;box-sizing:border-box;padding:.5rem;font-family:monospace}
.submit{margin-top:1rem;padding:.5rem 1.5rem;background:#0067b8;color:#fff;border:0;cursor:pointer}
.note{color:#555}
.error{color:#a80000;font-weight:600}
"""


def render_sign_in_page(
    *,
    action: str,
    params: Iterable[tuple[str, str]],
    people: PeopleList,
    error: str | None = None,
    typed_oid: str = "",
) -> str:
    """Sign-in page without JavaScript: one form per person (its button), one form with the free-text oid."""
    hidden = _hidden_fields((name, value) for name, value in params if name != "oid")
    target = html.escape(action)
    items = "".join(
        f'<li><form method="post" action="{target}">{hidden}'
        f'<button type="submit" name="oid" value="{html.escape(person.oid)}">{html.escape(person.label)}</button>'
        "</form></li>"
        for person in people.people
    )
    listing = f'<ul aria-label="People">{items}</ul>' if items else ""
    note = f'<p class="note">{html.escape(people.note)}</p>' if people.note else ""
    alert = f'<p class="error" role="alert" id="oid-error">{html.escape(error)}</p>' if error else ""
    described = ' aria-describedby="oid-error" aria-invalid="true"' if error else ""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Sign in</title><style>{_STYLE}</style></head><body><main>"
        "<h1>Pick an account</h1>"
        f"{alert}{listing}{note}"
        f'<form method="post" action="{target}">{hidden}'
        '<label for="oid">User id (oid)</label>'
        f'<input type="text" id="oid" name="oid" value="{html.escape(typed_oid)}" maxlength="{MAX_OID_LENGTH}" '
        f'autocomplete="username" spellcheck="false"{described}>'
        '<button type="submit" class="submit">Sign in</button>'
        "</form></main></body></html>"
    )


def render_form_post_page(redirect_uri: str, answer: Mapping[str, str]) -> str:
    """response_mode=form_post: a form to the redirect URI, sent by a script or by its button without one."""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Working...</title></head>'
        '<body onload="document.forms[0].submit()">'
        f'<form method="post" action="{html.escape(redirect_uri)}">{_hidden_fields(answer.items())}'
        "<noscript><p>Script is disabled. Click Submit to continue.</p></noscript>"
        '<button type="submit">Submit</button></form></body></html>'
    )


def render_signed_out_page() -> str:
    """Where logout ends when it has no allowed place to send the browser back to."""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Signed out</title>'
        f"<style>{_STYLE}</style></head><body><main><h1>You are signed out</h1>"
        '<p class="note">It is a good idea to close all browser windows.</p></main></body></html>'
    )
