/**
 * Fits a Markdown document into a character budget (GitHub rejects issue and comment bodies over
 * 65,536 characters and drops job summaries over 1 MiB). The document is a list of blocks; blocks
 * may hold tables whose rows carry an importance. The budget gives up, in this order:
 *   1. the least important non-essential table rows, across all tables;
 *   2. optional blocks, lowest `dropRank` first (each time retrying with rows restored);
 *   3. essential rows, least important first;
 *   4. the tail of the document, cut at a line break, with a note.
 * Pinned rows (group headings with their subtotals) are never left out.
 * A `suffix` (the hidden marker) is never cut, and the result never exceeds `maxChars`.
 */

export interface BudgetRow {
  /** One Markdown table row, without the line break. */
  line: string;
  /** Higher is kept longer; compared across all tables of the document. */
  importance: number;
  /** Kept until every optional block has been dropped. */
  essential?: boolean;
  /** Never left out: a group's heading and subtotal, which count every row, shown or not. */
  pinned?: boolean;
}

export interface BudgetTable {
  /** Header and delimiter rows. */
  head: string;
  rows: BudgetRow[];
  /** Rows that are always kept, after the trimmable ones (shared cost, totals). */
  foot?: string;
  /** The note printed under the table when rows were left out. */
  omittedNote: (omittedRows: number) => string;
}

type BudgetPart = string | BudgetTable;

export interface BudgetBlock {
  /** Rendered in order, separated by blank lines. */
  parts: BudgetPart[];
  /** Optional blocks are dropped from the lowest rank up; required blocks have none. */
  dropRank?: number;
}

export interface BudgetOptions {
  maxChars: number;
  /** Appended after the document, on its own paragraph, and never cut. */
  suffix?: string;
  /** Added as a final paragraph when optional blocks were dropped. */
  droppedBlocksNote?: string;
  /** Added after a hard cut. */
  truncatedNote?: string;
}

export interface BudgetResult {
  markdown: string;
  omittedRows: number;
  droppedBlocks: number;
  truncated: boolean;
}

const BLOCK_SEPARATOR = '\n\n';
const TABLE_DELIMITER_ROW = /^\|(?: *:?-+:? *\|)+$/;
const DEFAULT_TRUNCATED_NOTE = "_… truncated to fit GitHub's size limit._";

interface TableState {
  table: BudgetTable;
  /** Indexes of rows left out. */
  omitted: Set<number>;
  /** Characters of the kept rows, each with its line break. */
  keptRowChars: number;
}

interface Layout {
  dropped: Set<number>;
  tables: Map<BudgetTable, TableState>;
}

/** Renders `blocks` in full when they fit, otherwise trimmed as described above. */
export function fitToBudget(blocks: BudgetBlock[], options: BudgetOptions): BudgetResult {
  const suffix = options.suffix ?? '';
  if (suffix.length > options.maxChars) {
    throw new RangeError(`The budget of ${options.maxChars} characters cannot hold the report's marker`);
  }
  const fits = (layout: Layout): boolean => renderLayout(blocks, layout, options).length <= options.maxChars;

  const dropOrder = [
    ...new Set(blocks.flatMap((block) => (block.dropRank === undefined ? [] : [block.dropRank]))),
  ];
  dropOrder.sort((a, b) => a - b);

  // Each level drops one more rank of optional blocks and then trims rows to fit.
  for (let level = 0; level <= dropOrder.length; level += 1) {
    const dropped = droppedAtLevel(blocks, dropOrder, level);
    const layout = trimRows(blocks, options, dropped, false);
    if (fits(layout)) return result(blocks, layout, options, false);
  }
  const everythingDropped = droppedAtLevel(blocks, dropOrder, dropOrder.length);
  const minimal = trimRows(blocks, options, everythingDropped, true);
  if (fits(minimal)) return result(blocks, minimal, options, false);
  return result(blocks, minimal, options, true);
}

function droppedAtLevel(blocks: BudgetBlock[], dropOrder: number[], level: number): Set<number> {
  const ranks = new Set(dropOrder.slice(0, level));
  const dropped = new Set<number>();
  blocks.forEach((block, index) => {
    if (block.dropRank !== undefined && ranks.has(block.dropRank)) dropped.add(index);
  });
  return dropped;
}

/**
 * Leaves out the least important rows until the document fits, tracking its length incrementally so
 * that a 10,000-row report is trimmed in linear time after one sort.
 */
