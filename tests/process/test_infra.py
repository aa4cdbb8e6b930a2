"""The Azure templates, read as text (no Azure account or Bicep compiler here), against what the code needs."""

from __future__ import annotations

import ast
import inspect
import json
import os
import re
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from azure.core.exceptions import HttpResponseError
from azure.keyvault.secrets import SecretClient

from shared.config import LOCAL_ONLY_SETTINGS, Settings
from shared.messaging import QueueNames

REPO = Path(__file__).resolve().parents[2]
INFRA = REPO / "infra"
HOST_SETTINGS = {
    "ServiceBusConnection__fullyQualifiedNamespace",
    "ServiceBusConnection__credential",
    "ServiceBusConnection__clientId",
    "AzureWebJobsStorage__credential",
    "AzureWebJobsStorage__clientId",
    "AzureWebJobsStorage__blobServiceUri",
    "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
}
# Built-in role GUIDs (identical in every tenant) and their names.
ROLE_NAMES = {
    "b7e6dc6d-f1e8-4753-8033-0f276bb0955b": "Storage Blob Data Owner",
    "ba92f5b4-2d11-453d-a403-e96b0029c9fe": "Storage Blob Data Contributor",
    "974c5e8b-45b9-4653-ba55-5f855dd0fb88": "Storage Queue Data Contributor",
    "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3": "Storage Table Data Contributor",
    "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39": "Azure Service Bus Data Sender",
    "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0": "Azure Service Bus Data Receiver",
    "b86a8fe4-44ce-4948-aee5-eccb2c155cd7": "Key Vault Secrets Officer",
    "4633458b-17de-408a-b874-0445c86b69e6": "Key Vault Secrets User",
    "3913510d-42f4-4e42-8a64-420c390055eb": "Monitoring Metrics Publisher",
}
BROAD_ROLES = {
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
    "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
    "090c5cfd-751d-490a-894a-3ce6f1109419": "Azure Service Bus Data Owner",
    "00482a5a-887f-4fb3-b363-3b7fe8e74483": "Key Vault Administrator",
}
GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


# A small reader for the Bicep this repository writes ------------------------------------------------------------


def bicep(name: str) -> str:
    return (INFRA / name).read_text("utf-8")


def strip_comments(text: str) -> str:
    """Removes // comments outside '...' strings (URLs inside strings keep their //)."""
    out: list[str] = []
    in_string = False
    i = 0
    while i < len(text):
        ch = text[i]
        if in_string:
            out.append(ch)
            if ch == "\\" and i + 1 < len(text):
                out.append(text[i + 1])
                i += 1
            elif ch == "'":
                in_string = False
        elif ch == "'":
            in_string = True
            out.append(ch)
        elif text.startswith("//", i):
            while i < len(text) and text[i] != "\n":
                i += 1
            continue
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def block(text: str, opening: str) -> str:
    """The text between the `{` that ends the first match of `opening` and its matching `}`."""
    match = re.search(opening, text, re.MULTILINE)
    assert match, f"{opening!r} not found"
    start = text.index("{", match.end() - 1)
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return text[start + 1 : i]
    raise AssertionError(f"unbalanced braces after {opening!r}")


def top_level_entries(body: str) -> dict[str, str]:
    """`key: value` lines at the outer level of an object body (value: the rest of that line)."""
    entries: dict[str, str] = {}
    depth = 0
    for line in body.splitlines():
        if depth == 0:
            match = re.match(r"^\s*('[^']*'|[A-Za-z_][A-Za-z0-9_]*)\s*:\s*(.*)$", line)
            if match:
                entries[match.group(1).strip("'")] = match.group(2).strip()
        depth += line.count("{") + line.count("[") - line.count("}") - line.count("]")
    return entries


def declared_params(text: str) -> dict[str, str | None]:
    """Each `param name type [= default]` of a file: its default text, or None when the caller must give it."""
    params: dict[str, str | None] = {}
    for match in re.finditer(r"^param\s+(\w+)\s+\w+(?:\s*=\s*(.+))?$", strip_comments(text), re.MULTILINE):
        params[match.group(1)] = match.group(2).strip() if match.group(2) else None
    return params


