"""A page for a person to play the other parties, as the control routes let tests do: a reseller accepting the
provider's invitation, a customer's global admin accepting a relationship request (the link the console shows),
either ending its relationship. Plain HTML forms (no script), on the sandbox's http port, so a person trying the
local stack in an ordinary browser needs neither curl nor the development CA."""

from __future__ import annotations

import html
from typing import Annotated, Any
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from local.sandbox.context import Sandbox, get_sandbox
from local.sandbox.control import (
    CustomerAccept,
    RelationshipEnd,
    ResellerAccept,
    accept_customer,
    accept_reseller,
    end_relationship,
)

router = APIRouter(prefix="/_sandbox/parties", include_in_schema=False)
SandboxDep = Annotated[Sandbox, Depends(get_sandbox)]
_STYLE = """
body{font-family:system-ui,sans-serif;margin:0;background:#fafafa;color:#242424}
main{max-width:46rem;margin:2rem auto;padding:0 1rem}
section{background:#fff;border:1px solid #d1d1d1;border-radius:8px;padding:1rem 1.5rem;margin:1rem 0}
label{display:block;margin:.75rem 0 .25rem;font-weight:600}
input,select{width:100%;padding:.4rem;border:1px solid #8a8a8a;border-radius:4px;font:inherit;box-sizing:border-box}
button{margin-top:1rem;padding:.5rem 1rem;background:#0f6cbd;color:#fff;border:0;border-radius:4px;font:inherit}
p.done{background:#f1faf1;border:1px solid #9fd89f;padding:.5rem 1rem;border-radius:4px}
p.error{background:#fdf3f4;border:1px solid #eeacb2;padding:.5rem 1rem;border-radius:4px}
"""


def _providers(sandbox: Sandbox) -> list[dict[str, Any]]:
    with sandbox.state.lock:
        return sorted(sandbox.state.data["providers"].values(), key=lambda p: str(p.get("name", "")))


def _provider_field(providers: list[dict[str, Any]], field_id: str) -> str:
    options = "".join(
        f'<option value="{html.escape(p["tenantId"])}">{html.escape(str(p.get("name", "")))} '
        f"({html.escape(p['tenantId'])})</option>"
        for p in providers
    )
    return f'<label for="{field_id}">Provider</label><select id="{field_id}" name="providerTenantId">{options}</select>'


def _text(field_id: str, name: str, label: str, *, required: bool = False, value: str = "") -> str:
    needed = " required" if required else ""
    return (f'<label for="{field_id}">{html.escape(label)}</label>'
            f'<input id="{field_id}" name="{name}" value="{html.escape(value)}"{needed}>')  # fmt: skip


@router.get("", response_class=HTMLResponse)
def parties_page(request: Request, sandbox: SandboxDep) -> HTMLResponse:
    providers = _providers(sandbox)
    outcome = ""
    if request.query_params.get("done"):
        outcome = f'<p class="done" role="status">{html.escape(request.query_params["done"])}</p>'
    elif request.query_params.get("error"):
        outcome = f'<p class="error" role="alert">{html.escape(request.query_params["error"])}</p>'
    body = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Partner Center sandbox: the other parties</title><style>{_STYLE}</style></head><body><main>
<h1>The other parties</h1>
<p>The Partner Center sandbox plays Microsoft; here you play the resellers and customers the provider invites.</p>
{outcome}
<section aria-labelledby="reseller"><h2 id="reseller">A reseller accepts the provider's invitation</h2>
<form method="post" action="/_sandbox/parties/reseller-accepts">
{_provider_field(providers, "reseller-provider")}
{_text("reseller-partner-id", "partnerId", "The reseller's partner ID", required=True)}
{_text("reseller-name", "name", "The reseller's name (optional)")}
<button type="submit">Accept as the reseller</button></form></section>
<section aria-labelledby="customer"><h2 id="customer">A customer accepts a relationship request</h2>
<form method="post" action="/_sandbox/parties/customer-accepts">
{_provider_field(providers, "customer-provider")}
{_text("customer-url", "url", "The invitation link the console shows", required=True)}
{_text("customer-domain", "domain", "The customer's domain", required=True)}
{_text("customer-country", "country", "Its country (the market)", value="US")}
<button type="submit">Accept as the customer</button></form></section>
<section aria-labelledby="end"><h2 id="end">A reseller or customer ends its relationship</h2>
<form method="post" action="/_sandbox/parties/relationship-ends">
{_provider_field(providers, "end-provider")}
{_text("end-partner-id", "partnerId", "A reseller's partner ID, or")}
{_text("end-tenant-id", "tenantId", "a customer's tenant ID")}
<button type="submit">End the relationship</button></form></section>
</main></body></html>"""
    return HTMLResponse(body, headers={"Cache-Control": "no-store"})


async def _form(request: Request) -> dict[str, str]:
    raw = (await request.body()).decode("utf-8", errors="replace")
    return {key: values[0].strip() for key, values in parse_qs(raw).items() if values and values[0].strip()}


def _back(**outcome: str) -> RedirectResponse:
    return RedirectResponse(f"/_sandbox/parties?{urlencode(outcome)}", status_code=303)


def _refusal(error: Exception) -> str:
    if isinstance(error, HTTPException):
        return str(error.detail)
    if isinstance(error, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
    return str(error)


@router.post("/reseller-accepts")
async def reseller_accepts(request: Request, sandbox: SandboxDep) -> Response:
    try:
        answer = accept_reseller(ResellerAccept(**await _form(request)), sandbox)
    except (HTTPException, ValidationError) as error:
        return _back(error=f"Not accepted: {_refusal(error)}")
    return _back(done=f"{answer['name']} (partner ID {answer['partnerId']}) accepted the provider's invitation.")


@router.post("/customer-accepts")
async def customer_accepts(request: Request, sandbox: SandboxDep) -> Response:
    try:
        answer = accept_customer(CustomerAccept.model_validate(await _form(request)), sandbox)
    except (HTTPException, ValidationError) as error:
        return _back(error=f"Not accepted: {_refusal(error)}")
    return _back(done=f"{answer['domain']} (tenant {answer['tenantId']}) accepted the relationship request.")


@router.post("/relationship-ends")
async def relationship_ends(request: Request, sandbox: SandboxDep) -> Response:
    try:
        end_relationship(RelationshipEnd(**await _form(request)), sandbox)
    except (HTTPException, ValidationError) as error:
        return _back(error=f"Not ended: {_refusal(error)}")
    return _back(done="The relationship ended.")
