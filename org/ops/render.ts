/**
 * Small text helpers for the human-readable output: aligned tables, spend bars, amounts and a
 * line diff. Hand-written because the repository has no table or diff library, and the output is
 * plain ASCII so it survives terminals, CI logs and tickets alike.
 */

export interface Column {
  readonly header: string;
  /** Numbers read best right-aligned; default left. */
  readonly align?: "left" | "right";
}

/** Columns padded to their widest cell, two spaces apart, no trailing spaces. */
export function renderTable(
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
): string {
  const widths = columns.map((c, i) =>
    Math.max(c.header.length, ...rows.map((r) => (r[i] ?? "").length)),
  );
  const line = (cells: readonly string[]) =>
    columns
      .map((c, i) => {
        const cell = cells[i] ?? "";
        return c.align === "right" ? cell.padStart(widths[i]) : cell.padEnd(widths[i]);
      })
      .join("  ")
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...rows.map(line)].join("\n");
}

/** `112.40 USD`; amounts keep two decimals so columns line up. */
export function formatMoney(amount: number | null, unit: string): string {
  return amount === null ? "-" : `${amount.toFixed(2)} ${unit}`.trim();
}

export function formatPercent(percent: number | null): string {
  return percent === null ? "-" : `${Math.round(percent)}%`;
}

/**
 * A spend bar: `#` actual spend, `+` the further forecasted spend, `.` what is left of the limit,
 * and a trailing `!` when actual spend is over the limit. Example (width 20, 40 % spent, 70 %
 * forecast): `[########++++++......]`.
 */
export function spendBar(
  actualPercent: number | null,
  forecastPercent: number | null,
  width = 20,
): string {
  const cells = (p: number | null) =>
    Math.max(0, Math.min(width, Math.round(((p ?? 0) / 100) * width)));
  const actual = cells(actualPercent);
  const forecast = Math.max(actual, cells(forecastPercent));
  const over = (actualPercent ?? 0) > 100 ? "!" : "";
  const bar = "#".repeat(actual) + "+".repeat(forecast - actual) + ".".repeat(width - forecast);
  return `[${bar}]${over}`;
}

export interface DiffLine {
  readonly op: " " | "-" | "+";
  readonly text: string;
}

/** Longest-common-subsequence line diff; SCP documents are a few hundred lines at most. */
export function diffLines(before: readonly string[], after: readonly string[]): DiffLine[] {
  const n = before.length;
  const m = after.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i][j] =
        before[i] === after[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && before[i] === after[j]) {
      out.push({ op: " ", text: before[i] });
      i++;
      j++;
    } else if (j < m && (i === n || lcs[i][j + 1] > lcs[i + 1][j])) {
      out.push({ op: "+", text: after[j++] });
    } else {
      out.push({ op: "-", text: before[i++] });
    }
  }
  return out;
}

/**
 * A unified-style diff of two texts with `context` unchanged lines around each change; longer
 * unchanged runs collapse to one `...` line so a one-region change in a long policy stays short.
 */
export function renderDiff(
  beforeLabel: string,
  afterLabel: string,
  before: string,
  after: string,
  context = 3,
): string {
  const lines = diffLines(before.split("\n"), after.split("\n"));
  const keep = lines.map(() => false);
  lines.forEach((l, k) => {
    if (l.op === " ") return;
    const last = Math.min(lines.length - 1, k + context);
    for (let c = Math.max(0, k - context); c <= last; c++) keep[c] = true;
  });
  const out = [`--- ${beforeLabel}`, `+++ ${afterLabel}`];
  let skipped = 0;
  lines.forEach((l, k) => {
    if (!keep[k]) {
      skipped++;
      return;
    }
    if (skipped > 0) out.push(`  ... ${skipped} unchanged line${skipped === 1 ? "" : "s"}`);
    skipped = 0;
    out.push(`${l.op} ${l.text}`.trimEnd());
  });
  if (skipped > 0) out.push(`  ... ${skipped} unchanged line${skipped === 1 ? "" : "s"}`);
  return out.join("\n");
}

/** Indents every line of a block, for nesting details under a report line. */
export function indent(text: string, by = "    "): string {
  return text
    .split("\n")
    .map((l) => (l ? by + l : l))
    .join("\n");
}
