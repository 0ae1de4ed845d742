// The pieces every screen is made of: errors in words, tables of the API's rows, listings with
// filters, pages and exports, and dialogs that send one command with one command ID.
import { ApiError, download, getJson, query } from "./api";
import { field, h, timeCell } from "./dom";
import { formatAmount, formatBytes } from "./money";

export const app = (): HTMLElement => document.getElementById("app") as HTMLElement;

export function errorText(error: unknown): string {
  if (error instanceof ApiError) return `${error.message} (${error.code})`;
  return String(error);
}

export function errorBox(error: unknown): HTMLElement {
  return h("p", { class: "error", role: "alert" }, errorText(error));
}

export function newCommandId(): string {
  if (typeof crypto.randomUUID === "function") return "console-" + crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return "console-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// Columns holding money (right-aligned, thousands separators) and times (the browser's zone,
// UTC on hover), whichever listing they are in.
const amountKeys = new Set<string>([
  "current_balance", "overdraft_limit", "available_credit", "monthly_consumption", "monthly_min", "monthly_max",
  "amount", "balance_before", "balance_after", "value", "opening_balance", "payments", "phone_cards", "make_zero",
  "adjustments", "reversals", "minimum_charges", "consumption", "net_movement", "transferred", "closing_balance",
  "sub_account_payments", "sub_account_phone_cards", "sub_account_consumption", "sub_account_minimum_charges",
  "sub_account_net_movement", "own_payments", "own_net_movement", "moved", "running_balance", "max_spend",
]);
const timeKeys = new Set<string>(["payment_time", "time", "issued", "changed", "call_start", "recorded"]);

export type Columns<Row> = readonly (readonly [keyof Row & string, string])[];

export function table<Row>(
  columns: Columns<Row>,
  rows: Row[],
  options: { link?: (row: Row) => string; actions?: (row: Row) => HTMLElement | null } = {},
): HTMLElement {
  const cell = (row: Row, key: keyof Row & string): HTMLElement => {
    const value = String(row[key] ?? "");
    if (timeKeys.has(key)) return timeCell(value);
    if (key === "account_id" && options.link) return h("td", {}, h("a", { href: options.link(row) }, value));
    if (amountKeys.has(key)) return h("td", { class: "amount" }, formatAmount(value));
    return h("td", {}, value);
  };
  return h(
    "table",
    {},
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ...columns.map(([, title]) => h("th", { scope: "col" }, title)),
        options.actions ? h("th", { scope: "col" }, "Actions") : null,
      ),
    ),
    h(
      "tbody",
      {},
      ...rows.map((row) =>
        h(
          "tr",
          {},
          ...columns.map(([key]) => cell(row, key)),
          options.actions ? h("td", {}, options.actions(row)) : null,
        ),
      ),
    ),
  );
}

export type Filter = { name: string; label: string; input: HTMLInputElement | HTMLSelectElement };

