export { AuthProvider } from "./AuthProvider";
export { AuthContext, useAuth, type Auth, type AuthState, type SignInMode } from "./context";
export { MeContext, meQuery, useMe, useMeQuery, type Me } from "./me";
export { listDevPeople, DevSignIn, type DevPerson, type DevSession } from "./dev";
export type { ConsoleConfig } from "./config";
