/**
 * The action keeps its day cache between workflow runs with @actions/cache: the newest saved
 * directory for this report is restored before the run and saved under a new key after it.
 * A cache problem is a warning, never a failure: the report is the same without it.
 */
import { isFeatureAvailable, restoreCache, saveCache } from '@actions/cache';
import { errorMessage } from '../errors.js';

export interface ActionsCacheOptions {
  dir: string;
  /** Stable per report (region, network, log groups); runs of other reports never share entries. */
  scope: string;
  runId: string;
  runAttempt: string;
  log: { info(message: string): void; warning(message: string): void };
}

const PREFIX = 'lattice-cost-report-v1';

/** Whether the runner offers its cache service; a local run or an old GHES may not. */
export function cacheServiceAvailable(): boolean {
  return isFeatureAvailable();
}

function prefix(scope: string): string {
  return `${PREFIX}-${scope}-`;
}

export async function restoreDayCache(options: ActionsCacheOptions): Promise<void> {
  try {
    const key = `${prefix(options.scope)}${options.runId}-${options.runAttempt}`;
    const hit = await restoreCache([options.dir], key, [prefix(options.scope)]);
    options.log.info(hit ? `Restored the day cache ${hit}.` : 'No day cache yet: every day is queried.');
  } catch (error) {
    options.log.warning(
      `The day cache could not be restored (${errorMessage(error)}); every day is queried.`,
    );
  }
}

export async function saveDayCache(options: ActionsCacheOptions): Promise<void> {
  try {
    // Cache entries are immutable: each run that learned something saves a new one.
    await saveCache([options.dir], `${prefix(options.scope)}${options.runId}-${options.runAttempt}`);
  } catch (error) {
    options.log.warning(
      `The day cache could not be saved (${errorMessage(error)}); the next run queries more days.`,
    );
  }
}
