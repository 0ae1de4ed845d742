// Amounts are the API's decimal strings ("-1234.50"): shown with thousands separators by working
// on the text, never through a JavaScript number, which would round micro-units.
export function formatAmount(text: string): string {
  if (!/^-?[0-9]+(\.[0-9]+)?$/.test(text)) return text;
  const negative = text.startsWith("-");
  const [whole, fraction] = (negative ? text.slice(1) : text).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return (negative ? "-" : "") + grouped + (fraction === undefined ? "" : "." + fraction);
}

// What an operator may type: digits with at most 6 decimals (the ledger's precision), a sign for
// adjustments only. Checked here to say so at once; the server checks again.
export function isAmountText(text: string, signed: boolean): boolean {
  return (signed ? /^[+-]?[0-9]+(\.[0-9]{1,6})?$/ : /^[0-9]+(\.[0-9]{1,6})?$/).test(text.trim());
}

// The size of a download so far, for an export's progress.
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
