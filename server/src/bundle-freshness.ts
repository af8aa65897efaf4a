import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

function modifiedMs(url: URL): number | undefined {
  try {
    return statSync(fileURLToPath(url)).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Whether `bundle` exists and is at least as new as `buildInfo` (or there is no build info: an installed package). */
export function bundleIsCurrent(bundle: URL, buildInfo: URL): boolean {
  const bundled = modifiedMs(bundle);
  if (bundled === undefined) return false;
  const built = modifiedMs(buildInfo);
  return built === undefined || bundled >= built;
}
