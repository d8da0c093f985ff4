/**
 * A full garbage collection between the stages of a local analysis. V8 grows the heap lazily: at
 * thousands of services the scan's and the analysis's garbage was still uncollected when the next
 * stage allocated, and the process peaked at about twice the live data (5,000 services x 30 days:
 * 418 MB, of which ~150 MB live). One collection at each boundary costs tens of milliseconds.
 * `gc` is exposed the way Node documents for V8 flags (v8.setFlagsFromString, "node:v8"); should a
 * runtime refuse it, nothing is collected early and nothing else changes.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | null | undefined;

export function collectGarbage(): void {
  if (collect === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      const gc: unknown = runInNewContext('gc');
      collect = typeof gc === 'function' ? (gc as () => void) : null;
    } catch {
      collect = null;
    }
  }
  collect?.();
}
