/**
 * A full garbage collection between the stages of a local analysis. V8 grows the heap lazily: at
 * thousands of services the scan's and the analysis's garbage was still uncollected when the next
 * stage allocated, and the process peaked at about twice the live data (5,000 services x 30 days:
 * 418 MB, of which ~150 MB live). One collection at each boundary costs tens of milliseconds.
 * `gc` is exposed the way Node documents for V8 flags (v8.setFlagsFromString, "node:v8"); should a
 * runtime refuse it, nothing is collected early and nothing else changes.
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | null | undefined;
/** Heap in use after the last collection here. */
let liveAfterCollection = 0;

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
  if (!collect) return;
  collect();
  liveAfterCollection = getHeapStatistics().used_heap_size;
}

/** Growth of the heap in use, over what was live, that collectGarbageIfGrown lets pass. */
const GROWTH = 1.25;
const GROWTH_SLACK_BYTES = 16 * 2 ** 20;

/**
 * collectGarbage, when the heap in use has grown by a quarter (and 16 MiB) since the last one: for
 * the long stages (the scan, and the analysis as it drops each service's days), called often and
 * cheap when nothing is collected. Where the days grow or are dropped, V8 would otherwise let the
 * heap reach about twice what is live before it looked.
 */
export function collectGarbageIfGrown(): void {
  const used = getHeapStatistics().used_heap_size;
  if (used > liveAfterCollection * GROWTH + GROWTH_SLACK_BYTES) {
    collectGarbage();
  }
}
