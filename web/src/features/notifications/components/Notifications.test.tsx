import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { fakeApi, json, problem } from "../../../testing/fetch";
import { members, renderWith } from "../../../testing/render";
import type { Delivery, EventSubscription } from "../api/notifications";
import { DeliveriesTable } from "./DeliveriesTable";
import { EndpointDetails } from "./EndpointDetails";
import { RegisterEndpointForm } from "./RegisterEndpointForm";

const ENDPOINT: EventSubscription = {
  id: "es-1",
  url: "https://hooks.fabrikam.example/csp",
  events: ["order.failed", "order.pendingApproval"],
  description: "Service desk",
  enabled: true,
  ownerType: "provider",
  ownerId: "prov-1",
  createdAt: "2026-10-01T09:00:00+00:00",
  createdBy: "pa-0001-aaaa",
  updatedAt: "2026-10-01T09:00:00+00:00",
  secretRotatedAt: null,
};

const FAILED: Delivery = {
  id: "dl-1",
  eventId: "evt-1",
  eventType: "ping",
  status: "failed",
  createdAt: "2026-10-02T14:05:10+00:00",
  nextAttemptAt: null,
  round: 0,
  attempts: [
    { number: 2, at: "2026-10-02T14:06:10+00:00", statusCode: 500, error: "answered 500", durationMs: 12, round: 0 },
    { number: 1, at: "2026-10-02T14:05:10+00:00", statusCode: 500, error: "answered 500", durationMs: 15, round: 0 },
  ],
  event: { id: "evt-1", type: "ping", occurredAt: "2026-10-02T14:05:10+00:00", providerId: "prov-1",
           resellerId: null, customerId: null, data: {} },
};

describe("Registering an endpoint", () => {
  it("sends the URL and the chosen events with an Idempotency-Key, and shows a refused URL at its field", async () => {
    const api = fakeApi({
      "POST /api/event-subscriptions": () =>
        problem(422, "url must be https", [{ field: "url", message: "must be https" }]),
    });
    const user = userEvent.setup();
    renderWith(<RegisterEndpointForm onRegistered={vi.fn()} />);
    await user.type(screen.getByRole("textbox", { name: /^URL/ }), "http://hooks.example.com/x");
    await user.click(screen.getByRole("checkbox", { name: /billing\.runCompleted/ }));
    await user.click(screen.getByRole("checkbox", { name: /order\.failed/ }));
    expect(screen.getByRole("checkbox", { name: /billing\.runCompleted/ })).toBeChecked();
    expect(screen.getByRole("checkbox", { name: /order\.failed/ })).not.toBeChecked();
    await user.click(screen.getByRole("button", { name: "Register endpoint" }));
    const url = await screen.findByRole("textbox", { name: /^URL/, description: /^must be https/ });
    expect(url).toHaveAttribute("aria-invalid", "true");
    const [sent] = api.calls("POST /api/event-subscriptions");
    expect(sent?.headers.get("Idempotency-Key")).toMatch(/^[0-9a-f-]{20,}$/);
    expect(await sent!.json()).toEqual({
      url: "http://hooks.example.com/x",
      events: ["order.pendingApproval", "billing.runCompleted"],
      description: null,
    });
  });
});

describe("An endpoint", () => {
  it("rotates its secret and shows the new one once, with the warning", async () => {
    fakeApi({ "POST /api/event-subscriptions/es-1/rotate-secret": () => json({ ...ENDPOINT, secret: "whsec_new" }) });
    const user = userEvent.setup();
    renderWith(<EndpointDetails endpoint={ENDPOINT} mayManage onDeleted={vi.fn()} />);
    await user.click(screen.getByRole("button", { name: "Rotate secret" }));
    expect(await screen.findByText("whsec_new")).toBeInTheDocument();
    expect(screen.getByText(/it will not be shown again/)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "I have stored it" }));
    expect(screen.queryByText("whsec_new")).toBeNull();
  });

  it("offers staff no actions", () => {
    renderWith(<EndpointDetails endpoint={ENDPOINT} mayManage={false} onDeleted={vi.fn()} />, { me: members.providerStaff });
    expect(screen.queryByRole("button", { name: "Send a ping" })).toBeNull();
    expect(screen.getByText(ENDPOINT.url)).toBeInTheDocument();
  });

  it("lists deliveries with their attempts and replays one", async () => {
    const api = fakeApi({
      "GET /api/event-subscriptions/es-1/deliveries": () => json({ items: [FAILED], continuationToken: null }),
      "POST /api/event-subscriptions/es-1/deliveries/dl-1/replay": () => json({ ...FAILED, status: "pending", round: 1 }, 202),
    });
    const user = userEvent.setup();
    renderWith(<DeliveriesTable endpointId="es-1" status={null} onStatus={vi.fn()} mayReplay />);
    const table = await screen.findByRole("table", { name: "Deliveries" });
    expect(within(table).getByText("failed")).toBeInTheDocument();
    expect(within(table).getByText(/2 attempts, last 500/)).toBeInTheDocument();
    const attempts = within(table).getByRole("table", { name: "Attempts of delivery dl-1", hidden: true });
    expect(within(attempts).getAllByText("answered 500", {})).toHaveLength(2);
    await user.click(within(table).getByRole("button", { name: /^Replay the ping delivery/ }));
    await waitFor(() => expect(api.calls("POST /api/event-subscriptions/es-1/deliveries/dl-1/replay")).toHaveLength(1));
  });
});
