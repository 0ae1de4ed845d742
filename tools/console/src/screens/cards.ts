// Phone cards: the list (by batch, state, number), issuing a batch (admin; its PINs shown once,
// with a CSV of them to save) and disabling a card not used yet (admin and finance).
import { ApiError, postJson, type CardRow, type IssuedCardBatch, type Outcome } from "../api";
import { caller } from "../caller";
import { field, h, input, select } from "../dom";
import { formatAmount, isAmountText } from "../money";
import { commandDialog, done, errorBox, filter, listing, table, type Columns } from "../ui";
import { cardColumns } from "./columns";

const states: [string, string][] = [
  ["unused", "unused"], ["used", "used"], ["disabled", "disabled"], ["locked", "locked"], ["expired", "expired"],
];

export function showCards(): void {
  listing<CardRow>({
    title: "Phone cards",
    path: "/v1/cards",
    columns: cardColumns,
    fileStem: "cards",
    paged: false,
    before: caller.isAdmin() ? [h("button", { type: "button", onclick: () => issueDialog() }, "Issue cards…")] : [],
    actions: caller.managesAccounts()
      ? (card) => card.state === "unused" || card.state === "locked" || card.state === "expired"
        ? h("button", { type: "button", onclick: () => disableDialog(card) }, "Disable…")
        : null
      : undefined,
    filters: [
      filter("batch", "Batch", input()),
      filter("state", "State", select([["", "any"], ...states])),
      filter("number", "Card number", input({ inputmode: "numeric" })),
    ],
  });
}

// The batch's name is made when the dialog opens, so a second submit is the same batch (refused
// as issued already) and never a second batch.
function batchName(): string {
  const now = new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  const random = Array.from(crypto.getRandomValues(new Uint8Array(2)), (b) => b.toString(16).padStart(2, "0")).join("");
  return `batch-${now}-${random}`;
}

type NewCard = IssuedCardBatch["cards"][number];

function pinsCsv(cards: NewCard[]): string {
  return "number,pin,value,expires\r\n" + cards.map((card) => `${card.number},${card.pin},${card.value},${card.expires}\r\n`).join("");
}

function saveLink(batch: string, cards: NewCard[]): HTMLElement {
  const url = URL.createObjectURL(new Blob([pinsCsv(cards)], { type: "text/csv" }));
  return h("a", { href: url, download: `${batch}-pins.csv` }, "Save the PINs (CSV)");
}

function shownCards(issued: IssuedCardBatch): (HTMLElement | string)[] {
  return [
    saveLink(issued.batch, issued.cards),
    table([["number", "Card Number"], ["pin", "PIN"], ["value", "Value"], ["expires", "Expires"]] as Columns<NewCard>,
      issued.cards.slice(0, 100)),
    issued.cards.length > 100 ? h("p", {}, `The first 100 of ${issued.cards.length}; the CSV has them all.`) : "",
  ];
}

function issueDialog(): void {
  const count = input({ type: "number", min: "1", max: "10000", value: "10" });
  const value = input({ inputmode: "decimal", autocomplete: "off" });
  const expires = input({ type: "date" });
  const batch = input({ value: batchName(), autocomplete: "off" });
  commandDialog({
    title: "Issue phone cards",
    fields: [field("Cards", count), field("Value of each", value), field("Last day (expires)", expires), field("Batch name", batch),
      h("p", { class: "note" }, "The PINs are shown once, here: save them before closing.")],
    submitLabel: "Issue",
    check: () => {
      if (!/^[0-9]+$/.test(count.value) || Number(count.value) < 1 || Number(count.value) > 10000)
        return "Enter how many cards: 1 to 10,000 from the console";
      if (!isAmountText(value.value, false)) return "Enter each card's value: digits with at most 6 decimals";
      return expires.value === "" ? "Enter the cards' last day" : null;
    },
    send: async () => {
      try {
        const issued = await postJson<IssuedCardBatch>("/v1/cards/batches",
          { count: Number(count.value), value: value.value.trim(), expires: expires.value, batch: batch.value.trim() });
        return [done(`Issued ${issued.count} cards of ${formatAmount(issued.value)} in batch ${issued.batch}.`),
          ...shownCards(issued)];
      } catch (error) {
        // A refusal after some chunks were applied still carries the cards issued: their PINs
        // exist nowhere else, so they are shown, never dropped with the error.
        const partial = error instanceof ApiError ? (error.body as IssuedCardBatch | undefined) : undefined;
        if (!partial?.cards?.length) throw error;
        return [errorBox(error), h("p", { class: "error" }, `Only ${partial.count} cards were issued before the refusal:`),
          ...shownCards(partial)];
      }
    },
    done: () => showCards(),
  });
}

function disableDialog(card: CardRow): void {
  const memo = input({ autocomplete: "off" });
  commandDialog({
    title: `Disable card ${card.number}`,
    fields: [h("p", {}, `Card ${card.number} of ${formatAmount(card.value)} will never be redeemed. This cannot be undone.`),
      field("Memo", memo)],
    submitLabel: "Disable",
    send: async (command_id) => {
      await postJson<Outcome>(`/v1/cards/${encodeURIComponent(card.number)}/disable`, { memo: memo.value, command_id });
      return [done("Disabled.")];
    },
    done: () => showCards(),
  });
}