def module_calls(text: str) -> dict[str, tuple[str, dict[str, str]]]:
    """Each module of a file: its path and the params it is given."""
    code = strip_comments(text)
    calls: dict[str, tuple[str, dict[str, str]]] = {}
    for match in re.finditer(r"^module\s+(\w+)\s+'([^']+)'\s*=", code, re.MULTILINE):
        body = block(code[match.start() :], r"=\s*\{")
        calls[match.group(1)] = (match.group(2), top_level_entries(block(body, r"params:\s*\{")))
    return calls


def template_settings() -> dict[str, str]:
    """Every app setting the Function App gets: the platform's (main.bicep) and the host's (app/api.bicep)."""
    main = top_level_entries(block(strip_comments(bicep("main.bicep")), r"^var appSettings\s*=\s*\{"))
    api = strip_comments(bicep("app/api.bicep"))
    site = top_level_entries(block(api, r"^var siteSettings\s*=\s*\{"))
    host = top_level_entries(block(api, r"^var hostSettings\s*=\s*\{"))
    assert len(main) + len(site) + len(host) == len({**main, **site, **host}), "a setting is set twice"
    return {**main, **site, **host}


def code_settings() -> set[str]:
    return {name.upper() for name in Settings.model_fields}


def duration(iso: str) -> timedelta:
    match = re.fullmatch(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?", iso)
    assert match, iso
    days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


def functions_queues() -> set[str]:
    """The queues function_app's Service Bus triggers bind to, imported with no settings (as the host indexes)."""
    code = (
        "import json, function_app; print(json.dumps(sorted(f.get_trigger().queue_name "
        "for f in function_app.app.get_functions() if f.get_trigger().type == 'serviceBusTrigger')))"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"FUNCTIONS_WORKER_RUNTIME", "WEBSITE_SITE_NAME"}}
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout))


# Settings -----------------------------------------------------------------------------------------------------


def test_every_setting_the_code_reads_is_set_by_the_template() -> None:
    expected = (code_settings() - LOCAL_ONLY_SETTINGS) | HOST_SETTINGS
    missing = expected - set(template_settings())
    assert not missing, f"settings the code reads that Azure would not get: {sorted(missing)}"


def test_the_production_environment_the_start_up_tests_use_is_the_one_the_template_sets() -> None:
    from tests.process.test_settings_validation import PRODUCTION_ENVIRONMENT

    assert set(PRODUCTION_ENVIRONMENT) == set(template_settings())


def test_no_local_only_setting_reaches_azure() -> None:
    assert not LOCAL_ONLY_SETTINGS & set(template_settings())
    assert "FUNCTIONS_WORKER_RUNTIME" not in template_settings()  # Flex Consumption refuses it (runtime is config)


def test_every_setting_the_code_reads_has_a_local_value_in_the_sample() -> None:
    sample = json.loads((REPO / "local.settings.sample.json").read_text())["Values"]
    assert code_settings() <= set(sample)
    assert set(sample) >= LOCAL_ONLY_SETTINGS


def _same_value(template_default: str, code_default: object) -> bool:
    text = template_default.strip("'")
    if isinstance(code_default, int | float) and not isinstance(code_default, bool):
        return float(text) == float(code_default)
    return text == str(code_default)


def test_every_tunable_the_template_passes_defaults_to_the_apps_own_default() -> None:
    params = declared_params(bicep("main.bicep"))
    checked = set()
    for name, value in template_settings().items():
        param = re.fullmatch(r"(?:string\()?(\w+)\)?", value)
        field = Settings.model_fields.get(name.lower())
        if not param or param.group(1) not in params or field is None or field.is_required():
            continue
        default = params[param.group(1)]
        if default is not None and field.default is not None:
            assert _same_value(default, field.default), f"{name}: template {default}, app {field.default!r}"
            checked.add(name)
    schedules = {name for name in code_settings() if name.endswith("_SCHEDULE")}
    assert schedules <= checked
    assert "QUEUE_MAX_ATTEMPTS" in checked


