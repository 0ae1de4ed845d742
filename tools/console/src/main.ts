// The console (docs/console.md): sign-in, then the screens, each read from the /v1 API with the
// operator's token. The address's hash names the screen, so a page can be bookmarked and Back works.
import { ApiError, getJson, session, type Me } from "./api";
import { caller } from "./caller";
import { field, h, input } from "./dom";
import { showAccount, showHistory } from "./screens/account";
import { showAccounts, showBalances } from "./screens/accounts";
import { showOperators, showParameters } from "./screens/admin";
import { showAudit } from "./screens/audit";
import { showCards } from "./screens/cards";
import { showCharges, showRecords } from "./screens/records";
import { showReport } from "./screens/reports";
import { app, errorText } from "./ui";
import "./style.css";

function showSignIn(problem?: string): void {
  const token = input({ type: "password", autocomplete: "off" });
  app().replaceChildren(
    h("h1", {}, "Sign in"),
    h(
      "form",
      {
        onsubmit: (event: Event) => {
          event.preventDefault();
          session.signIn(token.value.trim());
          void start();
        },
      },
      field("Operator token", token),
      h("button", { type: "submit" }, "Sign in"),
    ),
    problem ? h("p", { class: "error", role: "alert" }, problem) : "",
  );
  token.focus();
}

// The links an operator's role has a use for; the server refuses the rest anyway.
function navigation(): HTMLElement[] {
  const links: [string, string, boolean][] = [
    ["#/accounts", "Accounts", true],
    ["#/records", "Payment records", true],
    ["#/balances", "Balances", true],
    ["#/charges", "Charges", true],
    ["#/reports/account-balance", "Reports", true],
    ["#/cards", "Phone cards", caller.seesCards()],
    ["#/audit", "Audit", caller.readsAudit()],
    ["#/parameters", "Parameters", true],
    ["#/operators", "Operators", caller.readsAudit()],
  ];
  return links.filter(([, , shown]) => shown).map(([href, label]) => h("a", { href }, label));
}

function route(): void {
  const hash = location.hash || "#/accounts";
  const after = (prefix: string) => decodeURIComponent(hash.slice(prefix.length));
  if (hash.startsWith("#/account/")) void showAccount(after("#/account/"));
  else if (hash.startsWith("#/history/")) showHistory(after("#/history/"));
  else if (hash.startsWith("#/reports/")) showReport(after("#/reports/"));
  else if (hash === "#/records") showRecords();
  else if (hash === "#/balances") showBalances();
  else if (hash === "#/charges") showCharges();
  else if (hash === "#/cards") showCards();
  else if (hash === "#/audit") showAudit();
  else if (hash === "#/parameters") void showParameters();
  else if (hash === "#/operators") void showOperators();
  else showAccounts();
}

async function start(): Promise<void> {
  const nav = document.getElementById("nav") as HTMLElement;
  const who = document.getElementById("who") as HTMLElement;
  const signOut = document.getElementById("sign-out") as HTMLButtonElement;
  signOut.onclick = () => {
    session.signOut();
    caller.set(null);
    nav.hidden = true;
    signOut.hidden = true;
    who.textContent = "";
    showSignIn();
  };
  if (!session.token()) return showSignIn();
  let me: Me;
  try {
    me = await getJson<Me>("/v1/me");
  } catch (error) {
    session.signOut();
    return showSignIn(error instanceof ApiError && error.status === 401 ? "That token is not an operator's." : errorText(error));
  }
  caller.set(me);
  nav.replaceChildren(...navigation());
  nav.hidden = false;
  signOut.hidden = false;
  who.textContent = `${me.operator} (${me.role}${me.agent ? ", " + me.agent : ""})`;
  route();
}

window.addEventListener("hashchange", () => { if (caller.get()) route(); });
void start();
