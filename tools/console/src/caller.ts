// Who is signed in (GET /v1/me), so that each screen offers only what the operator may do. The
// server still checks every request: hiding a button is a courtesy, not a guard.
import type { Me } from "./api";

let current: Me | null = null;

export const caller = {
  get: (): Me | null => current,
  set: (me: Me | null) => {
    current = me;
  },
  role: (): string => current?.role ?? "",
  // Admin and finance change accounts and cards; agents pay within their permissions; auditors read.
  isAdmin: (): boolean => current?.role === "admin",
  managesAccounts: (): boolean => current?.role === "admin" || current?.role === "finance",
  isAuditor: (): boolean => current?.role === "auditor",
  readsAudit: (): boolean => current?.role === "admin" || current?.role === "auditor",
  seesCards: (): boolean => current?.role !== "agent",
};
