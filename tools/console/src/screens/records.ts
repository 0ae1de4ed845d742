// Payment records and call charges: the records and charges queries, paged, with exports.
import type { ChargeRow, RecordRow } from "../api";
import { input, select } from "../dom";
import { filter, listing, type Filter } from "../ui";
import { accountLink } from "./accounts";
import { chargeColumns, recordColumns } from "./columns";

export const paymentTypes: [string, string][] = [
  ["payment", "Payment"], ["credit", "Credit"], ["make_zero", "Make zero"], ["reversal", "Reversal"],
  ["adjustment", "Adjustment"], ["phone_card", "Phone card"], ["minimum_consumption", "Minimum consumption"],
];

// Account, from and to: the filters every per-account listing in time order takes.
function accountTimeFilters(): Filter[] {
  return [
    filter("account", "Account", input()),
    filter("from", "From (date)", input({ type: "date" })),
    filter("to", "To (date, included)", input({ type: "date" })),
  ];
}

export function showRecords(): void {
  listing<RecordRow>({
    title: "Payment records",
    path: "/v1/payment-records",
    columns: recordColumns,
    fileStem: "payment-records",
    link: accountLink,
    filters: [
      ...accountTimeFilters(),
      filter("type", "Type", select([["", "any"], ...paymentTypes])),
      filter("operator", "Operator", input()),
    ],
  });
}

export function showCharges(): void {
  listing<ChargeRow>({
    title: "Call charges",
    path: "/v1/charges",
    columns: chargeColumns,
    fileStem: "charges",
    link: accountLink,
    filters: accountTimeFilters(),
  });
}
