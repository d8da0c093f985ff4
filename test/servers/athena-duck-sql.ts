/**
 * A Glue table of JSON lines as Athena reads it, built in DuckDB, and DuckDB's answer turned into
 * what Athena's GetQueryResults gives. Used by athena-duck.ts; kept apart (and free of HTTP) so it
 * can be merged with the DuckDB view of test/integration/athena-sql.test.ts, which another branch
 * is moving into test/helpers/duck-athena.ts.
 *
 * The SerDe is read in JavaScript, not by DuckDB's read_json, so every case below is decided here:
 * - OpenX JSON SerDe (Athena User Guide, "OpenX JSON SerDe"): `case.insensitive` (TRUE) lower-cases
 *   keys, and two keys equal in lower case are "Row is not a valid JSON Object - JSONException:
 *   Duplicate key"; with `ignore.malformed.json` a malformed line is a row of NULLs.
 * - rcongiu/Hive-JSON-Serde JsonSerDe.deserialize trims the line and parses it only when it starts
 *   with `{` (or `[`, whose elements fill the columns by position: not emulated, a row of NULLs here).
 * - Hadoop's TextInputFormat ends a line at LF, CR or CR LF; a blank line gives no row here
 *   (ASSUMED: what Athena does with one was not found; Lattice writes none).
 * - A value's text in a `string` column: a JSON string's characters; a number, true or false as
 *   written in the line (ASSUMED, as src/aws/athena-table.ts says); an object or array as its JSON
 *   text; null or a missing key NULL.
 * Not emulated: org.json's leniencies (single quotes, unquoted keys: malformed here, as for the
 * local reader), duplicate keys inside nested objects, columns of types other than string.
 */
import { type DuckDBConnection, type DuckDBResultReader, DuckDBTypeId } from '@duckdb/node-api';

/** One line as the SerDe reads it: lower-cased top-level keys to their text, or null for JSON null. */
export type SerdeRow = ReadonlyMap<string, string | null>;

/** A malformed line: every column NULL (`ignore.malformed.json`). */
export const MALFORMED: SerdeRow = new Map();

/** Java's String.trim: every character up to U+0020 at both ends. */
function javaTrim(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && text.charCodeAt(start) <= 0x20) start++;
  while (end > start && text.charCodeAt(end - 1) <= 0x20) end--;
  return text.slice(start, end);
}

/** The index after the JSON string starting at `i` (a `"`), in valid JSON. */
function endOfString(text: string, i: number): number {
  for (let j = text.indexOf('"', i + 1); ; j = text.indexOf('"', j + 1)) {
    // A quote ends the string unless an odd number of backslashes escapes it.
    let slashes = 0;
    while (text.charCodeAt(j - 1 - slashes) === 0x5c) slashes++;
    if (slashes % 2 === 0) return j + 1;
  }
}

/** The index after the JSON value starting at `i`, in valid JSON. */
function endOfValue(text: string, i: number): number {
  const first = text.charCodeAt(i);
  if (first === 0x22) return endOfString(text, i);
  if (first === 0x7b || first === 0x5b) {
    let depth = 0;
    let j = i;
    do {
      const c = text.charCodeAt(j);
      if (c === 0x22) {
        j = endOfString(text, j);
        continue;
      }
      if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || c === 0x5d) depth--;
      j++;
    } while (depth > 0);
    return j;
  }
  // A number, true or false: up to the next delimiter.
  let j = i + 1;
  for (let c = text.charCodeAt(j); j < text.length && c !== 0x2c && c !== 0x7d && c !== 0x5d && c > 0x20;) {
    c = text.charCodeAt(++j);
  }
  return j;
}

/** JSON's whitespace: space, tab, LF, CR. */
const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
/** Lower-cased keys, by their text in the line: the same few dozen keys come on every line. */
const lowerKeys = new Map<string, string>();

/**
 * One line (without its line break) as the OpenX SerDe reads it; MALFORMED for a row of NULLs,
 * undefined for a blank line (no row).
 */
export function openxRow(line: string): SerdeRow | undefined {
  const text = javaTrim(line);
  if (text === '') return undefined;
  if (!text.startsWith('{')) return MALFORMED;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return MALFORMED;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return MALFORMED;
  // JSON.parse keeps the last of duplicate keys and gives numbers as doubles: the keys and the
  // written text of each value come from the line itself, which JSON.parse has just validated.
  const row = new Map<string, string | null>();
  let i = 1;
  const skip = () => {
    while (isSpace(text.charCodeAt(i))) i++;
  };
  for (;;) {
    skip();
    if (text.charCodeAt(i) === 0x7d) break;
    const keyEnd = endOfString(text, i);
    const rawKey = text.slice(i, keyEnd);
    let key = lowerKeys.get(rawKey);
    if (key === undefined) {
      key = (JSON.parse(rawKey) as string).toLowerCase();
      if (lowerKeys.size < 10_000) lowerKeys.set(rawKey, key);
    }
    i = keyEnd;
    skip();
    i++; // ':'
    skip();
    const valueEnd = endOfValue(text, i);
    const raw = text.slice(i, valueEnd);
    i = valueEnd;
    if (row.has(key)) return MALFORMED;
    if (raw === 'null') row.set(key, null);
    else if (raw.startsWith('"'))
      row.set(key, raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1));
    else row.set(key, raw);
    skip();
    if (text.charCodeAt(i) === 0x2c) i++;
    else break;
  }
  return row;
}

