/** Name and version stamped into every report. Bumped by the release process. */
export const TOOL = { name: 'lattice-cost-report', version: '0.1.0' } as const;
