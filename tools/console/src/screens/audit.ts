// Audit (admin and auditor): every operation that is not a payment record or a charge, who did it
// and the state before and after; and the log itself as JSON lines with each event's hash.
import { download, query, type OperationRow } from "../api";
import { h, input } from "../dom";
import { formatBytes } from "../money";
import { errorBox, filter, listing } from "../ui";
import { operationColumns } from "./columns";

export function showAudit(): void {
  const from = input({ type: "date" });
  const to = input({ type: "date" });
  const status = h("p", { class: "status", "aria-live": "polite" });
  const exportLog = async () => {
    status.textContent = "Exporting the log…";
    try {
      const bytes = await download("/v1/audit/events" + query({ from: from.value, to: to.value }), "application/x-ndjson",
        "paystream-events.jsonl", (so_far) => { status.textContent = `Exporting the log… ${formatBytes(so_far)} received`; });
      status.textContent = `Exported the log: ${formatBytes(bytes)}`;
    } catch (error) {
      status.replaceChildren(errorBox(error));
    }
  };
  const logExport = h(
    "section",
    { "aria-label": "The log" },
    h("h2", {}, "The log, event by event"),
    h("p", {}, "Each line an event with its hash and the previous event's, to verify the chain outside the ledger."),
    h("div", { class: "filters" },
      h("div", { class: "field" }, h("label", { for: "log-from" }, "Log from (date)"), Object.assign(from, { id: "log-from" })),
      h("div", { class: "field" }, h("label", { for: "log-to" }, "Log to (date, included)"), Object.assign(to, { id: "log-to" })),
      h("button", { type: "button", onclick: () => void exportLog() }, "Export the log (JSON lines)")),
    status,
    h("h2", {}, "Operations"),
  );
  listing<OperationRow>({
    title: "Audit",
    path: "/v1/audit/operations",
    columns: operationColumns,
    fileStem: "operations",
    paged: false,
    before: [logExport],
    filters: [
      filter("operator", "Operator", input()),
      filter("account", "Account", input()),
      filter("from", "From (date)", input({ type: "date" })),
      filter("to", "To (date, included)", input({ type: "date" })),
    ],
  });
}
