// The Payment dialog of an account: Payment, Credit, Make Zero and Phone Card, as VOS3000's
// "Account management > Payment". One command ID for the dialog's whole life (commandDialog).
import { movedBalance, postJson, type PaymentAnswer } from "../api";
import { caller } from "../caller";
import { field, h, input, select } from "../dom";
import { formatAmount, isAmountText } from "../money";
import { commandDialog } from "../ui";

type Kind = "payment" | "credit" | "make_zero" | "phone_card";

function kinds(): [Kind, string][] {
  const all: [Kind, string][] = [["payment", "Payment"], ["credit", "Credit"]];
  if (caller.role() !== "agent") all.push(["make_zero", "Make Zero"]);  // agents do not make zero
  all.push(["phone_card", "Phone Card"]);
  return all;
}

export function paymentDialog(accountId: string, done: () => void): void {
  const kind = select(kinds());
  const amount = input({ inputmode: "decimal", autocomplete: "off" });
  const card = input({ autocomplete: "off", inputmode: "numeric" });
  const pin = input({ type: "password", autocomplete: "off" });
  const memo = input({ autocomplete: "off" });
  const amountField = field("Amount", amount);
  const cardFields = h("div", { hidden: true }, field("Card number", card), field("PIN", pin));
  const chosen = () => kind.value as Kind;
  kind.addEventListener("change", () => {
    (amountField.querySelector("label") as HTMLElement).textContent = chosen() === "credit" ? "Credit limit" : "Amount";
    amountField.hidden = chosen() === "make_zero" || chosen() === "phone_card";
    cardFields.hidden = chosen() !== "phone_card";
  });
  const id = encodeURIComponent(accountId);
  commandDialog({
    title: `Payment for ${accountId}`,
    fields: [field("Kind", kind), amountField, cardFields, field("Memo", memo)],
    check: () => {
      if (chosen() === "phone_card")
        return card.value.trim() === "" || pin.value === "" ? "Enter the card's number and its PIN" : null;
      if (chosen() !== "make_zero" && !isAmountText(amount.value, false))
        return "Enter an amount: digits with at most 6 decimals";
      return null;
    },
    send: async (command_id) => {
      const text = amount.value.trim();
      const body = { memo: memo.value, command_id };
      const answer =
        chosen() === "payment"
          ? await postJson<PaymentAnswer>(`/v1/accounts/${id}/payments`, { ...body, amount: text })
          : chosen() === "credit"
            ? await postJson<PaymentAnswer>(`/v1/accounts/${id}/credit`, { ...body, limit: text })
            : chosen() === "make_zero"
              ? await postJson<PaymentAnswer>(`/v1/accounts/${id}/make-zero`, body)
              : await postJson<PaymentAnswer>(`/v1/accounts/${id}/card-payments`,
                  { ...body, card: card.value.trim(), pin: pin.value });
      pin.value = "";
      const record = movedBalance(answer);
      return [
        h("p", { class: "ok" }, answer.duplicate ? "Already done (the same request was sent before):" : "Done:"),
        chosen() === "phone_card" ? h("p", {}, `Card value paid: ${formatAmount(record?.amount ?? "")}`) : "",
        h("p", {}, `Balance before: ${formatAmount(record?.balance_before ?? "")}`),
        h("p", {}, `Balance after: ${formatAmount(record?.balance_after ?? "")}`),
      ];
    },
    done,
  });
  amount.focus();
}
