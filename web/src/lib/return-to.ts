/** A path inside this console (never another origin, never the sign-in page) to come back to after signing in. */
export function safeReturnTo(value: string | null | undefined): string {
  return value && value.startsWith("/") && !value.startsWith("//") && !value.startsWith("/sign-in") ? value : "/";
}