function trimRows(
  blocks: BudgetBlock[],
  options: BudgetOptions,
  dropped: Set<number>,
  includeEssential: boolean,
): Layout {
  const layout: Layout = { dropped, tables: new Map() };
  const candidates: Array<{ state: TableState; index: number; row: BudgetRow; order: number }> = [];
  let order = 0;
  blocks.forEach((block, blockIndex) => {
    if (dropped.has(blockIndex)) return;
    for (const part of block.parts) {
      if (typeof part === 'string') continue;
      const keptRowChars = part.rows.reduce((sum, row) => sum + row.line.length + 1, 0);
      const state: TableState = { table: part, omitted: new Set(), keptRowChars };
      layout.tables.set(part, state);
      part.rows.forEach((row, index) => {
        if (row.pinned) return;
        if (includeEssential || !row.essential) candidates.push({ state, index, row, order: order++ });
      });
    }
  });
  let length = renderLayout(blocks, layout, options).length;
  if (length <= options.maxChars) return layout;

  // Least important first; among equals, the row furthest down goes first.
  candidates.sort(
    (a, b) =>
      Number(Boolean(a.row.essential)) - Number(Boolean(b.row.essential)) ||
      a.row.importance - b.row.importance ||
      b.order - a.order,
  );
  for (const { state, index, row } of candidates) {
    const before = tableLength(state);
    state.omitted.add(index);
    state.keptRowChars -= row.line.length + 1;
    length += tableLength(state) - before;
    if (length <= options.maxChars) break;
  }
  return layout;
}

/** A table left with no rows and no footer is shown as its note alone. */
function isNoteOnly(table: BudgetTable, omitted: number): boolean {
  return omitted > 0 && omitted === table.rows.length && table.foot === undefined;
}

/** The length `renderTable` gives for `state`, without rendering it. */
function tableLength({ table, omitted, keptRowChars }: TableState): number {
  const note = omitted.size === 0 ? 0 : table.omittedNote(omitted.size).length;
  if (isNoteOnly(table, omitted.size)) return note;
  const foot = table.foot === undefined ? 0 : table.foot.length + 1;
  return table.head.length + keptRowChars + foot + (note === 0 ? 0 : BLOCK_SEPARATOR.length + note);
}

function renderTable(table: BudgetTable, state: TableState | undefined): string {
  const omitted = state?.omitted.size ?? 0;
  if (isNoteOnly(table, omitted)) return table.omittedNote(omitted);
  const rows = table.rows.filter((_, index) => !state?.omitted.has(index)).map((row) => row.line);
  const lines = [table.head, ...rows, ...(table.foot === undefined ? [] : [table.foot])].join('\n');
  return omitted === 0 ? lines : `${lines}${BLOCK_SEPARATOR}${table.omittedNote(omitted)}`;
}

function renderBody(blocks: BudgetBlock[], layout: Layout, options: BudgetOptions): string {
  const rendered = blocks
    .filter((_, index) => !layout.dropped.has(index))
    .map((block) =>
      block.parts
        .map((part) => (typeof part === 'string' ? part : renderTable(part, layout.tables.get(part))))
        .join(BLOCK_SEPARATOR),
    );
  if (layout.dropped.size > 0 && options.droppedBlocksNote) rendered.push(options.droppedBlocksNote);
  return `${rendered.join(BLOCK_SEPARATOR)}\n`;
}

function withSuffix(body: string, suffix: string): string {
  return suffix === '' ? body : `${body}\n${suffix}`;
}

function renderLayout(blocks: BudgetBlock[], layout: Layout, options: BudgetOptions): string {
  return withSuffix(renderBody(blocks, layout, options), options.suffix ?? '');
}

function result(
  blocks: BudgetBlock[],
  layout: Layout,
  options: BudgetOptions,
  mustCut: boolean,
): BudgetResult {
  let omittedRows = 0;
  for (const state of layout.tables.values()) omittedRows += state.omitted.size;
  const base = { omittedRows, droppedBlocks: layout.dropped.size };
  if (!mustCut) return { ...base, markdown: renderLayout(blocks, layout, options), truncated: false };
  const body = renderBody(blocks, layout, options);
  return { ...base, markdown: cutToFit(body, options), truncated: true };
}

/**
 * The last resort: keeps whole lines from the top (every optional block, and with it every code
 * fence and `<details>`, is gone by now, so no construct is left open), then the note and the suffix.
 */
function cutToFit(body: string, options: BudgetOptions): string {
  const suffix = options.suffix ?? '';
  const suffixLength = suffix === '' ? 0 : suffix.length + 1;
  let note = `\n${options.truncatedNote ?? DEFAULT_TRUNCATED_NOTE}\n`;
  let room = options.maxChars - suffixLength - note.length;
  if (room < 0) {
    note = '';
    room = options.maxChars - suffixLength;
    if (room < 0) return suffix;
  }
  let kept = body.slice(0, Math.max(0, room));
  const lastLineBreak = kept.lastIndexOf('\n');
  if (lastLineBreak > 0) kept = kept.slice(0, lastLineBreak + 1);
  // A table header whose delimiter row was cut off would show as a line of pipes.
  const nextLine = body.slice(kept.length).split('\n', 1)[0] ?? '';
  if (TABLE_DELIMITER_ROW.test(nextLine)) kept = kept.slice(0, kept.slice(0, -1).lastIndexOf('\n') + 1);
  kept = kept.replace(/\n{2,}$/, '\n');
  // Never leave half of a surrogate pair behind.
  if (/[\uD800-\uDBFF]$/.test(kept)) kept = kept.slice(0, -1);
  return withSuffix(`${kept}${note}`, suffix);
}