def test_signing_secret_is_a_key_vault_reference_never_a_value() -> None:
    value = template_settings()["SIGNING_SECRET"]
    assert value.startswith("'@Microsoft.KeyVault(VaultName=${keyVault.outputs.name};SecretName=")
    keyvault = strip_comments(bicep("app/keyvault.bicep"))
    assert re.search(r"@secure\(\)\s*\n(@\w+\(.*\)\s*\n)*param signingSecret string", keyvault)
    assert "output signingSecretName string = signing.name" in keyvault


def test_the_app_runs_on_service_bus_and_key_vault_in_azure() -> None:
    settings = template_settings()
    assert settings["QUEUE_BACKEND"] == "'servicebus'"
    assert settings["SECRET_STORE"] == "'keyvault'"
    assert settings["AZURE_CLIENT_ID"] == "identityClientId"
    assert settings["ServiceBusConnection__fullyQualifiedNamespace"] == "serviceBusFullyQualifiedNamespace"
    assert settings["SERVICEBUS_NAMESPACE"] == "serviceBus.outputs.fullyQualifiedNamespace"
    assert settings["AzureWebJobsStorage__credential"] == "'managedidentity'"


# Queues -------------------------------------------------------------------------------------------------------


def test_every_queue_the_functions_bind_to_exists_in_the_template() -> None:
    main = strip_comments(bicep("main.bicep"))
    array = re.search(r"^var queueNames = \[(.*?)\]", main, re.MULTILINE | re.DOTALL)
    assert array
    declared = re.findall(r"'([a-z0-9-]+)'", array.group(1))
    assert tuple(declared) == QueueNames.ALL
    assert functions_queues() <= set(declared)
    assert module_calls(bicep("main.bicep"))["serviceBus"][1]["queueNames"] == "queueNames"


def test_every_queue_dead_letters_expired_messages_and_drops_duplicates() -> None:
    servicebus = strip_comments(bicep("app/servicebus.bicep"))
    assert re.search(r"resource queues '[^']+' = \[\s*for queueName in queueNames:", servicebus)
    properties = top_level_entries(block(block(servicebus, r"^resource queues "), r"properties:\s*\{"))
    assert properties["requiresDuplicateDetection"] == "true"
    assert properties["deadLetteringOnMessageExpiration"] == "true"
    assert properties["maxDeliveryCount"] == "maxDeliveryCount"
    assert duration(properties["duplicateDetectionHistoryTimeWindow"].strip("'")) >= timedelta(minutes=10)
    assert duration(properties["defaultMessageTimeToLive"].strip("'")) > timedelta(days=7)  # the longest back-off
    assert (
        top_level_entries(block(servicebus, r"sku:\s*\{"))["name"] == "'Standard'"
    )  # Basic has no duplicate detection


def test_max_delivery_count_is_the_queue_max_attempts_the_app_is_given() -> None:
    main = bicep("main.bicep")
    assert module_calls(main)["serviceBus"][1]["maxDeliveryCount"] == "queueMaxAttempts"
    assert template_settings()["QUEUE_MAX_ATTEMPTS"] == "string(queueMaxAttempts)"
    assert declared_params(main)["queueMaxAttempts"] == str(Settings.model_fields["queue_max_attempts"].default)


def test_lock_duration_outlasts_a_partner_center_call_within_the_service_bus_limit() -> None:
    servicebus = strip_comments(bicep("app/servicebus.bicep"))
    lock = duration(
        top_level_entries(block(block(servicebus, r"^resource queues "), r"properties:\s*\{"))["lockDuration"].strip(
            "'"
        )
    )
    timeout = timedelta(seconds=Settings.model_fields["partner_center_timeout_seconds"].default)
    assert lock >= 4 * timeout
    assert lock <= timedelta(minutes=5)  # Service Bus refuses more
    host = json.loads((REPO / "host.json").read_text())
    renewal = host["extensions"]["serviceBus"]["maxAutoLockRenewalDuration"]
    hours, minutes, seconds = (int(p) for p in renewal.split(":"))
    assert timedelta(hours=hours, minutes=minutes, seconds=seconds) >= lock


