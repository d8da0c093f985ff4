/** Whether a run covers a fleet: settings only, so the action can tell before the pipeline runs. */

interface Coverage {
  region: string;
  regions?: readonly string[];
  accounts?: readonly unknown[] | 'organization';
}

/** More than the credentials' own account in one region. */
export function isFleet(options: Coverage): boolean {
  return (
    (options.regions?.length ?? 0) > 1 ||
    options.accounts === 'organization' ||
    (options.accounts?.length ?? 0) > 0 ||
    (options.regions?.length === 1 && options.regions[0] !== options.region)
  );
}
