// The console's screens (docs/console.md): sign-in, accounts, an account with its Payment dialog,
// payment records and balances, each read from the /v1 API with the operator's token.
import {
  ApiError,
  download,
  getJson,
  postJson,
  query,
  session,
  type BalanceRow,
  type Me,
  type PaymentAnswer,
  type RecordRow,
} from "./api";
import { field, h, timeCell } from "./dom";
import { formatAmount, isAmountText } from "./money";
import "./style.css";

const app = document.getElementById("app") as HTMLElement;
let me: Me | null = null;

const balanceColumns: [keyof BalanceRow, string][] = [
  ["account_id", "Account ID"],
  ["account_name", "Account Name"],
  ["account_type", "Account Type"],
  ["current_balance", "Current Balance"],
  ["overdraft_limit", "Overdraft Limit"],
  ["available_credit", "Available Credit"],
  ["monthly_consumption", "Monthly Consumption"],
  ["monthly_min", "Monthly Min"],
  ["monthly_max", "Monthly Max"],
  ["expiration_date", "Expiration Date"],
  ["account_status", "Account Status"],
];
const recordColumns: [keyof RecordRow, string][] = [
  ["record_id", "Record ID"],
  ["account_id", "Account ID"],
  ["account_name", "Account Name"],
  ["payment_type", "Payment Type"],
  ["amount", "Amount"],
  ["balance_before", "Balance Before"],
  ["balance_after", "Balance After"],
  ["payment_time", "Payment Time"],
  ["operator", "Operator"],
  ["memo", "Memo"],
];
const amountKeys = new Set<string>([
  "current_balance", "overdraft_limit", "available_credit", "monthly_consumption", "monthly_min", "monthly_max",
  "amount", "balance_before", "balance_after",
]);

function errorText(error: unknown): string {
  if (error instanceof ApiError) return `${error.message} (${error.code})`;
  return String(error);
}

function errorBox(error: unknown): HTMLElement {
  return h("p", { class: "error", role: "alert" }, errorText(error));
}

function table<Row>(columns: [keyof Row, string][], rows: Row[], link?: (row: Row) => string): HTMLElement {
  return h(
    "table",
    {},
    h("thead", {}, h("tr", {}, ...columns.map(([, title]) => h("th", { scope: "col" }, title)))),
    h(
      "tbody",
      {},
      ...rows.map((row) =>
        h(
          "tr",
          {},
          ...columns.map(([key]) => {
            const value = String(row[key] ?? "");
            if (key === "payment_time") return timeCell(value);
            if (key === "account_id" && link) return h("td", {}, h("a", { href: link(row) }, value));
            return h("td", { class: amountKeys.has(String(key)) ? "amount" : "" }, amountKeys.has(String(key)) ? formatAmount(value) : value);
          }),
        ),
      ),
    ),
  );
}

// A listing with filters, pages by cursor, and the API's exports of the whole filtered result.
function listing<Row>(options: {
  title: string;
  path: string;
  columns: [keyof Row, string][];
  filters: [string, HTMLElement][];
  fileStem: string;
  link?: (row: Row) => string;
}): void {
  const results = h("div", { id: "results" });
  const status = h("p", { class: "status", "aria-live": "polite" });
  const values = (): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const [name, input] of options.filters) out[name] = (input as HTMLInputElement).value.trim();
    return out;
  };
  const show = async (cursor: string) => {
    status.textContent = "Loading…";
    try {
      const page = await getJson<{ rows: Row[]; next_cursor?: string }>(
        options.path + query({ ...values(), limit: "50", cursor }),
      );
      status.textContent = `${page.rows.length} rows${page.next_cursor ? ", more on the next page" : ""}`;
      results.replaceChildren(
        table(options.columns, page.rows, options.link),
        page.next_cursor
          ? h("button", { type: "button", onclick: () => void show(page.next_cursor ?? "") }, "Next page")
          : "",
      );
    } catch (error) {
      status.textContent = "";
      results.replaceChildren(errorBox(error));
    }
  };
  const exportAs = async (format: "csv" | "xlsx") => {
    status.textContent = `Exporting ${format.toUpperCase()}…`;
    try {
      const accept = format === "csv" ? "text/csv" : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
      await download(options.path + query({ ...values(), limit: "0", format }), accept, `${options.fileStem}.${format}`);
      status.textContent = `Exported ${format.toUpperCase()}`;
    } catch (error) {
      status.textContent = "";
      results.replaceChildren(errorBox(error));
    }
  };
  const form = h(
    "form",
    { class: "filters", onsubmit: (event: Event) => { event.preventDefault(); void show(""); } },
    ...options.filters.map(([, input]) => input.closest(".field") ?? input),
    h("button", { type: "submit" }, "Search"),
    h("button", { type: "button", onclick: () => void exportAs("csv") }, "Export CSV"),
    h("button", { type: "button", onclick: () => void exportAs("xlsx") }, "Export Excel"),
  );
  app.replaceChildren(h("h1", {}, options.title), form, status, results);
  void show("");
}