# Identity and roles ---------------------------------------------------------------------------------------------


def test_every_role_guid_is_annotated_with_its_role_name() -> None:
    for path in INFRA.rglob("*.bicep"):
        for line in path.read_text().splitlines():
            for guid in GUID.findall(line.lower()):
                assert guid in ROLE_NAMES, f"{path.name}: unknown role {guid}"
                assert line.rstrip().endswith(f"// {ROLE_NAMES[guid]}"), f"{path.name}: {line.strip()}"


def test_the_app_identity_gets_the_roles_it_needs_and_no_broad_role() -> None:
    rbac = strip_comments(bicep("app/rbac.bicep"))
    role_ids = {key: value.strip("'") for key, value in top_level_entries(block(rbac, r"^var roles\s*=\s*\{")).items()}
    granted: dict[str, str] = {}
    for match in re.finditer(r"^resource (\w+) 'Microsoft.Authorization/roleAssignments@[^']+' =", rbac, re.MULTILINE):
        body = block(rbac[match.start() :], r"=[^{]*\{")
        entries = top_level_entries(block(body, r"properties:\s*\{"))
        role_key = re.search(r"roles\.(\w+)\)", entries["roleDefinitionId"]).group(1)  # type: ignore[union-attr]
        scope = top_level_entries(body)["scope"]
        if entries["principalId"] == "appPrincipalId":
            granted[ROLE_NAMES[role_ids[role_key]]] = scope
    assert granted == {
        "Storage Blob Data Owner": "storage",
        "Storage Table Data Contributor": "storage",
        "Azure Service Bus Data Sender": "serviceBus",
        "Azure Service Bus Data Receiver": "serviceBus",
        "Key Vault Secrets Officer": "vault",
        "Monitoring Metrics Publisher": "applicationInsights",
    }
    assert not set(BROAD_ROLES) & set(GUID.findall(bicep("app/rbac.bicep")))


def test_nothing_accepts_keys_or_connection_strings_in_azure() -> None:
    storage = top_level_entries(block(strip_comments(bicep("app/storage.bicep")), r"properties:\s*\{"))
    assert storage["allowSharedKeyAccess"] == "false"
    assert storage["allowBlobPublicAccess"] == "false"
    assert storage["minimumTlsVersion"] == "'TLS1_2'"
    servicebus = top_level_entries(block(strip_comments(bicep("app/servicebus.bicep")), r"properties:\s*\{"))
    assert servicebus["disableLocalAuth"] == "true"
    monitoring = top_level_entries(
        block(strip_comments(bicep("app/monitoring.bicep")), r"^resource applicationInsights")
    )
    assert "DisableLocalAuth: true" in bicep("app/monitoring.bicep")
    assert monitoring["kind"] == "'web'"


def test_key_vault_is_in_rbac_mode_with_soft_delete() -> None:
    vault = top_level_entries(block(strip_comments(bicep("app/keyvault.bicep")), r"^resource vault [^=]+=\s*\{"))
    properties = top_level_entries(block(strip_comments(bicep("app/keyvault.bicep")), r"properties:\s*\{"))
    assert "name" in vault
    assert properties["enableRbacAuthorization"] == "true"
    assert properties["enableSoftDelete"] == "true"


