"""Enrolling a provider's Partner Center app (docs/business.md#the-provider) and completing its delegated consent."""

from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import partial
from urllib.parse import urlencode

from shared.auth.state import InvalidState, SignedState
from shared.domain.relationships import Provider, ProviderStatus
from shared.domain.scope import Principal, can_see, may_disable_provider, may_enroll_provider, may_start_consent
from shared.partner_center import (
    AppOnlyNotSupported,
    AuthenticationFailed,
    PartnerCenterClient,
    PartnerCenterCredentials,
    PartnerCenterEndpoints,
    PartnerCenterError,
    RetryPolicy,
    Throttled,
    client_for_provider,
)
from shared.partner_center import (
    Forbidden as PartnerCenterForbidden,
)
from shared.partner_center import (
    Unauthorized as PartnerCenterUnauthorized,
)
from shared.partner_center import (
    Unavailable as PartnerCenterUnavailable,
)
from shared.partner_center.auth import MsalTokenProvider
from shared.secrets.port import SecretStore
from shared.services.errors import Conflict, FieldError, Invalid, NotFound, ServiceError, require
from shared.storage.audit import AuditLog
from shared.storage.audited import audited_update
from shared.storage.consent import ConsentStateStore
from shared.storage.organizations import OrganizationRepository
from shared.storage.relationships import ProviderRepository

CONSENT_CALLBACK_PATH = "/api/providers/consent/callback"


class BadConsentState(ServiceError):
    status, slug, title = 400, "invalid-consent-state", "Invalid consent state"


class EnrollmentRefused(Invalid):
    """Partner Center or Entra ID refused the provider's app: nothing is kept."""


log = logging.getLogger(__name__)


def refusal_reason(error: Exception) -> str:
    """What to tell an operator whose app was refused, in Partner Center's or Entra's own terms."""
    if isinstance(error, AuthenticationFailed):
        code = f" ({error.aadsts_code})" if getattr(error, "aadsts_code", None) else ""
        return f"Entra ID refused the app's credentials{code}: {error.description or error.error}"
    if isinstance(error, AppOnlyNotSupported):
        return f"Partner Center refused the app+user token: {error.description}"
    if isinstance(error, PartnerCenterUnauthorized | PartnerCenterForbidden):
        return f"the app is not known to this Partner Center account: {error.description or error}"
    if isinstance(error, PartnerCenterUnavailable | Throttled):
        return f"Partner Center could not be reached: {error}"
    if isinstance(error, PartnerCenterError):
        return f"Partner Center refused: {error.description or error}"
    return str(error)


