// A Jest reporter for progress in the long end-to-end files: Jest prints a file's results only when
// the whole file ends (a minute or more for these), so this prints each test as it finishes.
import { relative } from 'node:path';

const LONG_PROJECTS = new Set(['e2e']);

export default class ProgressReporter {
  #long(test) {
    return LONG_PROJECTS.has(test.context.config.displayName?.name);
  }

  onTestFileStart(test) {
    if (this.#long(test)) process.stderr.write(`started ${relative(process.cwd(), test.path)}\n`);
  }

  onTestCaseResult(test, result) {
    if (!this.#long(test)) return;
    const mark = result.status === 'passed' ? '✓' : result.status === 'failed' ? '✕' : '-';
    const seconds = result.duration == null ? '' : ` (${(result.duration / 1000).toFixed(1)} s)`;
    const file = relative(process.cwd(), test.path).replace(/^test\/e2e\//, '');
    process.stderr.write(`  ${mark} ${file} › ${result.fullName}${seconds}\n`);
  }
}
