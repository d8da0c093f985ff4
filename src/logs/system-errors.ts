/** Node's system errors (ENOENT, EACCES, …) in words a user reads in a message. */
import { errorMessage } from '../errors.js';

export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

const SYSTEM_ERRORS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'it is a directory',
  ENOENT: 'no such file or directory',
  ELOOP: 'too many symbolic links',
  EIO: 'input/output error',
};

export function describeSystemError(error: unknown): string {
  const code = errorCode(error);
  if (code && SYSTEM_ERRORS[code]) return `${code}: ${SYSTEM_ERRORS[code]}`;
  return code ?? errorMessage(error);
}
