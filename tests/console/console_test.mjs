// The console in a real browser (Debian's Chromium driven by playwright-core): a `paystream serve
// --console-dir` of its own on a fresh ledger, set up through the API, then each thing an operator
// does, checked on the page and through the API. Screenshots of each screen go to SCREENSHOTS_DIR.
//   node tests/console/console_test.mjs      (scripts/test-console builds the console first)
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const consoleDir = path.join(root, "tools/console");
const { chromium } = createRequire(path.join(consoleDir, "package.json"))("playwright-core");
const binary = process.env.PAYSTREAM_BIN ?? path.join(root, "build/tools/paystream");
const chromiumPath = process.env.PAYSTREAM_CHROMIUM ?? "/usr/bin/chromium";
const work = mkdtempSync(path.join(tmpdir(), "paystream-console-"));
const shots = process.env.SCREENSHOTS_DIR || path.join(work, "screenshots");
mkdirSync(shots, { recursive: true });

const results = [];
let browser = null;
async function check(name, body) {
  try {
    await body();
    results.push([name, "ok"]);
    console.log(`ok    ${name}`);
  } catch (error) {
    results.push([name, "FAILED"]);
    console.log(`FAIL  ${name}: ${error?.stack ?? error}`);
    // What each open page showed when the check failed, for whoever reads the failure.
    const pages = browser?.contexts().flatMap((context) => context.pages()) ?? [];
    for (const [index, page] of pages.entries()) {
      await page.screenshot({ path: path.join(shots, `FAILED-${results.length}-${index}.png`), fullPage: true })
        .catch(() => {});
    }
  }
}
function expect(condition, what) {
  if (!condition) throw new Error(what);
}

// PAYSTREAM_CONSOLE_KAFKA=1: the same on Kafka mode's API (`serve --kafka --listen` on a dev-broker).
const kafkaMode = process.env.PAYSTREAM_CONSOLE_KAFKA === "1";
let broker = null;
async function startBroker() {
  broker = spawn(binary, ["dev-broker", "--partitions", "3"], { stdio: ["ignore", "pipe", "ignore"] });
  return new Promise((resolve, reject) => {
    createInterface({ input: broker.stdout }).once("line", (line) => resolve(line.trim()));
    broker.on("exit", (code) => reject(new Error(`paystream dev-broker exited ${code}`)));
  });
}

// The server: its URL and its first admin token, read from what it prints.
function startServer(extra = []) {
  const server = spawn(binary, ["serve", "--data", path.join(work, "data"), "--listen", "127.0.0.1:0",
    "--console-dir", path.join(consoleDir, "dist"), ...extra], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let token = "";
    createInterface({ input: server.stdout }).on("line", (line) => {
      const admin = line.match(/admin token: (\S+)/);
      if (admin) token = admin[1];
      const listening = line.match(/listening on (http:\/\/\S+)/);
      if (listening) resolve({ server, base: listening[1], admin: token });
    });
    server.on("exit", (code) => reject(new Error(`paystream serve exited ${code} before it listened`)));
  });
}

