// Elements made from data: text always goes in as text (never as HTML), so a memo or a name
// cannot inject anything into the page.
type Attributes = Record<string, string | boolean | ((event: Event) => void)>;
type Child = Node | string | null | undefined | false;

export function h(tag: string, attributes: Attributes = {}, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value === "function") element.addEventListener(name.replace(/^on/, ""), value);
    else if (value === true) element.setAttribute(name, "");
    else if (value !== false) element.setAttribute(name, value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return element;
}

let fieldCount = 0;

// A labelled input: every input has a label, for screen readers and for the tests. The label's
// text is the input's accessible name; the ID only ties them together.
export function field(label: string, input: HTMLElement): HTMLElement {
  input.id = `f${++fieldCount}-` + label.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  return h("div", { class: "field" }, h("label", { for: input.id }, label), input);
}

export function input(attributes: Record<string, string> = {}): HTMLInputElement {
  return h("input", attributes) as HTMLInputElement;
}

export function select(options: [string, string][], value = ""): HTMLSelectElement {
  const element = h("select", {}, ...options.map(([key, label]) => h("option", { value: key }, label))) as HTMLSelectElement;
  if (value !== "") element.value = value;
  return element;
}

export function timeCell(iso: string): HTMLElement {
  if (iso === "") return h("td");
  const time = new Date(iso);
  return h("td", { title: iso + " (UTC)" }, Number.isNaN(time.getTime()) ? iso : time.toLocaleString());
}
