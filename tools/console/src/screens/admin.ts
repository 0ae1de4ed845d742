// Parameters (everyone reads, admin sets) and operators (admin and auditor read, admin adds,
// disables and gives new tokens). A new token is shown once, in the dialog that made it.
import { getJson, postJson, sendJson, type OperatorRow, type Outcome, type OutcomeWithToken, type ParameterRow, type AddOperatorBody } from "../api";
import { caller } from "../caller";
import { field, h, input, select } from "../dom";
import { app, commandDialog, done, errorBox, table } from "../ui";
import { operatorColumns, parameterColumns } from "./columns";

export async function showParameters(): Promise<void> {
  app().replaceChildren(h("h1", {}, "Parameters"), h("p", {}, "Loading…"));
  try {
    const parameters = await getJson<{ rows: ParameterRow[] }>("/v1/parameters");
    app().replaceChildren(
      h("h1", {}, "Parameters"),
      table(parameterColumns, parameters.rows, {
        actions: caller.isAdmin()
          ? (row) => h("button", { type: "button", onclick: () => parameterDialog(row) }, "Set…")
          : undefined,
      }),
    );
  } catch (error) {
    app().replaceChildren(h("h1", {}, "Parameters"), errorBox(error));
  }
}

function parameterDialog(row: ParameterRow): void {
  const value = input({ value: row.value, autocomplete: "off" });
  commandDialog({
    title: `Set ${row.name}`,
    fields: [h("p", {}, row.meaning), field("Value", value)],
    submitLabel: "Set",
    check: () => (value.value.trim() === "" ? "Enter a value" : null),
    send: async (command_id) => {
      await sendJson<Outcome>("PUT", `/v1/parameters/${encodeURIComponent(row.name)}`, { value: value.value.trim(), command_id });
      return [done(`${row.name} is ${value.value.trim()}.`)];
    },
    done: () => void showParameters(),
  });
}

const permissions = ["pay-self", "pay-sub-accounts", "set-overdraft", "set-own-overdraft", "adjust", "reverse", "reverse-any"] as const;

export async function showOperators(): Promise<void> {
  app().replaceChildren(h("h1", {}, "Operators"), h("p", {}, "Loading…"));
  try {
    const operators = await getJson<{ rows: OperatorRow[] }>("/v1/operators");
    const admin = caller.isAdmin();
    app().replaceChildren(
      h("h1", {}, "Operators"),
      admin ? h("button", { type: "button", onclick: () => addOperatorDialog() }, "Add operator…") : "",
      table(operatorColumns, operators.rows, {
        actions: admin
          ? (row) => row.status !== "enabled" ? null : h("span", { class: "buttons" },
            h("button", { type: "button", onclick: () => tokenDialog(row) }, "New token…"),
            h("button", { type: "button", onclick: () => disableDialog(row) }, "Disable…"))
          : undefined,
      }),
    );
  } catch (error) {
    app().replaceChildren(h("h1", {}, "Operators"), errorBox(error));
  }
}

function tokenShown(answer: OutcomeWithToken): HTMLElement[] {
  return [
    h("p", {}, "Its token, shown this once (the ledger keeps only a salted hash):"),
    h("p", {}, h("code", { class: "token" }, answer.token)),
  ];
}

function addOperatorDialog(): void {
  const name = input({ autocomplete: "off" });
  const role = select([["finance", "finance"], ["agent", "agent"], ["auditor", "auditor"], ["admin", "admin"]]);
  const agent = input({ autocomplete: "off" });
  const boxes = permissions.map((permission) => {
    const box = input({ type: "checkbox", value: permission });
    return { permission, box, label: h("label", { class: "check" }, box, ` ${permission}`) };
  });
  const agentFields = h("fieldset", { hidden: true }, h("legend", {}, "Agent operator"), field("Agent account", agent),
    ...boxes.map(({ label }) => label));
  role.addEventListener("change", () => { agentFields.hidden = role.value !== "agent"; });
  commandDialog({
    title: "Add an operator",
    fields: [field("Operator name", name), field("Role", role), agentFields],
    submitLabel: "Add",
    check: () => {
      if (name.value.trim() === "") return "Enter the operator's name";
      return role.value === "agent" && agent.value.trim() === "" ? "Enter the agent account" : null;
    },
    send: async (command_id) => {
      const body: AddOperatorBody = { name: name.value.trim(), role: role.value as AddOperatorBody["role"], command_id };
      if (role.value === "agent") {
        body.agent = agent.value.trim();
        body.allow = boxes.filter(({ box }) => box.checked).map(({ permission }) => permission);
      }
      const answer = await postJson<OutcomeWithToken>("/v1/operators", body);
      return [done(`Operator ${body.name} added.`), ...tokenShown(answer)];
    },
    done: () => void showOperators(),
  });
}

function tokenDialog(row: OperatorRow): void {
  commandDialog({
    title: `New token for ${row.name}`,
    fields: [h("p", {}, `${row.name}'s present token stops working at once.`)],
    submitLabel: "Make a new token",
    send: async (command_id) => {
      const answer = await postJson<OutcomeWithToken>(`/v1/operators/${encodeURIComponent(row.name)}/token`, { command_id });
      return [done("Done."), ...tokenShown(answer)];
    },
    done: () => void showOperators(),
  });
}

function disableDialog(row: OperatorRow): void {
  commandDialog({
    title: `Disable ${row.name}`,
    fields: [h("p", {}, `${row.name} will no longer act, and its token stops working. This cannot be undone.`)],
    submitLabel: "Disable",
    send: async (command_id) => {
      await postJson<Outcome>(`/v1/operators/${encodeURIComponent(row.name)}/disable`, { command_id });
      return [done(`${row.name} is disabled.`)];
    },
    done: () => void showOperators(),
  });
}
