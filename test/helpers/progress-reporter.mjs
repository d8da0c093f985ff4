// A Jest reporter for progress in the long end-to-end files: Jest prints a file's results only when
// the whole file ends (a minute or more for these), so this prints each e2e test as it finishes.
import { relative } from 'node:path';

const E2E = 'test/e2e/';

// By path: the project config Jest hands to onTestCaseResult is not always the test's own.
const e2eFile = (test) => {
  const file = relative(process.cwd(), test.path);
  return file.startsWith(E2E) ? file.slice(E2E.length) : undefined;
};

export default class ProgressReporter {
  onTestFileStart(test) {
    const file = e2eFile(test);
    if (file) process.stderr.write(`started ${E2E}${file}\n`);
  }

  onTestCaseResult(test, result) {
    const file = e2eFile(test);
    if (!file) return;
    const mark = result.status === 'passed' ? '✓' : result.status === 'failed' ? '✕' : '-';
    const seconds = result.duration == null ? '' : ` (${(result.duration / 1000).toFixed(1)} s)`;
    process.stderr.write(`  ${mark} ${file} › ${result.fullName}${seconds}\n`);
  }
}
