import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The folder holding the nearest package.json above `dir` (works from `src/` and from compiled `dist/src/`). */
export function packageRoot(dir: string): string {
  for (let current = dir; ; current = dirname(current)) {
    if (existsSync(join(current, 'package.json'))) return current;
    if (dirname(current) === current) throw new Error(`no package.json above ${dir}`);
  }
}
