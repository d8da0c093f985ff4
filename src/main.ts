/**
 * The action: read inputs, run the pipeline, publish, set outputs.
 * The AWS sources (issue #3) and GitHub publishing (issue #4) are not built yet, so the action
 * stops with a clear message instead of publishing a report without data.
 */
import * as core from '@actions/core';

export async function run(): Promise<void> {
  const region = core.getInput('aws-region');
  if (!region) {
    core.setFailed(
      'Input aws-region is required: set it to the region of your VPC Lattice service network, e.g. us-east-1.',
    );
    return;
  }
  core.setFailed(
    'This version of lattice-cost-report reads only local log files (the CLI). The AWS data sources are not available yet.',
  );
}
