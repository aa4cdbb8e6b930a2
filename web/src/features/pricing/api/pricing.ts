/** A buyer's pricing (read and replaced whole under its ETag) and the default margins. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../../../lib/api/client";
import { ApiError } from "../../../lib/api/problem";

export type Pricing = Schemas["PricingOut"];
export type PricingIn = Schemas["PricingIn"];
export type Margin = Schemas["MarginOut"];

/** The pricing with the ETag to send back as If-Match. */
export interface Versioned {
  pricing: Pricing;
  etag: string | null;
}

export type Buyer = { kind: "reseller"; id: string } | { kind: "customer"; id: string };

export const pricingKeys = {
  all: ["pricing"] as const,
  buyer: (buyer: Buyer) => ["pricing", buyer.kind, buyer.id] as const,
  resellerDefault: (id: string) => ["pricing", "default-margin", "reseller", id] as const,
  providerDefault: (id: string) => ["pricing", "default-margin", "provider", id] as const,
};

type Result<D> = { data?: D; error?: unknown; response: Response };

/** Like `unwrap`, keeping the answer's ETag. */
async function versioned(call: Promise<Result<Pricing>>): Promise<Versioned> {
  let result: Result<Pricing>;
  try {
    result = await call;
  } catch (cause) {
    throw ApiError.unreachable(cause);
  }
  const { data, error, response } = result;
  if (!response.ok || error !== undefined || data === undefined) throw ApiError.from(response, error);
  return { pricing: data, etag: response.headers.get("ETag") };
}

function getPricing(buyer: Buyer) {
  return buyer.kind === "reseller"
    ? versioned(api.GET("/api/resellers/{reseller_id}/pricing", { params: { path: { reseller_id: buyer.id } } }))
    : versioned(api.GET("/api/customers/{customer_id}/pricing", { params: { path: { customer_id: buyer.id } } }));
}

function putPricing(buyer: Buyer, body: PricingIn, ifMatch: string | null) {
  const header = { "If-Match": ifMatch ?? undefined };
  return buyer.kind === "reseller"
    ? versioned(api.PUT("/api/resellers/{reseller_id}/pricing", { params: { path: { reseller_id: buyer.id }, header }, body }))
    : versioned(api.PUT("/api/customers/{customer_id}/pricing", { params: { path: { customer_id: buyer.id }, header }, body }));
}

export function usePricing(buyer: Buyer | null) {
  return useQuery({
    queryKey: buyer ? pricingKeys.buyer(buyer) : ["pricing", "none"],
    enabled: buyer !== null,
    queryFn: () => getPricing(buyer!),
  });
}

export interface PricingSave {
  body: PricingIn;
  /** The ETag read: a 412 answers when someone changed the pricing since. */
  ifMatch: string | null;
}

export function useSavePricing(buyer: Buyer) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ body, ifMatch }: PricingSave) => putPricing(buyer, body, ifMatch),
    onSuccess: (saved) => {
      queryClient.setQueryData(pricingKeys.buyer(buyer), saved);
      return queryClient.invalidateQueries({ queryKey: ["catalog"] });
    },
    onError: (error) => {
      if (error instanceof ApiError && error.status === 412) {
        return queryClient.invalidateQueries({ queryKey: pricingKeys.buyer(buyer) });
      }
    },
  });
}

export type DefaultMarginOf = { kind: "reseller"; id: string } | { kind: "provider"; id: string };

const defaultKey = (of: DefaultMarginOf) =>
  of.kind === "reseller" ? pricingKeys.resellerDefault(of.id) : pricingKeys.providerDefault(of.id);

export function useDefaultMargin(of: DefaultMarginOf | null) {
  return useQuery({
    queryKey: of ? defaultKey(of) : ["pricing", "default-margin", "none"],
    enabled: of !== null,
    queryFn: () =>
      of!.kind === "reseller"
        ? unwrap(api.GET("/api/resellers/{reseller_id}/default-margin", { params: { path: { reseller_id: of!.id } } }))
        : unwrap(api.GET("/api/providers/{provider_id}/default-margin", { params: { path: { provider_id: of!.id } } })),
  });
}

export function useSaveDefaultMargin(of: DefaultMarginOf) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (margin: string | null) =>
      of.kind === "reseller"
        ? unwrap(api.PUT("/api/resellers/{reseller_id}/default-margin", { params: { path: { reseller_id: of.id } }, body: { margin } }))
        : unwrap(api.PUT("/api/providers/{provider_id}/default-margin", { params: { path: { provider_id: of.id } }, body: { margin } })),
    onSuccess: (saved) => {
      queryClient.setQueryData(defaultKey(of), saved);
      return queryClient.invalidateQueries({ queryKey: ["catalog"] });
    },
  });
}
