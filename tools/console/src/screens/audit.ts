// Audit (admin and auditor): every operation that is not a payment record or a charge, who did it
// and the state before and after; and the log itself as JSON lines with each event's hash.
import { query, type OperationRow } from "../api";
import { field, h, input } from "../dom";
import { errorBox, exportShowingProgress, filter, listing } from "../ui";
import { operationColumns } from "./columns";

export function showAudit(): void {
  const from = input({ type: "date" });
  const to = input({ type: "date" });
  const status = h("p", { class: "status", "aria-live": "polite" });
  const exportLog = async () => {
    try {
      await exportShowingProgress(status, "the log", "/v1/audit/events" + query({ from: from.value, to: to.value }),
        "application/x-ndjson", "paystream-events.jsonl");
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
      field("Log from (date)", from),
      field("Log to (date, included)", to),
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
