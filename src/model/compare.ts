/**
 * Text in code-unit order: the same on every machine and locale (localeCompare is not), so report
 * orders and cache files never depend on where they were made.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