class EnrollmentService:
    def __init__(
        self,
        providers: ProviderRepository,
        organizations: OrganizationRepository,
        audit: AuditLog,
        consent_states: ConsentStateStore,
        secret_store: SecretStore,
        endpoints: PartnerCenterEndpoints,
        *,
        signing_secret: str,
        public_base_url: str,
        consent_ttl: timedelta,
        on_enrolled: Callable[[Provider], object] | None = None,
        consent_sign_in_host: str | None = None,
    ) -> None:
        self._providers = providers
        self._organizations = organizations
        self._audit = audit
        self._consent_states = consent_states
        self._secrets = secret_store
        self._endpoints = endpoints
        self._state = SignedState(signing_secret, purpose="consent")
        self._public_base_url = public_base_url.rstrip("/")
        self._consent_ttl = consent_ttl
        # Where the partner admin's browser signs in (the authority itself, unless the local stack says otherwise).
        self._sign_in_host = (consent_sign_in_host or "").rstrip("/") or None
        # What follows enrolment (the first catalog of every market is queued), so a newcomer finds a catalog.
        self._on_enrolled = on_enrolled or (lambda provider: None)

    # Reading -------------------------------------------------------------------------------------

    def get(self, principal: Principal, provider_id: str) -> Provider:
        provider = self._providers.get(provider_id)
        if provider is None or not can_see(principal, provider.org):
            raise NotFound(f"provider {provider_id} was not found")
        return provider

    def list(self, principal: Principal) -> list[Provider]:
        return [p for p in self._providers.all() if can_see(principal, p.org)]

    # Enrolling -----------------------------------------------------------------------------------

    def _client(self, credentials: PartnerCenterCredentials) -> PartnerCenterClient:
        # Few retries: an operator is waiting, and an unreachable Partner Center is answered as such.
        return client_for_provider(
            credentials,
            self._endpoints,
            self._secrets,
            retry=RetryPolicy(
                max_attempts=2, backoff_base=0.2, backoff_max=1, max_retry_after=5, max_throttle_retries=1
            ),
        )

    def enroll(
        self,
        principal: Principal,
        *,
        name: str,
        tenant_id: str,
        client_id: str,
        client_secret_ref: str,
        refresh_token_ref: str | None,
    ) -> Provider:
        """Verifies the app (app-only), then with a refresh token the delegated grant and partner ID."""
        require(may_enroll_provider(principal))
        self._refuse_enrolled_twice(tenant_id, client_id)
        credentials = PartnerCenterCredentials(tenant_id, client_id, client_secret_ref, refresh_token_ref)
        client = self._client(credentials)
        partner_id: str | None = None
        company_name: str | None = None
        try:
            company_name = client.get_legal_business_profile().company_name
            if refresh_token_ref:
                partner_id, _ = self._verify_delegated(client, tenant_id)
        except PartnerCenterError as error:
            raise EnrollmentRefused(
                refusal_reason(error), [FieldError("partnerCenter", refusal_reason(error))]
            ) from error
        finally:
            client.close()
        now = datetime.now(UTC)
        provider = Provider(
            id=str(uuid.uuid4()),
            name=name,
            tenant_id=tenant_id,
            client_id=client_id,
            client_secret_ref=client_secret_ref,
            refresh_token_ref=refresh_token_ref,
            partner_id=partner_id,
            status=ProviderStatus.ENROLLED if partner_id else ProviderStatus.CONSENT_REQUIRED,
            company_name=company_name,
            created_at=now,
            updated_at=now,
        )
        self._claim(provider)
        self._organizations.add(provider.org, name=name)
        self._providers.add(provider)
        self._audit.record(
            actor=principal,
            action="provider.enrolled",
            entity_type="provider",
            entity_id=provider.id,
            org=provider.org,
            before=None,
            after=provider,
        )
        if provider.status is ProviderStatus.ENROLLED:
            self._on_enrolled(provider)
        return provider

    def _refuse_enrolled_twice(self, tenant_id: str, client_id: str) -> None:
        """One provider per Partner Center tenant and per app: a second one would take the first one's webhook
        registration and its mirror would stop converging. A disabled provider's tenant and app are free again."""
        for other in self._providers.all():
            if other.status is ProviderStatus.DISABLED:
                continue
            if other.tenant_id.lower() == tenant_id.lower():
                raise Conflict(f"tenant {tenant_id} is already enrolled as provider {other.id}")
            if other.client_id.lower() == client_id.lower():
                raise Conflict(f"app {client_id} is already enrolled as provider {other.id}")

    def _claim(self, provider: Provider) -> None:
        """The same check, atomic: of two enrollments of one tenant racing, one wins and the other is a 409."""
        claimed: list[tuple[str, str]] = []
        for kind, value in (("tenant", provider.tenant_id), ("app", provider.client_id)):
            holder = self._providers.claim(kind, value, provider.id)
            if holder is not None:
                for done_kind, done_value in claimed:
                    self._providers.release(done_kind, done_value, provider.id)
                raise Conflict(f"{kind} {value} is already enrolled as provider {holder}")
            claimed.append((kind, value))

    def disable(self, principal: Principal, provider_id: str) -> Provider:
        """Operator only: the provider stops (no sync, billing, selling or events), its tenant and app are freed
        for another enrollment, and its webhook registration is removed (best effort; the new one replaces it)."""
        require(may_disable_provider(principal))
        provider = self._providers.get(provider_id)
        if provider is None:
            raise NotFound(f"provider {provider_id} was not found")
        if provider.status is ProviderStatus.DISABLED:
            return provider
        disabled = audited_update(
            self._audit,
            partial(self._providers.update, provider_id),
            lambda p: replace(p, status=ProviderStatus.DISABLED, updated_at=datetime.now(UTC)),
            actor=principal,
            action="provider.disabled",
            entity_type="provider",
            entity_id=provider.id,
            org=provider.org,
        )
        for kind, value in (("tenant", provider.tenant_id), ("app", provider.client_id)):
            self._providers.release(kind, value, provider.id)
        if provider.status is ProviderStatus.ENROLLED:
            credentials = PartnerCenterCredentials(
                provider.tenant_id, provider.client_id, provider.client_secret_ref, provider.refresh_token_ref
            )
            client = self._client(credentials)
            try:
                client.delete_webhook_registration()
            except PartnerCenterError as error:
                log.warning("removing the webhook registration of disabled provider %s failed: %s", provider.id, error)
            finally:
                client.close()
        return disabled

    @staticmethod
    def _verify_delegated(client: PartnerCenterClient, tenant_id: str) -> tuple[str, str | None]:
        """With app+user: the partner ID, the tenant it belongs to, and that it is an indirect provider."""
        mpn = client.get_mpn_profile()
        organization = client.get_organization_profile()
        if organization.tenant_id and organization.tenant_id.lower() != tenant_id.lower():
            raise EnrollmentRefused(
                f"the delegated consent belongs to tenant {organization.tenant_id}, not {tenant_id}",
                [FieldError("partnerCenter.tenantId", "does not match the consenting partner's tenant")],
            )
        try:
            client.list_indirect_resellers()
        except (PartnerCenterForbidden, AppOnlyNotSupported) as error:
            raise EnrollmentRefused(
                f"the partner is not an indirect provider: {error.description or error}",
                [FieldError("partnerCenter", "the partner is not an indirect provider")],
            ) from error
        return mpn.mpn_id, organization.tenant_id

    # Consent (Secure Application Model) ---------------------------------------------------------------

    @property
    def redirect_uri(self) -> str:
        return self._public_base_url + CONSENT_CALLBACK_PATH

    def consent_url(self, principal: Principal, provider_id: str) -> str:
        """Where a partner admin signs in (with MFA) and consents; the state is signed, single use, expiring."""
        provider = self.get(principal, provider_id)
        require(may_start_consent(principal, provider.org))
        if provider.status is ProviderStatus.DISABLED:
            raise Conflict("the provider is disabled: its consent cannot be given again")
        nonce = secrets.token_urlsafe(24)
        ttl = self._consent_ttl.total_seconds()
        self._consent_states.create(nonce, provider.id, datetime.now(UTC) + self._consent_ttl)
        state = self._state.issue({"p": provider.id, "n": nonce}, ttl_seconds=ttl)
        query = urlencode(
            {
                "client_id": provider.client_id,
                "response_type": "code",
                "redirect_uri": self.redirect_uri,
                "response_mode": "query",
                "scope": f"{self._endpoints.user_scope} offline_access openid profile",
                "state": state,
                "prompt": "consent",
            }
        )
        authority = (
            f"{self._sign_in_host}/{provider.tenant_id}"
            if self._sign_in_host
            else self._endpoints.authority(provider.tenant_id)
        )
        return f"{authority}/oauth2/v2.0/authorize?{query}"

    def provider_of_consent_state(self, state: str) -> str | None:
        """The provider a consent state names, when its signature holds (not consumed): where a browser goes back."""
        try:
            payload = self._state.read(state)
        except InvalidState:
            return None
        provider_id = payload.get("p")
        return provider_id if isinstance(provider_id, str) and provider_id else None

    def complete_consent(
        self, *, state: str, code: str | None, error: str | None, error_description: str | None
    ) -> Provider:
        """Redeems the code, keeps the refresh token in the secret store only, verifies app+user access."""
        try:
            payload = self._state.read(state)
        except InvalidState as exc:
            raise BadConsentState(str(exc)) from exc
        provider_id = self._consent_states.consume(str(payload.get("n", "")))
        if provider_id is None or provider_id != payload.get("p"):
            raise BadConsentState("this consent state was already used or is unknown")
        provider = self._providers.get(provider_id)
        if provider is None:
            raise BadConsentState("the provider of this consent no longer exists")
        if provider.status is ProviderStatus.DISABLED:
            # A consent started before the operator disabled the provider must not bring it back.
            raise Conflict("the provider is disabled: its consent cannot be given again")
        if error or not code:
            raise Invalid(f"consent was not given: {error_description or error or 'no authorization code'}")
        credentials = PartnerCenterCredentials(provider.tenant_id, provider.client_id, provider.client_secret_ref)
        tokens = MsalTokenProvider(credentials, self._endpoints, self._secrets)
        try:
            result = tokens.redeem_authorization_code(code, self.redirect_uri)
        except PartnerCenterError as err:
            raise Invalid(f"the authorization code could not be redeemed: {refusal_reason(err)}") from err
        refresh_token = result.get("refresh_token")
        if not refresh_token:
            raise Invalid("the authorization code could not be redeemed: no refresh token was issued")
        reference = f"pc-{provider.id}-refresh-token"
        self._secrets.set(reference, refresh_token)
        client = self._client(replace(credentials, refresh_token_ref=reference))
        try:
            partner_id, _ = self._verify_delegated(client, provider.tenant_id)
        except PartnerCenterError as err:
            raise Invalid(f"app+user access could not be verified: {refusal_reason(err)}") from err
        finally:
            client.close()

        def enroll(current: Provider) -> Provider:
            if current.status is ProviderStatus.DISABLED:
                raise Conflict("the provider was disabled while its consent was given")
            return replace(
                current,
                refresh_token_ref=reference,
                partner_id=partner_id,
                status=ProviderStatus.ENROLLED,
                updated_at=datetime.now(UTC),
            )

        updated = audited_update(
            self._audit,
            partial(self._providers.update, provider.id),
            enroll,
            actor=f"consent:{provider.id}",
            action="provider.consented",
            entity_type="provider",
            entity_id=provider.id,
            org=provider.org,
        )
        self._on_enrolled(updated)
        return updated
