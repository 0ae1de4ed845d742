// Accounts (search by ID or name, open a new one) and Balances: the balance query's listing.
import { postJson, type BalanceRow, type Outcome } from "../api";
import { caller } from "../caller";
import { field, h, input, select } from "../dom";
import { isAmountText } from "../money";
import { commandDialog, done, filter, listing } from "../ui";
import { balanceColumns } from "./columns";

export const accountLink = (row: { account_id: string }): string => `#/account/${encodeURIComponent(row.account_id)}`;

export const accountTypes: [string, string][] = [["direct", "Direct"], ["agent", "Agent"], ["clearing", "Clearing"]];

function balanceFilters(search: boolean) {
  return [
    search ? filter("search", "Search (ID or name)", input({ type: "search" })) : filter("account", "Account", input()),
    filter("type", "Account type", select([["", "any"], ...accountTypes])),
    filter("min", "Balance at least", input({ inputmode: "decimal" })),
    filter("max", "Balance at most", input({ inputmode: "decimal" })),
  ];
}

export function showAccounts(): void {
  listing<BalanceRow>({
    title: "Accounts",
    path: "/v1/balances",
    columns: balanceColumns,
    fileStem: "accounts",
    link: accountLink,
    filters: balanceFilters(true),
    before: caller.managesAccounts()
      ? [h("button", { type: "button", onclick: () => openAccountDialog() }, "New account…")]
      : [],
  });
}

export function showBalances(): void {
  listing<BalanceRow>({
    title: "Balances",
    path: "/v1/balances",
    columns: balanceColumns,
    fileStem: "balances",
    link: accountLink,
    filters: balanceFilters(false),
  });
}

function openAccountDialog(): void {
  const id = input({ autocomplete: "off" });
  const name = input({ autocomplete: "off" });
  const type = select(accountTypes);
  const parent = input({ autocomplete: "off" });
  const balance = input({ inputmode: "decimal", autocomplete: "off" });
  commandDialog({
    title: "New account",
    fields: [field("Account ID", id), field("Name", name), field("Type", type), field("Parent agent (optional)", parent),
      field("Opening balance (optional)", balance)],
    check: () => {
      if (id.value.trim() === "" || name.value.trim() === "") return "Enter the account's ID and name";
      if (balance.value.trim() !== "" && !isAmountText(balance.value, false))
        return "Enter the opening balance: digits with at most 6 decimals";
      return null;
    },
    send: async (command_id) => {
      await postJson<Outcome>("/v1/accounts", {
        account: id.value.trim(), name: name.value.trim(), account_type: type.value as "direct" | "agent" | "clearing",
        ...(parent.value.trim() ? { parent: parent.value.trim() } : {}),
        ...(balance.value.trim() ? { balance: balance.value.trim() } : {}),
        command_id,
      });
      return [done(`Account ${id.value.trim()} opened.`),
        h("a", { href: accountLink({ account_id: id.value.trim() }) }, "Open its page")];
    },
    done: () => showAccounts(),
  });
}