def test_function_app_is_flex_consumption_python_311_as_the_user_assigned_identity() -> None:
    api = strip_comments(bicep("app/api.bicep"))
    plan = top_level_entries(block(api, r"^resource plan [^=]+=\s*\{"))
    assert top_level_entries(block(api, r"sku:\s*\{")) == {"name": "'FC1'", "tier": "'FlexConsumption'"}
    assert plan["kind"] == "'functionapp'"
    site_body = block(api, r"^resource site [^=]+=\s*\{")
    site = top_level_entries(site_body)
    assert site["kind"] == "'functionapp,linux'"
    assert top_level_entries(block(site_body, r"identity:\s*\{"))["type"] == "'UserAssigned'"
    properties = top_level_entries(block(site_body, r"properties:\s*\{"))
    assert properties["keyVaultReferenceIdentity"] == "identityId"
    assert properties["httpsOnly"] == "true"
    assert top_level_entries(block(site_body, r"runtime:\s*\{")) == {"name": "'python'", "version": "'3.11'"}
    authentication = top_level_entries(block(site_body, r"authentication:\s*\{"))
    assert authentication == {"type": "'UserAssignedIdentity'", "userAssignedIdentityResourceId": "identityId"}
    assert "properties: union(appSettings, siteSettings, hostSettings)" in api
    assert re.search(r"^targetScope = 'subscription'$", bicep("main.bicep"), re.MULTILINE)
    assert "'Microsoft.Resources/resourceGroups@" in bicep("main.bicep")


# Wiring -------------------------------------------------------------------------------------------------------


def test_every_module_is_given_exactly_the_params_it_declares() -> None:
    calls = module_calls(bicep("main.bicep"))
    assert set(calls) == {
        "identity",
        "monitoring",
        "storage",
        "serviceBus",
        "keyVault",
        "web",
        "api",
        "webBackend",
        "rbac",
    }
    for name, (path, given) in calls.items():
        module = INFRA / path
        assert module.exists(), f"{name}: {path} missing"
        declared = declared_params(module.read_text())
        assert set(given) <= set(declared), f"{name}: unknown params {sorted(set(given) - set(declared))}"
        required = {p for p, default in declared.items() if default is None}
        assert required <= set(given), f"{name}: missing params {sorted(required - set(given))}"


def test_every_module_output_used_is_declared() -> None:
    main = strip_comments(bicep("main.bicep"))
    paths = {name: path for name, (path, _) in module_calls(bicep("main.bicep")).items()}
    for module, output in set(re.findall(r"\b(\w+)\.outputs\.(\w+)", main)):
        declared = re.findall(r"^output (\w+) ", (INFRA / paths[module]).read_text(), re.MULTILINE)
        assert output in declared, f"{module}.outputs.{output}"


def test_parameters_file_names_only_parameters_of_main_and_every_required_one() -> None:
    parameters = json.loads((INFRA / "main.parameters.json").read_text())["parameters"]
    declared = declared_params(bicep("main.bicep"))
    assert set(parameters) <= set(declared)
    assert {p for p, default in declared.items() if default is None} <= set(parameters)


def azure_yaml_services() -> dict[str, dict[str, str]]:
    """Each service of azure.yaml and its `key: value` lines (azure.yaml is plain YAML two levels deep here)."""
    text = (REPO / "azure.yaml").read_text()
    section = re.search(r"^services:\n((?:  .*\n|\n)+)", text, re.MULTILINE)
    assert section
    services: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for line in section.group(1).splitlines():
        if match := re.match(r"^  (\w+):$", line):
            current = services.setdefault(match.group(1), {})
        elif (match := re.match(r"^    (\w+): (.+)$", line)) and current is not None:
            current[match.group(1)] = match.group(2).strip()
    return services


def test_azure_yaml_deploys_the_repository_as_the_function_app_and_the_console_as_the_static_web_app() -> None:
    services = azure_yaml_services()
    assert list(services) == ["api", "web"]
    assert services["api"] == {"project": ".", "language": "python", "host": "function"}
    # azd builds a js project itself (npm install, npm run build) and uploads `dist` with the SWA CLI.
    assert services["web"] == {"project": "web", "language": "js", "host": "staticwebapp", "dist": "dist"}
    package = json.loads((REPO / "web" / "package.json").read_text())
    assert "build" in package["scripts"]
    assert "vite build" in package["scripts"]["build"]  # writes web/dist, the `dist` above
    text = (REPO / "azure.yaml").read_text()
    assert "infra/scripts/seed_operator.py" in text  # the postprovision hook seeds the first operator


