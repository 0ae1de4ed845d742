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

// A labelled input: every input has a label, for screen readers and for the tests.
export function field(label: string, input: HTMLElement): HTMLElement {
  const id = "f-" + label.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  input.id = id;
  return h("div", { class: "field" }, h("label", { for: id }, label), input);
}

export function timeCell(iso: string): HTMLElement {
  if (iso === "") return h("td");
  const time = new Date(iso);
  return h("td", { title: iso + " (UTC)" }, Number.isNaN(time.getTime()) ? iso : time.toLocaleString());
}
