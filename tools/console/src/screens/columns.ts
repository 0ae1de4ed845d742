// The listings' columns, titled as the CLI's and VOS3000's.
import type {
  AgentIncomeRow, BalanceRow, CardRow, ChargeRow, ClearingRow, ExplainRow, OperationRow, OperatorRow,
  ParameterRow, RecordRow, SettlementRow,
} from "../api";
import type { Columns } from "../ui";

export const balanceColumns: Columns<BalanceRow> = [
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

export const recordColumns: Columns<RecordRow> = [
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

export const chargeColumns: Columns<ChargeRow> = [
  ["charge_id", "Charge ID"],
  ["account_id", "Account ID"],
  ["cdr_id", "CDR ID"],
  ["amount", "Amount"],
  ["balance_before", "Balance Before"],
  ["balance_after", "Balance After"],
  ["call_start", "Call Start"],
  ["duration_seconds", "Duration (s)"],
  ["caller", "Caller"],
  ["callee", "Callee"],
  ["recorded", "Recorded"],
  ["operator", "Operator"],
];

export const cardColumns: Columns<CardRow> = [
  ["number", "Card Number"],
  ["batch", "Batch"],
  ["value", "Value"],
  ["expires", "Expires"],
  ["state", "State"],
  ["pin_failures", "Wrong PINs"],
  ["redeemed_into", "Redeemed Into"],
  ["issued", "Issued"],
  ["changed", "Changed"],
];

const movementColumns = [
  ["opening_balance", "Opening Balance"],
  ["payments", "Payments"],
  ["payment_count", "Payment Count"],
  ["phone_cards", "Phone Cards"],
  ["phone_card_count", "Phone Card Count"],
  ["credit_count", "Credit Count"],
  ["make_zero", "Make Zero"],
  ["adjustments", "Adjustments"],
  ["reversals", "Reversals"],
  ["minimum_charges", "Minimum Charges"],
  ["consumption", "Consumption"],
  ["call_count", "Call Count"],
  ["net_movement", "Net Movement"],
] as const;

export const clearingColumns: Columns<ClearingRow> = [
  ["account_id", "Account ID"],
  ["account_name", "Account Name"],
  ...movementColumns,
  ["closing_balance", "Closing Balance"],
  ["check", "Check"],
];

export const settlementColumns: Columns<SettlementRow> = [
  ["period_from", "From"],
  ["period_to", "To"],
  ["account_type", "Account Type"],
  ...movementColumns,
  ["transferred", "Transferred"],
  ["closing_balance", "Closing Balance"],
  ["check", "Check"],
];

export const agentIncomeColumns: Columns<AgentIncomeRow> = [
  ["agent_id", "Agent ID"],
  ["agent_name", "Agent Name"],
  ["sub_account_payments", "Sub-account Payments"],
  ["sub_account_payment_count", "Count"],
  ["sub_account_phone_cards", "Sub-account Phone Cards"],
  ["sub_account_phone_card_count", "Count"],
  ["sub_account_consumption", "Sub-account Consumption"],
  ["sub_account_call_count", "Calls"],
  ["sub_account_minimum_charges", "Sub-account Minimum Charges"],
  ["sub_account_minimum_count", "Count"],
  ["sub_account_net_movement", "Sub-account Net Movement"],
  ["own_payments", "Own Payments"],
  ["own_payment_count", "Count"],
  ["own_net_movement", "Own Net Movement"],
];

export const explainColumns: Columns<ExplainRow> = [
  ["position", "Position"],
  ["time", "Time"],
  ["event", "Event"],
  ["payment_type", "Payment Type"],
  ["amount", "Amount"],
  ["moved", "Moved"],
  ["running_balance", "Running Balance"],
  ["balance_after", "Balance After (recorded)"],
  ["operator", "Operator"],
  ["memo", "Memo"],
  ["check", "Check"],
];

export const operationColumns: Columns<OperationRow> = [
  ["position", "Position"],
  ["time", "Time"],
  ["operation", "Operation"],
  ["subject", "Subject"],
  ["operator", "Operator"],
  ["before", "Before"],
  ["after", "After"],
  ["memo", "Memo"],
];

export const parameterColumns: Columns<ParameterRow> = [
  ["name", "Name"],
  ["value", "Value"],
  ["meaning", "Meaning"],
];

export const operatorColumns: Columns<OperatorRow> = [
  ["name", "Name"],
  ["role", "Role"],
  ["agent", "Agent Account"],
  ["allow", "Permissions"],
  ["status", "Status"],
  ["token_id", "Token ID"],
];
