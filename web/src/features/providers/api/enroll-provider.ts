import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../../../lib/api/client";
import { providerKeys } from "./keys";

export type ProviderIn = Schemas["ProviderIn"];

export function enrollProvider(body: ProviderIn, idempotencyKey: string) {
  return unwrap(api.POST("/api/providers", { body, params: { header: { "Idempotency-Key": idempotencyKey } } }));
}

export function useEnrollProvider() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ body, idempotencyKey }: { body: ProviderIn; idempotencyKey: string }) =>
      enrollProvider(body, idempotencyKey),
    onSuccess: (provider) => {
      queryClient.setQueryData(providerKeys.detail(provider.id), provider);
      return queryClient.invalidateQueries({ queryKey: providerKeys.all });
    },
  });
}
