// The /v1 API with the operator's token, typed from docs/openapi.yaml (src/api-types.ts, made by
// openapi-typescript on every build): a change of the API that breaks the console breaks its build.
import type { components, paths } from "./api-types";

type Schemas = components["schemas"];
export type BalanceRow = Schemas["BalanceRow"];
export type AccountRow = Schemas["AccountRow"];
export type RecordRow = Schemas["RecordRow"];
export type ChargeRow = Schemas["ChargeRow"];
export type CardRow = Schemas["CardRow"];
export type IssuedCardBatch = Schemas["IssuedCardBatch"];
export type ClearingRow = Schemas["ClearingRow"];
export type SettlementRow = Schemas["SettlementRow"];
export type AgentIncomeRow = Schemas["AgentIncomeRow"];
export type ExplainRow = Schemas["ExplainRow"];
export type OperationRow = Schemas["OperationRow"];
export type ParameterRow = Schemas["ParameterRow"];
export type OperatorRow = Schemas["OperatorRow"];
export type Outcome = Schemas["Outcome"];
export type OutcomeWithToken = Schemas["OutcomeWithToken"];
export type UpdateAccountBody = Schemas["UpdateAccountRequest"];
export type AddOperatorBody = Schemas["AddOperatorRequest"];
export type Me = paths["/v1/me"]["get"]["responses"]["200"]["content"]["application/json"];
export type PaymentAnswer =
  paths["/v1/accounts/{id}/payments"]["post"]["responses"]["201"]["content"]["application/json"];
export type PayBody = paths["/v1/accounts/{id}/payments"]["post"]["requestBody"]["content"]["application/json"];
export type CreditBody = paths["/v1/accounts/{id}/credit"]["post"]["requestBody"]["content"]["application/json"];
export type MakeZeroBody = NonNullable<
  paths["/v1/accounts/{id}/make-zero"]["post"]["requestBody"]
>["content"]["application/json"];

const tokenKey = "paystream.token";

// The token lives in this tab's session only: closing the tab signs out.
export const session = {
  token: (): string | null => sessionStorage.getItem(tokenKey),
  signIn: (token: string) => sessionStorage.setItem(tokenKey, token),
  signOut: () => sessionStorage.removeItem(tokenKey),
};

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: unknown = undefined,  // the refusal's whole JSON, when it says more than its error
  ) {
    super(message);
  }
}

async function call(method: string, path: string, body?: unknown, accept = "application/json"): Promise<Response> {
  const headers: Record<string, string> = { Accept: accept, Authorization: `Bearer ${session.token() ?? ""}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let answer: Response;
  try {
    answer = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, "unreachable", "the server did not answer: check that it runs, then try again");
  }
  // 202: Kafka mode published the command but its outcome is not known yet; it is no success, and
  // a retry with the same command ID learns the outcome.
  if (!answer.ok || answer.status === 202) {
    let code = "http_" + answer.status;
    let message = `the server answered ${answer.status}`;
    let body: unknown = undefined;
    try {
      body = await answer.json();
      const error = body as { error?: { code?: string; message?: string } };
      code = error.error?.code ?? code;
      message = error.error?.message ?? message;
    } catch {
      // not JSON: keep the status
    }
    throw new ApiError(answer.status, code, message, body);
  }
  return answer;
}

export async function getJson<T>(path: string): Promise<T> {
  return (await (await call("GET", path)).json()) as T;
}

export async function postJson<T>(path: string, body: unknown): Promise<T> {
  return (await (await call("POST", path, body)).json()) as T;
}

// The payment record among an outcome's events (the one that moved a balance), if any.
export type MovedBalance = { amount?: string; balance_before?: string; balance_after?: string };
export function movedBalance(outcome: { events?: unknown[] }): MovedBalance | undefined {
  return outcome.events?.find((event) => typeof event === "object" && event !== null && "balance_after" in event) as
    | MovedBalance
    | undefined;
}

export async function sendJson<T>(method: "PATCH" | "PUT", path: string, body: unknown): Promise<T> {
  return (await (await call(method, path, body)).json()) as T;
}

// A whole filtered export (format=csv or xlsx, limit=0) as a file the browser saves: a plain link
// could not carry the token. The body is read as it streams in, so a long export shows how much has
// come (`progress` with the bytes so far).
export async function download(
  path: string,
  accept: string,
  fileName: string,
  progress: (bytes: number) => void = () => {},
): Promise<number> {
  const answer = await call("GET", path, undefined, accept);
  const parts: Uint8Array[] = [];
  let bytes = 0;
  const reader = answer.body?.getReader();
  if (reader) {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      bytes += value.length;
      progress(bytes);
    }
  }
  const blob = new Blob(parts as unknown as BlobPart[], { type: answer.headers.get("Content-Type") ?? accept });
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  return bytes;
}

export function query(values: Record<string, string>): string {
  const parts = Object.entries(values)
    .filter(([, value]) => value !== "")
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
  return parts.length === 0 ? "" : "?" + parts.join("&");
}
