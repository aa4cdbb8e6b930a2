/** Stable query keys for providers: invalidate `providerKeys.all` after any change. */
export const providerKeys = {
  all: ["providers"] as const,
  list: (token: string | null) => ["providers", "list", { token }] as const,
  detail: (id: string) => ["providers", "detail", id] as const,
};