# The console on Static Web Apps ---------------------------------------------------------------------------------


def test_the_console_is_a_standard_static_web_app_azd_deploys_as_the_web_service() -> None:
    web = strip_comments(bicep("app/web.bicep"))
    site = re.search(r"^resource (\w+) 'Microsoft\.Web/staticSites@(\d{4}-\d{2}-\d{2})' = \{", web, re.MULTILINE)
    assert site, "app/web.bicep declares no Microsoft.Web/staticSites"
    assert site.group(2) in {"2022-09-01", "2023-01-01"}
    body = block(web, rf"^resource {site.group(1)} ")
    # Only Standard links a backend.
    assert top_level_entries(block(body, r"sku:\s*\{")) == {"name": "'Standard'", "tier": "'Standard'"}
    assert top_level_entries(body)["tags"] == "union(tags, { 'azd-service-name': serviceName })"
    assert declared_params(bicep("app/web.bicep"))["serviceName"] == "'web'"  # azure.yaml's service name
    assert top_level_entries(block(body, r"properties:\s*\{"))["provider"] == "'Custom'"  # deployed by azd, not a repo
    assert f"output uri string = 'https://${{{site.group(1)}.properties.defaultHostname}}'" in web
    assert f"output name string = {site.group(1)}.name" in web


def test_the_function_app_is_the_static_web_apps_linked_backend() -> None:
    link = strip_comments(bicep("app/web-backend.bicep"))
    match = re.search(
        r"^resource (\w+) 'Microsoft\.Web/staticSites/linkedBackends@(\d{4}-\d{2}-\d{2})' = \{", link, re.MULTILINE
    )
    assert match, "no Microsoft.Web/staticSites/linkedBackends"
    assert match.group(2) in {"2022-09-01", "2023-01-01"}
    body = block(link, rf"^resource {match.group(1)} ")
    parent = top_level_entries(body)["parent"]
    assert re.search(rf"^resource {parent} 'Microsoft\.Web/staticSites@[^']+' existing = \{{", link, re.MULTILINE)
    properties = top_level_entries(block(body, r"properties:\s*\{"))
    assert properties == {"backendResourceId": "backendResourceId", "region": "backendRegion"}
    # main.bicep: the backend is the Function App (its id, its region) on the static web app web.bicep made.
    _, given = module_calls(bicep("main.bicep"))["webBackend"]
    assert given == {
        "staticWebAppName": "web.outputs.name",
        "backendResourceId": "api.outputs.id",
        "backendRegion": "location",
    }
    assert module_calls(bicep("main.bicep"))["api"][1]["location"] == "location"
    assert "output id string = site.id" in bicep("app/api.bicep")


def test_the_static_web_app_lives_where_static_web_apps_exist_and_its_origin_is_an_output() -> None:
    main = bicep("main.bicep")
    path, given = module_calls(main)["web"]
    assert path == "./app/web.bicep"
    assert given["location"] == "staticWebAppLocation"
    assert given["tags"] == "tags"
    allowed = re.search(r"@allowed\(\[([^\]]*)\]\)\s*\nparam staticWebAppLocation string = '(\w+)'", main)
    assert allowed
    regions = set(re.findall(r"'(\w+)'", allowed.group(1)))
    assert regions == {"westeurope", "eastus2", "centralus", "westus2", "eastasia"}
    assert allowed.group(2) in regions
    outputs = dict(re.findall(r"^output (\w+) string = (.+)$", strip_comments(main), re.MULTILINE))
    assert outputs["WEB_URI"] == "web.outputs.uri"
    assert outputs["STATIC_WEB_APP_NAME"] == "web.outputs.name"
    assert outputs["SERVICE_API_URI"] == "api.outputs.uri"


