import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * Replaces the section of a Markdown file that starts with `heading` (up to the next `## ` heading), or appends it:
 * each benchmark rewrites only its own section of docs/benchmarks.md.
 */
export function writeDocsSection(path: string, heading: string, text: string): void {
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n';
  const start = current.indexOf(`${heading}\n`);
  if (start === -1) {
    writeFileSync(path, `${current.trimEnd()}\n\n${text}`);
    return;
  }
  const next = current.indexOf('\n## ', start + heading.length);
  const rest = next === -1 ? '' : `\n${current.slice(next + 1)}`;
  writeFileSync(path, `${current.slice(0, start)}${text}${rest}`);
}