function input(attributes: Record<string, string> = {}): HTMLInputElement {
  return h("input", attributes) as HTMLInputElement;
}

function select(options: [string, string][]): HTMLSelectElement {
  return h("select", {}, ...options.map(([value, label]) => h("option", { value }, label))) as HTMLSelectElement;
}

function labelled(name: string, label: string, element: HTMLElement): [string, HTMLElement] {
  field(label, element);
  return [name, element];
}

const accountLink = (row: { account_id: string }): string => `#/account/${encodeURIComponent(row.account_id)}`;

function showRecords(): void {
  listing<RecordRow>({
    title: "Payment records",
    path: "/v1/payment-records",
    columns: recordColumns,
    fileStem: "payment-records",
    link: accountLink,
    filters: [
      labelled("account", "Account", input()),
      labelled("from", "From (date)", input({ type: "date" })),
      labelled("to", "To (date, included)", input({ type: "date" })),
      labelled("type", "Type", select([
        ["", "any"], ["payment", "Payment"], ["credit", "Credit"], ["make_zero", "Make zero"],
        ["reversal", "Reversal"], ["adjustment", "Adjustment"], ["phone_card", "Phone card"],
        ["minimum_consumption", "Minimum consumption"],
      ])),
      labelled("operator", "Operator", input()),
    ],
  });
}

function showBalances(title = "Balances"): void {
  listing<BalanceRow>({
    title,
    path: "/v1/balances",
    columns: balanceColumns,
    fileStem: "balances",
    link: accountLink,
    filters: [
      labelled("account", "Account", input()),
      labelled("type", "Account type", select([["", "any"], ["direct", "Direct"], ["agent", "Agent"], ["clearing", "Clearing"]])),
      labelled("min", "Balance at least", input({ inputmode: "decimal" })),
      labelled("max", "Balance at most", input({ inputmode: "decimal" })),
    ],
  });
}