const { server, base, admin } = await startServer(kafkaMode ? ["--kafka", await startBroker()] : []);
console.log(`console tests on ${kafkaMode ? "Kafka mode (a dev-broker)" : "the embedded ledger"}`);
async function api(token, method, route, body) {
  const answer = await fetch(base + route, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await answer.text();
  return { status: answer.status, json: text.startsWith("{") ? JSON.parse(text) : text };
}
async function setUp(method, route, body) {
  const answer = await api(admin, method, route, body);
  if (answer.status >= 300) throw new Error(`set-up ${method} ${route}: ${answer.status} ${JSON.stringify(answer.json)}`);
  return answer.json;
}
await setUp("POST", "/v1/accounts", { account: "AG-1", name: "North agent", account_type: "agent" });
await setUp("POST", "/v1/accounts", { account: "S-1", name: "North sub", parent: "AG-1" });
await setUp("POST", "/v1/accounts", { account: "D-1", name: "Direct one" });
for (const account of ["AG-1", "S-1", "D-1"]) await setUp("POST", `/v1/accounts/${account}/payments`, { amount: "100" });
const agentToken = (await setUp("POST", "/v1/operators",
  { name: "north", role: "agent", agent: "AG-1", allow: ["pay-self", "pay-sub-accounts"] })).token;
const auditorToken = (await setUp("POST", "/v1/operators", { name: "audit", role: "auditor" })).token;
const recordsOf = async (account) => (await api(admin, "GET", `/v1/payment-records?account=${account}&limit=0`)).json.rows;
const balanceOf = async (account) =>
  (await api(admin, "GET", `/v1/balances?account=${account}`)).json.rows[0].current_balance;

browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ["--no-sandbox"] });
async function signedIn(token) {
  const context = await browser.newContext({ acceptDownloads: true });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  page.on("pageerror", (error) => console.log(`page error: ${error}`));
  await page.goto(base + "/");
  await page.getByLabel("Operator token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
  return page;
}

try {
  const page = await signedIn(admin);
  await check("sign in: the page names the operator and lists the accounts", async () => {
    await page.getByText("admin (admin)").waitFor();
    await page.getByRole("link", { name: "D-1" }).waitFor();
    await page.screenshot({ path: path.join(shots, "accounts.png"), fullPage: true });
  });
  await check("open an account: its balance row", async () => {
    await page.getByRole("link", { name: "D-1" }).click();
    await page.getByRole("heading", { name: "Account D-1" }).waitFor();
    await page.getByRole("cell", { name: "Direct one" }).first().waitFor();
    await page.getByRole("cell", { name: "100.00" }).first().waitFor();
    await page.screenshot({ path: path.join(shots, "account.png"), fullPage: true });
  });
  await check("pay with a double click: one record, the balance before and after shown", async () => {
    await page.getByRole("button", { name: "Pay…" }).click();
    await page.getByLabel("Amount").fill("1234.50");
    await page.getByLabel("Memo").fill("console double click");
    await page.getByRole("button", { name: "Submit" }).dblclick();
    await page.getByText("Balance after: 1,334.50").waitFor();
    await page.getByText("Balance before: 100.00").waitFor();
    await page.screenshot({ path: path.join(shots, "payment-dialog.png"), fullPage: true });
    const paid = (await recordsOf("D-1")).filter((row) => row.memo === "console double click");
    expect(paid.length === 1, `${paid.length} records of the double click`);
    expect((await balanceOf("D-1")) === "1334.50", "the balance after the payment");
    await page.getByRole("button", { name: "Close" }).click();
    await page.getByRole("cell", { name: "console double click" }).waitFor();  // the account page again
  });
  await check("a refused payment shows the server's error and changes nothing", async () => {
    const before = await balanceOf("D-1");
    await page.getByRole("button", { name: "Pay…" }).click();
    await page.getByLabel("Amount").fill("99999999999999");
    await page.getByRole("button", { name: "Submit" }).click();
    await page.getByText("Nothing was changed.").waitFor();
    const alert = await page.getByRole("alert").textContent();
    expect(/invalid_amount|balance_would_overflow/.test(alert ?? ""), `the error shown: ${alert}`);
    await page.screenshot({ path: path.join(shots, "payment-refused.png"), fullPage: true });
    await page.getByRole("button", { name: "Close" }).click();
    expect((await balanceOf("D-1")) === before, "the balance after a refused payment");
  });
  await check("payment records: filter by account and type", async () => {
    await page.getByRole("link", { name: "Payment records" }).click();
    await page.getByLabel("Account", { exact: true }).fill("D-1");
    await page.getByLabel("Type").selectOption("payment");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByText("2 rows").waitFor();
    const accounts = await page.locator("tbody tr td:nth-child(2)").allTextContents();
    expect(accounts.length === 2 && accounts.every((account) => account === "D-1"), `rows of ${accounts}`);
    await page.screenshot({ path: path.join(shots, "records.png"), fullPage: true });
  });
  await check("export CSV: the file is the whole filtered result", async () => {
    const [download] = await Promise.all([page.waitForEvent("download"),
      page.getByRole("button", { name: "Export CSV" }).click()]);
    const file = path.join(work, "records.csv");
    await download.saveAs(file);
    const lines = readFileSync(file, "utf8").trim().split("\n");
    expect(lines.length === 3, `${lines.length} lines: ${lines}`);
    expect(lines.slice(1).every((line) => line.includes("D-1") && line.includes("payment")), `lines ${lines}`);
    expect(lines[2].includes("1234.50"), `the paid amount in ${lines[2]}`);
  });
  await check("export Excel: an XLSX file", async () => {
    const [download] = await Promise.all([page.waitForEvent("download"),
      page.getByRole("button", { name: "Export Excel" }).click()]);
    const file = path.join(work, "records.xlsx");
    await download.saveAs(file);
    expect(readFileSync(file).subarray(0, 2).toString() === "PK", "a zip file");
  });
  await check("balances: filter by type", async () => {
    await page.getByRole("link", { name: "Balances" }).click();
    await page.getByLabel("Account type").selectOption("agent");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByText("1 rows").waitFor();
    await page.screenshot({ path: path.join(shots, "balances.png"), fullPage: true });
  });
  await check("accounts: search by name in any case", async () => {
    await page.getByRole("link", { name: "Accounts" }).click();
    await page.getByLabel("Search (ID or name)").fill("DIRECT");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByText("1 rows").waitFor();
    const accounts = await page.locator("tbody tr td:first-child").allTextContents();
    expect(accounts.join(",") === "D-1", `the search found ${accounts}`);
  });
  await check("accounts: open a new account", async () => {
    await page.getByRole("button", { name: "New account…" }).click();
    await page.getByLabel("Account ID").fill("N-1");
    await page.getByLabel("Name", { exact: true }).fill("New one");
    await page.getByLabel("Opening balance (optional)").fill("5");
    await page.getByRole("button", { name: "Submit" }).dblclick();
    await page.getByText("Account N-1 opened.").waitFor();
    await page.screenshot({ path: path.join(shots, "new-account.png"), fullPage: true });
    await page.getByRole("button", { name: "Close" }).click();
    expect((await balanceOf("N-1")) === "5.00", "the new account's balance");
    expect((await recordsOf("N-1")).length === 1, "one opening payment");
  });
  await check("an account's settings: edit, then lock and unlock", async () => {
    await page.goto(base + "/#/account/D-1");
    await page.getByRole("button", { name: "Edit settings…" }).click();
    await page.getByLabel("Monthly maximum").fill("500");
    await page.getByLabel("Name", { exact: true }).fill("Direct one, renamed");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Saved.").waitFor();
    await page.screenshot({ path: path.join(shots, "settings.png"), fullPage: true });
    await page.getByRole("button", { name: "Close" }).click();
    const account = (await api(admin, "GET", "/v1/accounts/D-1")).json;
    expect(account.monthly_max === "500.00" && account.account_name === "Direct one, renamed",
      `the account after the edit: ${JSON.stringify(account)}`);
    await page.getByRole("button", { name: "Lock…" }).click();
    await page.getByRole("button", { name: "Lock", exact: true }).click();
    await page.getByText("Locked.").waitFor();
    await page.getByRole("button", { name: "Close" }).click();
    await page.getByRole("button", { name: "Unlock…" }).waitFor();
    expect((await api(admin, "GET", "/v1/accounts/D-1")).json.locked === "yes", "locked");
    await page.getByRole("button", { name: "Unlock…" }).click();
    await page.getByRole("button", { name: "Unlock", exact: true }).click();
    await page.getByText("Unlocked.").waitFor();
    await page.getByRole("button", { name: "Close" }).click();
    expect((await api(admin, "GET", "/v1/accounts/D-1")).json.locked === "no", "unlocked");
  });
  await check("the Payment dialog redeems a phone card; a wrong PIN changes nothing", async () => {
    const [card] = (await setUp("POST", "/v1/cards/batches", { count: 1, value: "25", expires: "2099-12-31" })).cards;
    const before = await balanceOf("D-1");
    await page.getByRole("button", { name: "Pay…" }).click();
    await page.getByLabel("Kind").selectOption("phone_card");
    await page.getByLabel("Card number").fill(card.number);
    await page.getByLabel("PIN").fill(card.pin === "00000000" ? "11111111" : "00000000");
    await page.getByRole("button", { name: "Submit" }).click();
    await page.getByText("Nothing was changed.").waitFor();
    const alert = await page.getByRole("alert").textContent();
    expect(/wrong_card_or_pin/.test(alert ?? ""), `the error shown: ${alert}`);
    expect((await balanceOf("D-1")) === before, "the balance after a wrong PIN");
    await page.getByLabel("PIN").fill(card.pin);
    await page.getByRole("button", { name: "Submit" }).click();
    await page.getByText("Card value paid: 25.00").waitFor();
    await page.screenshot({ path: path.join(shots, "phone-card.png"), fullPage: true });
    await page.getByRole("button", { name: "Close" }).click();
    const records = (await recordsOf("D-1")).filter((row) => row.payment_type === "phone_card");
    expect(records.length === 1 && records[0].amount === "25.00", `phone card records ${JSON.stringify(records)}`);
  });
  await check("reversal asks first, then undoes the record once", async () => {
    const before = await balanceOf("D-1");
    const row = page.getByRole("row").filter({ hasText: "phone_card" });
    await row.getByRole("button", { name: "Reverse…" }).click();
    await page.getByText("This undoes the phone_card of 25.00 on D-1").waitFor();
    expect((await balanceOf("D-1")) === before, "nothing changed before the confirmation");
    await page.getByRole("button", { name: "Reverse", exact: true }).dblclick();
    await page.getByText("Reversed.").waitFor();
    await page.screenshot({ path: path.join(shots, "reversal.png"), fullPage: true });
    await page.getByRole("button", { name: "Close" }).click();
    const reversals = (await recordsOf("D-1")).filter((record) => record.payment_type === "reversal");
    expect(reversals.length === 1 && reversals[0].amount === "-25.00", `reversals ${JSON.stringify(reversals)}`);
  });
  await check("an account's history: the running balance, checked", async () => {
    await page.getByRole("link", { name: "History with running balance" }).click();
    await page.getByRole("heading", { name: "History of D-1" }).waitFor();
    const last = page.getByRole("row").filter({ hasText: "balance = sum of events" });
    await last.waitFor();
    const verdict = await last.locator("td").last().textContent();
    expect(verdict === "ok", `the check of the last row: ${verdict}`);
    await page.screenshot({ path: path.join(shots, "history.png"), fullPage: true });
  });
  await check("reports: all four show, and export whole", async () => {
    await setUp("POST", "/v1/accounts", { account: "V-1", name: "Vendor", account_type: "clearing" });
    await page.getByRole("link", { name: "Reports" }).click();
    for (const [tab, text] of [["Account balance", "D-1"], ["Clearing balance", "V-1"], ["Agent income", "AG-1"],
      ["Settlement", "direct"]]) {
      await page.getByRole("navigation", { name: "Reports" }).getByRole("link", { name: tab }).click();
      await page.getByRole("heading", { name: `Report: ${tab}` }).waitFor();
      await page.getByRole("button", { name: "Show" }).click();
      await page.getByRole("cell", { name: text, exact: true }).first().waitFor();
      await page.screenshot({ path: path.join(shots, `report-${tab.toLowerCase().replace(" ", "-")}.png`), fullPage: true });
    }
    const [download] = await Promise.all([page.waitForEvent("download"),
      page.getByRole("button", { name: "Export CSV" }).click()]);
    const file = path.join(work, "settlement.csv");
    await download.saveAs(file);
    const lines = readFileSync(file, "utf8").trim().split(/\r?\n/);
    expect(lines.length >= 3 && lines.slice(1).every((line) => line.endsWith(",ok")), `settlement lines ${lines}`);
    await page.getByText(/Exported CSV: \d+ bytes/).waitFor();
  });
  await check("charges: the softswitch's charges listed", async () => {
    await setUp("POST", "/v1/commands", { commands: [{ type: "charge", cdr_id: "cdr-console-1", account: "S-1",
      amount: "1.25", start_time: new Date(Date.now() - 60_000).toISOString(), duration_seconds: 60 }] });
    await page.getByRole("link", { name: "Charges" }).click();
    await page.getByRole("cell", { name: "cdr-console-1" }).waitFor();
    await page.screenshot({ path: path.join(shots, "charges.png"), fullPage: true });
  });
  await check("phone cards: issue a batch (PINs shown once), list and disable", async () => {
    await page.getByRole("link", { name: "Phone cards" }).click();
    await page.getByRole("button", { name: "Issue cards…" }).click();
    await page.getByLabel("Cards", { exact: true }).fill("3");
    await page.getByLabel("Value of each").fill("10");
    await page.getByLabel("Last day (expires)").fill("2099-06-30");
    await page.getByLabel("Batch name").fill("console-batch");
    await page.getByRole("button", { name: "Issue", exact: true }).dblclick();
    await page.getByText("Issued 3 cards of 10.00 in batch console-batch.").waitFor();
    await page.getByRole("link", { name: "Save the PINs (CSV)" }).waitFor();
    await page.screenshot({ path: path.join(shots, "cards-issued.png"), fullPage: true });
    await page.getByRole("button", { name: "Close" }).click();
    const cards = (await api(admin, "GET", "/v1/cards?batch=console-batch")).json.rows;
    expect(cards.length === 3, `${cards.length} cards in the batch (a double click issues one batch)`);
    await page.getByLabel("Batch", { exact: true }).fill("console-batch");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByText("3 rows").waitFor();
    await page.getByRole("button", { name: "Disable…" }).first().click();
    await page.getByRole("button", { name: "Disable", exact: true }).click();
    await page.getByText("Disabled.").waitFor();
    await page.getByRole("button", { name: "Close" }).click();
    const disabled = (await api(admin, "GET", "/v1/cards?batch=console-batch&state=disabled")).json.rows;
    expect(disabled.length === 1, `${disabled.length} disabled cards`);
    await page.screenshot({ path: path.join(shots, "cards.png"), fullPage: true });
  });
  await check("audit: operations listed, the log exported with its hashes", async () => {
    await page.getByRole("link", { name: "Audit" }).click();
    await page.getByRole("cell", { name: "console-batch" }).first().waitFor();
    await page.screenshot({ path: path.join(shots, "audit.png"), fullPage: true });
    const [download] = await Promise.all([page.waitForEvent("download"),
      page.getByRole("button", { name: "Export the log (JSON lines)" }).click()]);
    const file = path.join(work, "events.jsonl");
    await download.saveAs(file);
    const lines = readFileSync(file, "utf8").trim().split("\n").map((line) => JSON.parse(line));
    expect(lines.length > 10 && lines.every((line) => typeof line.hash === "string"), `${lines.length} log lines`);
  });
  await check("parameters: the admin sets one", async () => {
    await page.getByRole("link", { name: "Parameters" }).click();
    const row = page.getByRole("row").filter({ hasText: "SERVER_PAY_DELAY_CUSTOMER_EXPIRE_DAY" });
    await row.getByRole("button", { name: "Set…" }).click();
    await page.getByLabel("Value").fill("45");
    await page.getByRole("button", { name: "Set", exact: true }).click();
    await page.getByText("SERVER_PAY_DELAY_CUSTOMER_EXPIRE_DAY is 45.").waitFor();
    await page.getByRole("button", { name: "Close" }).click();
    await page.screenshot({ path: path.join(shots, "parameters.png"), fullPage: true });
    const rows = (await api(admin, "GET", "/v1/parameters")).json.rows;
    const value = rows.find((parameter) => parameter.name === "SERVER_PAY_DELAY_CUSTOMER_EXPIRE_DAY").value;
    expect(value === "45", `the parameter is ${value}`);
  });
  let financeToken = "";
  await check("operators: add one (its token shown once, and it works), then disable it", async () => {
    await page.getByRole("link", { name: "Operators" }).click();
    await page.getByRole("button", { name: "Add operator…" }).click();
    await page.getByLabel("Operator name").fill("till-2");
    await page.getByLabel("Role").selectOption("finance");
    await page.getByRole("button", { name: "Add", exact: true }).click();
    financeToken = (await page.locator("code.token").textContent()) ?? "";
    expect(financeToken.length > 10, "a token shown");
    await page.screenshot({ path: path.join(shots, "operator-added.png"), fullPage: true });
    await page.getByRole("button", { name: "Close" }).click();
    expect((await api(financeToken, "GET", "/v1/me")).json.operator === "till-2", "the new token works");
    const row = page.getByRole("row").filter({ hasText: "till-2" });
    await row.getByRole("button", { name: "Disable…" }).click();
    await page.getByRole("button", { name: "Disable", exact: true }).click();
    await page.getByText("till-2 is disabled.").waitFor();
    await page.getByRole("button", { name: "Close" }).click();
    expect((await api(financeToken, "GET", "/v1/me")).status === 401, "the disabled operator's token is refused");
    await page.screenshot({ path: path.join(shots, "operators.png"), fullPage: true });
  });
  await check("an agent's token sees only its tree", async () => {
    const agent = await signedIn(agentToken);
    await agent.getByRole("link", { name: "S-1" }).waitFor();
    const accounts = await agent.locator("tbody tr td:first-child").allTextContents();
    expect(accounts.sort().join(",") === "AG-1,S-1", `the agent sees ${accounts}`);
    const links = await agent.getByRole("navigation", { name: "Screens" }).getByRole("link").allTextContents();
    expect(!links.includes("Phone cards") && !links.includes("Audit") && !links.includes("Operators"),
      `the agent's screens: ${links}`);
    await agent.getByRole("link", { name: "S-1" }).click();
    await agent.getByRole("button", { name: "Pay…" }).click();
    const kinds = await agent.getByLabel("Kind").locator("option").allTextContents();
    expect(!kinds.includes("Make Zero"), `the agent's kinds of payment: ${kinds}`);
    await agent.screenshot({ path: path.join(shots, "agent.png"), fullPage: true });
  });
  await check("an auditor sees no Pay button, and a forged payment with its token is refused", async () => {
    const auditor = await signedIn(auditorToken);
    await auditor.getByRole("link", { name: "D-1" }).click();
    await auditor.getByText("Auditors read only.").waitFor();
    expect((await auditor.getByRole("button", { name: "Pay…" }).count()) === 0, "a Pay button");
    const before = await balanceOf("D-1");
    const forged = await auditor.evaluate(async () => {
      const answer = await fetch("/v1/accounts/D-1/payments", {
        method: "POST",
        headers: { Authorization: `Bearer ${sessionStorage.getItem("paystream.token")}` },
        body: JSON.stringify({ amount: "5" }),
      });
      return answer.status;
    });
    expect(forged === 403, `the forged payment answered ${forged}`);
    expect((await balanceOf("D-1")) === before, "the balance after the forged payment");
    await auditor.screenshot({ path: path.join(shots, "auditor.png"), fullPage: true });
  });
  await check("a wrong token is refused at sign-in", async () => {
    const context = await browser.newContext();
    const stranger = await context.newPage();
    await stranger.goto(base + "/");
    await stranger.getByLabel("Operator token").fill("pst_not_a_token");
    await stranger.getByRole("button", { name: "Sign in" }).click();
    await stranger.getByText("That token is not an operator's.").waitFor();
  });
} finally {
  await browser.close();
  // The server first: it releases its partitions through the broker.
  const stopped = new Promise((resolve) => server.once("exit", resolve));
  server.kill("SIGTERM");
  await stopped;
  broker?.kill("SIGTERM");
  rmSync(work, { recursive: true, force: true });  // SCREENSHOTS_DIR, when given, is elsewhere
}
const failed = results.filter(([, result]) => result !== "ok").length;
console.log(`console tests: ${results.length - failed} passed, ${failed} failed` +
  (process.env.SCREENSHOTS_DIR ? `; screenshots in ${shots}` : ""));
process.exit(failed === 0 && results.length > 0 ? 0 : 1);