/** The rows of one object's text, line by line (Hadoop's line ends). */
export function objectRows(text: string): SerdeRow[] {
  const rows: SerdeRow[] = [];
  for (const line of text.split(/\r\n|\n|\r/)) {
    const row = openxRow(line);
    if (row) rows.push(row);
  }
  return rows;
}

export interface AthenaTableData {
  /** The Glue database: a DuckDB schema of that name. */
  database: string;
  table: string;
  /** The data columns, as Glue keeps them (lower case). */
  columns: readonly string[];
  /** The partition columns, after the data columns as Athena puts them. */
  partitionKeys: readonly string[];
  /** Each object's rows with its partition's values. */
  parts: ReadonlyArray<{ rows: readonly SerdeRow[]; partition: Readonly<Record<string, string>> }>;
}

const quoted = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/**
 * Makes `database.table` in DuckDB: every column VARCHAR, as a `string` column reads in Athena,
 * and the partition columns filled from each object's partition.
 */
export async function createAthenaTable(duck: DuckDBConnection, data: AthenaTableData): Promise<void> {
  const names = [...data.columns, ...data.partitionKeys];
  await duck.run(`CREATE SCHEMA IF NOT EXISTS ${quoted(data.database)}`);
  await duck.run(
    `CREATE TABLE ${quoted(data.database)}.${quoted(data.table)} (${names.map((n) => `${quoted(n)} VARCHAR`).join(', ')})`,
  );
  const appender = await duck.createAppender(data.table, data.database);
  try {
    for (const { rows, partition } of data.parts) {
      for (const row of rows) {
        for (const name of data.columns) {
          const value = row.get(name);
          if (value === undefined || value === null) appender.appendNull();
          else appender.appendVarchar(value);
        }
        for (const name of data.partitionKeys) appender.appendVarchar(partition[name]!);
        appender.endRow();
      }
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

/**
 * A double as Java's Double.toString writes it ("15.0", "1.0E20", "1.5E-7"), which is how
 * Athena (Trino, a Java engine) shows a DOUBLE in a result: ASSUMED from Athena's result files,
 * not read in any reference. The digits are JavaScript's shortest round-trip ones, as Java's
 * are since JDK 19.
 */
export function javaDouble(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-3 && magnitude < 1e7) {
    const text = String(value);
    return text.includes('.') ? text : `${text}.0`;
  }
  const [mantissa, exponent] = value.toExponential().split('e') as [string, string];
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
}

/** Trino's name of a DuckDB result type, for ColumnInfo.Type. */
function trinoType(typeId: DuckDBTypeId): { type: string; precision: number } {
  switch (typeId) {
    case DuckDBTypeId.BOOLEAN:
      return { type: 'boolean', precision: 0 };
    case DuckDBTypeId.TINYINT:
      return { type: 'tinyint', precision: 3 };
    case DuckDBTypeId.SMALLINT:
      return { type: 'smallint', precision: 5 };
    case DuckDBTypeId.INTEGER:
      return { type: 'integer', precision: 10 };
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.UBIGINT:
      // count(*) and count_if are bigint in Trino; DuckDB may make a sum of integers a HUGEINT.
      return { type: 'bigint', precision: 19 };
    case DuckDBTypeId.FLOAT:
      return { type: 'real', precision: 9 };
    case DuckDBTypeId.DOUBLE:
      return { type: 'double', precision: 17 };
    default:
      return { type: 'varchar', precision: 2147483647 };
  }
}

/** One ColumnInfo, as GetQueryResults gives it (the fields moto passes on as they are queued). */
export interface AthenaColumnInfo {
  CatalogName: string;
  SchemaName: string;
  TableName: string;
  Name: string;
  Label: string;
  Type: string;
  Precision: number;
  Scale: number;
  Nullable: 'UNKNOWN';
  CaseSensitive: boolean;
}

export interface AthenaResultSet {
  columnInfo: AthenaColumnInfo[];
  /** The header row first (the column names), as Athena gives a SELECT's; NULL is a Datum without VarCharValue. */
  rows: Array<{ Data: Array<{ VarCharValue?: string }> }>;
}

/**
 * DuckDB's result as Athena gives it: column names lower-cased ("Names for tables, databases,
 * and columns"), every value as text: integers in decimal, doubles as javaDouble, booleans as
 * true/false, NULL as no VarCharValue.
 */
export function athenaResultSet(result: DuckDBResultReader): AthenaResultSet {
  const names = result.columnNames().map((n) => n.toLowerCase());
  const types = result.columnTypes().map((t) => t.typeId);
  const columnInfo = names.map((Name, i): AthenaColumnInfo => {
    const { type, precision } = trinoType(types[i]!);
    return {
      CatalogName: 'hive',
      SchemaName: '',
      TableName: '',
      Name,
      Label: Name,
      Type: type,
      Precision: precision,
      Scale: 0,
      Nullable: 'UNKNOWN',
      CaseSensitive: type === 'varchar',
    };
  });
  const text = (value: unknown, typeId: DuckDBTypeId): string | undefined => {
    if (value === null || value === undefined) return undefined;
    if (typeof value === 'number') {
      return typeId === DuckDBTypeId.DOUBLE || typeId === DuckDBTypeId.FLOAT
        ? javaDouble(value)
        : String(value);
    }
    if (typeof value === 'string') return value;
    if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
    return String(value as { toString(): string });
  };
  const rows = [
    { Data: names.map((VarCharValue) => ({ VarCharValue })) },
    ...result.getRows().map((row) => ({
      Data: row.map((value, i) => {
        const v = text(value, types[i]!);
        return v === undefined ? {} : { VarCharValue: v };
      }),
    })),
  ];
  return { columnInfo, rows };
}
