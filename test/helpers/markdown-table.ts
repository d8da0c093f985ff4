/** GitHub Markdown tables, read back as cells the way cmark-gfm splits them. */

/** Cells of a table row: a pipe after a backslash is not a delimiter. */
export function cells(row: string): string[] {
  return row
    .split(/(?<!\\)\|/)
    .slice(1, -1)
    .map((cell) => cell.trim());
}

/** The body rows (no header, no delimiter row) of the first table in `markdown`, as cells. */
export function parseMarkdownTable(markdown: string): string[][] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line.startsWith('|'));
  if (start < 0) return [];
  const end = lines.findIndex((line, index) => index > start && !line.startsWith('|'));
  return lines.slice(start + 2, end < 0 ? undefined : end).map(cells);
}