def test_the_api_s_public_base_url_is_the_console_s_origin() -> None:
    """Consent comes back to PUBLIC_BASE_URL and the callback then sends the browser to a console page by a
    relative path, so PUBLIC_BASE_URL is the static web app's origin (whose /api is the Function App)."""
    given = module_calls(bicep("main.bicep"))["api"][1]
    assert given["publicBaseUrl"] == "empty(publicBaseUrl) ? web.outputs.uri : publicBaseUrl"
    assert template_settings()["PUBLIC_BASE_URL"].startswith("empty(publicBaseUrl) ? ")
    # Same origin: no CORS origins by default.
    assert declared_params(bicep("main.bicep"))["allowedOrigins"] == "[]"
    assert Settings.model_fields["cors_allowed_origins"].default == ""
    providers = (REPO / "functions" / "http" / "providers.py").read_text()
    assert 'RedirectResponse(f"/providers/' in providers  # relative: the console's page on the same origin


def _console_config() -> dict[str, object]:
    return json.loads((REPO / "web" / "public" / "staticwebapp.config.json").read_text())


def test_the_console_s_routes_reload_but_api_and_assets_are_never_rewritten() -> None:
    config = _console_config()
    fallback = config["navigationFallback"]
    assert isinstance(fallback, dict)
    assert fallback["rewrite"] == "/index.html"
    assert "/api/*" in fallback["exclude"]
    assert "/assets/*" in fallback["exclude"]  # vite's hashed files: a missing one is a 404, not the app
    assert "platform" not in config  # apiRuntime is for managed functions; /api is the linked Function App
    routes = config.get("routes", [])
    assert isinstance(routes, list)
    assert not [r for r in routes if str(r.get("route", "")).startswith("/api")]  # /api/* is the backend's


