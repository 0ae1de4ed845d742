// An account's page: its row (with parent and lock), what may be done to it (pay, edit its
// settings, lock or unlock it), its last payment records with reversal, and a link to its history.
import {
  getJson, movedBalance, postJson, query, sendJson,
  type AccountRow, type ExplainRow, type Outcome, type RecordRow, type UpdateAccountBody,
} from "../api";
import { caller } from "../caller";
import { field, h, input, select } from "../dom";
import { formatAmount, isAmountText } from "../money";
import { app, commandDialog, done, errorBox, filter, listing, table, type Columns } from "../ui";
import { accountTypes } from "./accounts";
import { balanceColumns, explainColumns, recordColumns } from "./columns";
import { paymentDialog } from "./payment";

const accountColumns: Columns<AccountRow> = [...balanceColumns, ["parent", "Parent Agent"], ["locked", "Locked"]];

export async function showAccount(accountId: string): Promise<void> {
  app().replaceChildren(h("h1", {}, `Account ${accountId}`), h("p", {}, "Loading…"));
  const id = encodeURIComponent(accountId);
  try {
    const account = await getJson<AccountRow>(`/v1/accounts/${id}`);
    const records = await getJson<{ rows: RecordRow[] }>("/v1/payment-records" + query({ account: accountId, limit: "0" }));
    const refresh = () => void showAccount(accountId);
    const buttons: HTMLElement[] = [];
    if (caller.isAuditor()) buttons.push(h("p", { class: "note" }, "Auditors read only."));
    else buttons.push(h("button", { type: "button", id: "pay", onclick: () => paymentDialog(accountId, refresh) }, "Pay…"));
    if (caller.managesAccounts()) {
      buttons.push(h("button", { type: "button", onclick: () => settingsDialog(account, refresh) }, "Edit settings…"));
      const locking = account.locked !== "yes";
      buttons.push(h("button", { type: "button", onclick: () => lockDialog(account, locking, refresh) }, locking ? "Lock…" : "Unlock…"));
    }
    if (caller.readsAudit())
      buttons.push(h("a", { href: `#/history/${id}`, class: "button-link" }, "History with running balance"));
    const canReverse = !caller.isAuditor();
    app().replaceChildren(
      h("h1", {}, `Account ${accountId}`),
      table(accountColumns, [account]),
      h("div", { class: "buttons" }, ...buttons),
      h("h2", {}, "Payment records (the last 20)"),
      table(recordColumns, records.rows.slice(-20).reverse(), {
        actions: canReverse
          ? (row) => row.payment_type === "reversal" ? null
            : h("button", { type: "button", onclick: () => reverseDialog(row, refresh) }, "Reverse…")
          : undefined,
      }),
    );
  } catch (error) {
    app().replaceChildren(h("h1", {}, `Account ${accountId}`), errorBox(error));
  }
}

function settingsDialog(account: AccountRow, done_: () => void): void {
  const name = input({ value: account.account_name, autocomplete: "off" });
  const type = select(accountTypes, account.account_type);
  const parent = input({ value: account.parent, autocomplete: "off" });
  const min = input({ value: account.monthly_min, inputmode: "decimal" });
  const max = input({ value: account.monthly_max, inputmode: "decimal" });
  const expires = input({ type: "date", value: account.expiration_date });
  // Only what changed is sent: an update names what it changes, and an empty one is refused.
  const changes = (): UpdateAccountBody => {
    const body: UpdateAccountBody = {};
    if (name.value.trim() !== account.account_name) body.name = name.value.trim();
    if (type.value !== account.account_type) body.account_type = type.value as UpdateAccountBody["account_type"];
    if (parent.value.trim() !== account.parent) body.parent = parent.value.trim() === "" ? null : parent.value.trim();
    if (min.value.trim() !== account.monthly_min) body.monthly_min = min.value.trim();
    if (max.value.trim() !== account.monthly_max) body.monthly_max = max.value.trim();
    if (expires.value !== account.expiration_date) body.expires = expires.value === "" ? null : expires.value;
    return body;
  };
  commandDialog({
    title: `Settings of ${account.account_id}`,
    fields: [field("Name", name), field("Type", type), field("Parent agent (empty: none)", parent),
      field("Monthly minimum", min), field("Monthly maximum", max), field("Expires (empty: never)", expires)],
    submitLabel: "Save",
    check: () => {
      for (const [label, element] of [["monthly minimum", min], ["monthly maximum", max]] as const)
        if (!isAmountText(element.value, false)) return `Enter the ${label}: digits with at most 6 decimals`;
      return Object.keys(changes()).length === 0 ? "Nothing was changed: edit a setting first" : null;
    },
    send: async (command_id) => {
      await sendJson<Outcome>("PATCH", `/v1/accounts/${encodeURIComponent(account.account_id)}`, { ...changes(), command_id });
      return [done("Saved.")];
    },
    done: done_,
  });
}

function lockDialog(account: AccountRow, locking: boolean, done_: () => void): void {
  commandDialog({
    title: `${locking ? "Lock" : "Unlock"} ${account.account_id}`,
    fields: [h("p", {}, locking
      ? "A locked account places no calls; payments into it are still taken."
      : "The account may place calls again, as its balance and credit allow.")],
    submitLabel: locking ? "Lock" : "Unlock",
    send: async (command_id) => {
      await sendJson<Outcome>("PATCH", `/v1/accounts/${encodeURIComponent(account.account_id)}`, { locked: locking, command_id });
      return [done(locking ? "Locked." : "Unlocked.")];
    },
    done: done_,
  });
}

// Reversal, with confirmation: the dialog says what will be undone before anything is sent.
function reverseDialog(record: RecordRow, done_: () => void): void {
  const memo = input({ autocomplete: "off" });
  commandDialog({
    title: `Reverse record ${record.record_id}`,
    fields: [
      h("p", {}, `This undoes the ${record.payment_type} of ${formatAmount(record.amount)} on ${record.account_id} ` +
        `(balance after it: ${formatAmount(record.balance_after)}), once, with a reversal record. The record itself stays.`),
      field("Memo", memo),
    ],
    submitLabel: "Reverse",
    send: async (command_id) => {
      const answer = await postJson<Outcome>(`/v1/records/${encodeURIComponent(record.record_id)}/reversal`,
        { memo: memo.value, command_id });
      const reversal = movedBalance(answer);
      return [done(answer.duplicate ? "Already reversed by this dialog." : "Reversed."),
        h("p", {}, `Balance after: ${formatAmount(reversal?.balance_after ?? "")}`)];
    },
    done: done_,
  });
}

// An account's history: every event that made its balance row with the running balance, and the
// last row's check that the balance is the sum of its events (admin and auditor).
export function showHistory(accountId: string): void {
  listing<ExplainRow>({
    title: `History of ${accountId}`,
    path: `/v1/audit/accounts/${encodeURIComponent(accountId)}`,
    columns: explainColumns,
    fileStem: `history-${accountId}`,
    paged: false,
    filters: [filter("as_of", "As of (date, included)", input({ type: "date" }))],
  });
}
