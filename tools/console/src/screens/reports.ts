// The four reports of VOS3000's "Data query" (docs/cli.md "Reports"): each with its parameters,
// shown as a table and exported whole as CSV or Excel.
import { caller } from "../caller";
import { h, input, select } from "../dom";
import { filter, listing, type Columns, type Filter } from "../ui";
import { accountLink, accountTypes } from "./accounts";
import { agentIncomeColumns, balanceColumns, clearingColumns, settlementColumns } from "./columns";

const today = (): string => new Date().toISOString().slice(0, 10);
const firstOfMonth = (): string => today().slice(0, 8) + "01";

// A period's first and last day, this month so far until changed.
function periodFilters(): Filter[] {
  return [
    filter("from", "From (date)", input({ type: "date", value: firstOfMonth() })),
    filter("to", "To (date)", input({ type: "date", value: today() })),
  ];
}

// Each report's rows are objects of strings; the listing only reads them by column.
type AnyRow = Record<string, string>;

type Report = {
  name: string;
  title: string;
  columns: Columns<AnyRow>;
  filters: () => Filter[];
  agents: boolean;  // whether agent operators may run it
};

const reports: Report[] = [
  {
    name: "account-balance",
    title: "Account balance",
    columns: balanceColumns,
    filters: () => [
      filter("as_of", "As of (date, included; empty: now)", input({ type: "date" })),
      filter("type", "Account type", select([["", "any"], ...accountTypes])),
      filter("agent", "Agent and its sub-accounts", input()),
    ],
    agents: true,
  },
  {
    name: "clearing-balance",
    title: "Clearing balance",
    columns: clearingColumns,
    filters: () => [
      filter("from", "From (date)", input({ type: "date", value: firstOfMonth() })),
      filter("as_of", "As of (date, included; empty: now)", input({ type: "date" })),
    ],
    agents: true,
  },
  {
    name: "agent-income",
    title: "Agent income",
    columns: agentIncomeColumns,
    filters: () => [
      ...periodFilters(),
      filter("agent", "Agent", input()),
    ],
    agents: true,
  },
  {
    name: "settlement",
    title: "Settlement",
    columns: settlementColumns,
    filters: () => [
      ...periodFilters(),
      filter("by", "One row per", select([["month", "month"], ["day", "day"]])),
    ],
    agents: false,
  },
];

function reportLinks(current: string): HTMLElement {
  return h(
    "nav",
    { class: "tabs", "aria-label": "Reports" },
    ...reports
      .filter((report) => report.agents || caller.role() !== "agent")
      .map((report) =>
        h("a", { href: `#/reports/${report.name}`, "aria-current": report.name === current ? "page" : false }, report.title),
      ),
  );
}

export function showReport(name: string): void {
  const report = reports.find((candidate) => candidate.name === name) ?? reports[0];
  listing<AnyRow>({
    title: `Report: ${report.title}`,
    path: `/v1/reports/${report.name}`,
    columns: report.columns,
    fileStem: `report-${report.name}`,
    paged: false,
    searchNow: false,
    before: [reportLinks(report.name)],
    link: report.name === "account-balance" || report.name === "clearing-balance"
      ? (row) => accountLink({ account_id: row.account_id ?? "" })
      : undefined,
    filters: report.filters(),
  });
}