export function filter(name: string, label: string, input: HTMLInputElement | HTMLSelectElement): Filter {
  return { name, label, input };
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

// A download whose progress (the bytes received so far) and end are said in `status`; a failure
// is thrown for the caller to show where its screen shows errors.
export async function exportShowingProgress(
  status: HTMLElement,
  name: string,
  path: string,
  accept: string,
  fileName: string,
): Promise<void> {
  status.textContent = `Exporting ${name}…`;
  try {
    const bytes = await download(path, accept, fileName, (so_far) => {
      status.textContent = `Exporting ${name}… ${formatBytes(so_far)} received`;
    });
    status.textContent = `Exported ${name}: ${formatBytes(bytes)}`;
  } catch (error) {
    status.textContent = "";
    throw error;
  }
}

// A listing with filters, pages by cursor (unless `paged` is false: a report's every row), and the
// API's exports of the whole filtered result, with the bytes received shown while one streams in.
export function listing<Row>(options: {
  title: string;
  path: string;
  columns: Columns<Row>;
  filters: Filter[];
  fileStem: string;
  paged?: boolean;
  searchNow?: boolean;
  before?: HTMLElement[];
  link?: (row: Row) => string;
  actions?: (row: Row) => HTMLElement | null;
}): void {
  const paged = options.paged ?? true;
  const results = h("div", { id: "results" });
  const status = h("p", { class: "status", "aria-live": "polite" });
  const values = (): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const { name, input } of options.filters) out[name] = input.value.trim();
    return out;
  };
  const show = async (cursor: string) => {
    status.textContent = "Loading…";
    try {
      const page = await getJson<{ rows: Row[]; next_cursor?: string }>(
        options.path + query(paged ? { ...values(), limit: "50", cursor } : values()),
      );
      status.textContent = `${page.rows.length} rows${page.next_cursor ? ", more on the next page" : ""}`;
      results.replaceChildren(
        table(options.columns, page.rows, { link: options.link, actions: options.actions }),
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
    try {
      await exportShowingProgress(
        status,
        format === "csv" ? "CSV" : "Excel",
        options.path + query({ ...values(), ...(paged ? { limit: "0" } : {}), format }),
        format === "csv" ? "text/csv" : xlsxType,
        `${options.fileStem}.${format}`,
      );
    } catch (error) {
      results.replaceChildren(errorBox(error));
    }
  };
  const form = h(
    "form",
    { class: "filters", onsubmit: (event: Event) => { event.preventDefault(); void show(""); } },
    ...options.filters.map(({ label, input }) => field(label, input)),
    h("button", { type: "submit" }, options.searchNow === false ? "Show" : "Search"),
    h("button", { type: "button", onclick: () => void exportAs("csv") }, "Export CSV"),
    h("button", { type: "button", onclick: () => void exportAs("xlsx") }, "Export Excel"),
  );
  app().replaceChildren(h("h1", {}, options.title), ...(options.before ?? []), form, status, results);
  if (options.searchNow !== false) void show("");
}

// A dialog that sends one command: it makes its command ID when it opens and sends it with every
// submit until the command has a final answer, so a double click, a second submit or a retry after
// a lost answer is answered with the first outcome and never applies twice. `send` returns what to
// show on success; a refusal shows the server's error with "Nothing was changed." and the next
// submit is a new command.
export function commandDialog(options: {
  title: string;
  fields: HTMLElement[];
  submitLabel?: string;
  check?: () => string | null;
  send: (commandId: string) => Promise<(Node | string)[]>;
  done: () => void;
}): HTMLDialogElement {
  let commandId = newCommandId();
  const message = h("div", { class: "result", "aria-live": "polite" });
  const submit = h("button", { type: "submit" }, options.submitLabel ?? "Submit") as HTMLButtonElement;
  let busy = false;
  let finished = false;
  const close = () => {
    dialog.close();
    dialog.remove();
    if (finished) options.done();
  };
  const send = async () => {
    if (busy || finished) return;
    const problem = options.check?.() ?? null;
    if (problem) {
      message.replaceChildren(h("p", { class: "error", role: "alert" }, problem));
      return;
    }
    busy = true;
    submit.disabled = true;
    message.replaceChildren("Sending…");
    try {
      const shown = await options.send(commandId);
      finished = true;
      for (const element of dialog.querySelectorAll("input, select, textarea")) element.setAttribute("disabled", "");
      message.replaceChildren(...shown);
      submit.hidden = true;
    } catch (error) {
      if (error instanceof ApiError && error.status >= 400 && error.status < 500) {
        // A refusal is the command's final answer: what is sent next is a new command (a
        // corrected amount, another PIN), which under the old ID would be a command_id_conflict.
        commandId = newCommandId();
        message.replaceChildren(errorBox(error), h("p", {}, "Nothing was changed."));
      } else {
        // No answer, or the server failed: the command may have been applied. The next submit
        // sends the same command ID, so it is answered with the first outcome if there was one.
        message.replaceChildren(errorBox(error),
          h("p", {}, "Whether this was done is not known. Submit again to find out: it is sent as the same request and never applies twice."));
      }
      submit.disabled = false;
    } finally {
      busy = false;
    }
  };
  const dialog = h(
    "dialog",
    { "aria-label": options.title },
    h(
      "form",
      { onsubmit: (event: Event) => { event.preventDefault(); void send(); } },
      h("h2", {}, options.title),
      ...options.fields,
      message,
      h("div", { class: "buttons" }, submit, h("button", { type: "button", onclick: close }, "Close")),
    ),
  ) as HTMLDialogElement;
  dialog.addEventListener("cancel", (event) => { event.preventDefault(); close(); });
  document.body.append(dialog);
  dialog.showModal();
  (dialog.querySelector("input, select") as HTMLElement | null)?.focus();
  return dialog;
}

export function done(text = "Done."): HTMLElement {
  return h("p", { class: "ok" }, text);
}