def test_the_console_s_content_security_policy_lets_msal_sign_in() -> None:
    headers = _console_config()["globalHeaders"]
    assert isinstance(headers, dict)
    policy = dict(
        (directive.split()[0], directive.split()[1:]) for directive in headers["Content-Security-Policy"].split("; ")
    )
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no inline script: the build emits module files only
    assert "https://login.microsoftonline.com" in policy["connect-src"]  # MSAL's token and metadata calls
    assert "https://login.microsoftonline.com" in policy["frame-src"]  # MSAL's silent iframe
    assert policy["frame-ancestors"] == ["'none'"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    msal = (REPO / "web" / "src" / "lib" / "auth" / "msal.ts").read_text()
    assert "redirectUri: `${origin}/`" in msal  # the SPA redirect URI docs/deploy.md tells operators to register


def test_every_setting_and_azd_value_deploy_md_names_exists() -> None:
    doc = (REPO / "docs" / "deploy.md").read_text()
    named = set(re.findall(r"`([A-Z][A-Z0-9_]{3,})`", doc)) | set(
        re.findall(r"azd env (?:set|get-value) ([A-Z][A-Z0-9_]+)", doc)
    )
    assert {"AUTH_CLIENT_ID", "AUTH_API_SCOPE", "AUTH_AUDIENCE", "WEB_URI", "PUBLIC_BASE_URL"} <= named
    main = bicep("main.bicep")
    parameters = (INFRA / "main.parameters.json").read_text()
    azd_values = set(re.findall(r"\$\{([A-Z][A-Z0-9_]+)", parameters)) | set(
        re.findall(r"^output (\w+) ", main, re.MULTILINE)
    )
    hooks = set(re.findall(r"\$\{?([A-Z][A-Z0-9_]+)", (REPO / "azure.yaml").read_text()))
    # Constants of shared/config.py the docs cite by name (LOCAL_ONLY_SETTINGS).
    constants = set(re.findall(r"^([A-Z][A-Z0-9_]+)\b", (REPO / "shared" / "config.py").read_text(), re.MULTILINE))
    known = code_settings() | set(template_settings()) | azd_values | hooks | constants | {"AZURE_PRINCIPAL_ID"}
    unknown = sorted(name for name in named if name not in known)
    assert not unknown, f"docs/deploy.md names settings nothing defines: {unknown}"


# The secret store speaks to the Key Vault SDK as the SDK is written ------------------------------------------------


def _calls_in(source: str, name: str) -> list[ast.Call]:
    calls = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            target = node.func
            called = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", None)
            if called == name:
                calls.append(node)
    return calls


def _binds(signature: inspect.Signature, call: ast.Call, *, bound_self: bool) -> None:
    args = [object()] * len(call.args)
    kwargs = {kw.arg: object() for kw in call.keywords if kw.arg}
    if any(kw.arg is None for kw in call.keywords):  # **options: the SDK takes **kwargs for client options
        assert any(p.kind is inspect.Parameter.VAR_KEYWORD for p in signature.parameters.values())
    signature.bind(*([object()] if bound_self else []), *args, **kwargs)


def test_the_key_vault_store_calls_the_secret_client_as_its_signature_allows() -> None:
    source = (REPO / "shared" / "secrets" / "keyvault.py").read_text()
    constructions = _calls_in(source, "SecretClient")
    gets, sets = _calls_in(source, "get_secret"), _calls_in(source, "set_secret")
    assert constructions and gets and sets
    for call in constructions:
        _binds(inspect.signature(SecretClient.__init__), call, bound_self=True)
    for call in gets:
        _binds(inspect.signature(SecretClient.get_secret), call, bound_self=True)
    for call in sets:
        _binds(inspect.signature(SecretClient.set_secret), call, bound_self=True)
    assert "from azure.identity import DefaultAzureCredential" in source  # the app's identity (AZURE_CLIENT_ID)
    assert list(inspect.signature(SecretClient.__init__).parameters)[1:3] == ["vault_url", "credential"]


# The first operator ---------------------------------------------------------------------------------------------


def test_seed_operator_makes_the_first_operator_once(storage_connection_string: str, tmp_path: Path) -> None:
    from shared.domain.scope import OrgRef, Role
    from shared.storage.members import MemberRepository
    from shared.storage.tables import TableStorage

    oid = str(uuid.uuid4())
    command = [
        sys.executable,
        str(INFRA / "scripts" / "seed_operator.py"),
        "--user",
        oid,
        "--connection-string",
        storage_connection_string,
    ]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    first = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert first.returncode == 0, first.stderr
    assert f"operator: {oid}" in first.stdout
    again = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert again.returncode == 0, again.stderr
    member = MemberRepository(TableStorage(connection_string=storage_connection_string)).get(oid)
    assert member is not None
    assert (member.role, member.org) == (Role.OPERATOR, OrgRef.operator())


def test_seed_operator_refuses_a_user_that_is_not_an_object_id() -> None:
    result = subprocess.run(
        [sys.executable, str(INFRA / "scripts" / "seed_operator.py"), "--user", "alice@example.com"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "--user must be an Entra ID object id" in result.stderr


def test_seed_operator_waits_for_the_role_to_reach_storage_then_gives_up() -> None:
    sys.path.insert(0, str(INFRA / "scripts"))
    try:
        import seed_operator
    finally:
        sys.path.remove(str(INFRA / "scripts"))
    forbidden = HttpResponseError(message="AuthorizationPermissionMismatch")
    forbidden.status_code = 403
    attempts: list[int] = []
    slept: list[float] = []

    def refused_twice() -> str:
        attempts.append(1)
        if len(attempts) <= 2:
            raise forbidden
        return "seeded"

    assert seed_operator.with_wait_for_role(refused_twice, wait_seconds=600, sleep=slept.append) == "seeded"
    assert slept == [5.0, 10.0]

    def always_refused() -> str:
        raise forbidden

    with pytest.raises(seed_operator.RoleNotYetEffective):
        seed_operator.with_wait_for_role(always_refused, wait_seconds=0, sleep=slept.append)


def test_partner_centers_webhook_is_registered_on_the_function_apps_own_host() -> None:
    """Its signature is in the Authorization header: it does not pass through the static web app."""
    assert template_settings()["WEBHOOK_BASE_URL"] == "'https://${site.properties.defaultHostName}'"