function newCommandId(): string {
  if (typeof crypto.randomUUID === "function") return "console-" + crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return "console-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// The Payment dialog: one command ID for its whole life, so a double click, a retry after a lost
// answer, or a second submit of the same form can never pay twice.
function paymentDialog(accountId: string, done: () => void): void {
  const commandId = newCommandId();
  const kind = select([["payment", "Payment"], ["credit", "Credit"], ["make_zero", "Make Zero"]]);
  const amount = input({ inputmode: "decimal", autocomplete: "off" });
  const memo = input({ autocomplete: "off" });
  const amountLabel = h("label", { for: "pay-amount" }, "Amount");
  amount.id = "pay-amount";
  const amountField = h("div", { class: "field" }, amountLabel, amount);
  const message = h("div", { class: "result", "aria-live": "polite" });
  const submit = h("button", { type: "submit" }, "Submit") as HTMLButtonElement;
  const close = () => {
    dialog.close();
    dialog.remove();
    done();
  };
  kind.addEventListener("change", () => {
    amountLabel.textContent = kind.value === "credit" ? "Credit limit" : "Amount";
    amountField.hidden = kind.value === "make_zero";
  });
  let busy = false;
  let finished = false;
  const send = async () => {
    if (busy || finished) return;
    const text = amount.value.trim();
    if (kind.value !== "make_zero" && !isAmountText(text, false)) {
      message.replaceChildren(h("p", { class: "error", role: "alert" }, "Enter an amount: digits with at most 6 decimals"));
      return;
    }
    busy = true;
    submit.disabled = true;
    message.replaceChildren("Sending…");
    const id = encodeURIComponent(accountId);
    try {
      const answer =
        kind.value === "payment"
          ? await postJson<PaymentAnswer>(`/v1/accounts/${id}/payments`, { amount: text, memo: memo.value, command_id: commandId })
          : kind.value === "credit"
            ? await postJson<PaymentAnswer>(`/v1/accounts/${id}/credit`, { limit: text, memo: memo.value, command_id: commandId })
            : await postJson<PaymentAnswer>(`/v1/accounts/${id}/make-zero`, { memo: memo.value, command_id: commandId });
      const record = answer.events.find((event) => "balance_after" in event) as
        | { balance_before?: string; balance_after?: string }
        | undefined;
      finished = true;
      for (const element of [kind, amount, memo]) element.setAttribute("disabled", "");
      message.replaceChildren(
        h("p", { class: "ok" }, answer.duplicate ? "Already done (the same request was sent before):" : "Done:"),
        h("p", {}, `Balance before: ${formatAmount(record?.balance_before ?? "")}`),
        h("p", {}, `Balance after: ${formatAmount(record?.balance_after ?? "")}`),
      );
      submit.hidden = true;
    } catch (error) {
      message.replaceChildren(errorBox(error), h("p", {}, "Nothing was changed."));
      submit.disabled = false;
    } finally {
      busy = false;
    }
  };
  const dialog = h(
    "dialog",
    { "aria-label": `Payment for ${accountId}` },
    h(
      "form",
      { onsubmit: (event: Event) => { event.preventDefault(); void send(); } },
      h("h2", {}, `Payment for ${accountId}`),
      field("Kind", kind),
      amountField,
      field("Memo", memo),
      message,
      h("div", { class: "buttons" }, submit, h("button", { type: "button", onclick: close }, "Close")),
    ),
  ) as HTMLDialogElement;
  dialog.addEventListener("cancel", (event) => { event.preventDefault(); close(); });
  document.body.append(dialog);
  dialog.showModal();
  amount.focus();
}

async function showAccount(accountId: string): Promise<void> {
  app.replaceChildren(h("h1", {}, `Account ${accountId}`), h("p", {}, "Loading…"));
  try {
    const balance = await getJson<{ rows: BalanceRow[] }>("/v1/balances" + query({ account: accountId }));
    const records = await getJson<{ rows: RecordRow[] }>(
      "/v1/payment-records" + query({ account: accountId, limit: "0" }),
    );
    const refresh = () => void showAccount(accountId);
    app.replaceChildren(
      h("h1", {}, `Account ${accountId}`),
      table(balanceColumns, balance.rows),
      me?.role === "auditor"
        ? h("p", { class: "note" }, "Auditors read only.")
        : h("button", { type: "button", id: "pay", onclick: () => paymentDialog(accountId, refresh) }, "Pay…"),
      h("h2", {}, "Payment records"),
      table(recordColumns, records.rows.slice(-20).reverse()),
    );
  } catch (error) {
    app.replaceChildren(h("h1", {}, `Account ${accountId}`), errorBox(error));
  }
}

function showSignIn(problem?: string): void {
  const token = input({ type: "password", autocomplete: "off" });
  app.replaceChildren(
    h("h1", {}, "Sign in"),
    h(
      "form",
      {
        onsubmit: (event: Event) => {
          event.preventDefault();
          session.signIn(token.value.trim());
          void start();
        },
      },
      field("Operator token", token),
      h("button", { type: "submit" }, "Sign in"),
    ),
    problem ? h("p", { class: "error", role: "alert" }, problem) : "",
  );
  token.focus();
}

function route(): void {
  const hash = location.hash || "#/accounts";
  if (hash.startsWith("#/account/")) void showAccount(decodeURIComponent(hash.slice("#/account/".length)));
  else if (hash === "#/records") showRecords();
  else if (hash === "#/balances") showBalances();
  else showBalances("Accounts");
}

async function start(): Promise<void> {
  const nav = document.getElementById("nav") as HTMLElement;
  const who = document.getElementById("who") as HTMLElement;
  const signOut = document.getElementById("sign-out") as HTMLButtonElement;
  signOut.onclick = () => {
    session.signOut();
    me = null;
    nav.hidden = true;
    signOut.hidden = true;
    who.textContent = "";
    showSignIn();
  };
  if (!session.token()) return showSignIn();
  try {
    me = await getJson<Me>("/v1/me");
  } catch (error) {
    session.signOut();
    return showSignIn(error instanceof ApiError && error.status === 401 ? "That token is not an operator's." : errorText(error));
  }
  nav.hidden = false;
  signOut.hidden = false;
  who.textContent = `${me.operator} (${me.role}${me.agent ? ", " + me.agent : ""})`;
  route();
}

window.addEventListener("hashchange", () => { if (me) route(); });
void start();
