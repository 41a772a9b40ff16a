import { resolve } from 'node:path';
import { packageRoot } from '@partnership/service-runtime';

/** bench/gateways, found from src/ or from its compiled copy. */
export const benchPackageDir = packageRoot(__dirname);
/** The repository the benchmark measures. */
export const repoRoot = resolve(benchPackageDir, '..', '..');
