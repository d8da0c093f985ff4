// The interface between the WebAssembly kernel (assembly/lines.ts, compiled by AssemblyScript) and
// fast-scan.ts (TypeScript): both import these numbers from here, so they cannot drift apart. Plain
// integer constants only: this file must be valid for both compilers.

/** Kinds of a value as the kernel found it. */
export const K_ABSENT = 0;
/** A string without escapes: its bytes are its text. */
export const K_STRING = 1;
export const K_ESCAPED = 2;
/** A plain integer of at most 15 digits. */
export const K_INT = 3;
export const K_NULL = 4;
export const K_OTHER = 5;

/**
 * A recorded line is RECORD_SLOTS f64s; these are their indices. Positions are offsets into the
 * text; the day is YYYYMMDD; the response code is -1 when there is none; denied is 0 or 1.
 */
export const R_START = 0;
export const R_NL = 1;
export const R_SERVICE = 2;
export const R_SERVICE_START = 3;
export const R_SERVICE_END = 4;
export const R_HOST_KIND = 5;
export const R_HOST_START = 6;
export const R_HOST_END = 7;
export const R_DAY = 8;
export const R_HOUR = 9;
export const R_DURATION = 10;
export const R_CODE = 11;
export const R_RECEIVED = 12;
export const R_SENT = 13;
export const R_DENIED = 14;
/**
 * sourceVpcArn and callerPrincipal: the number of the text (of callerPrincipal, of its start up to
 * the fifth colon, all its caller depends on), or -1 when the value is no string; then where the
 * value is.
 */
export const R_VPC = 15;
export const R_VPC_START = 16;
export const R_VPC_END = 17;
export const R_PRINCIPAL = 18;
export const R_PRINCIPAL_START = 19;
export const R_PRINCIPAL_END = 20;
export const RECORD_SLOTS = 21;
