import { useMutation } from "@tanstack/react-query";
import { api, unwrap } from "../../../lib/api/client";

/** The authority's consent URL as JSON (without `Accept: application/json` the route answers 302). */
export function getConsentUrl(providerId: string) {
  return unwrap(
    api.GET("/api/providers/{provider_id}/consent", {
      params: { path: { provider_id: providerId } },
      headers: { Accept: "application/json" },
    }),
  );
}

/** Sends the browser to the partner admin's consent; the API's callback brings it back with the outcome. */
export function useStartConsent(navigate: (url: string) => void = (url) => {
    window.location.href = url;
  }) {
  return useMutation({
    mutationFn: (providerId: string) => getConsentUrl(providerId),
    onSuccess: ({ consentUrl }) => navigate(consentUrl),
  });
}
