// For the tests that hold the README to the contract: the rows of the tables in README.md's
// "## HTTP API and errors" section (routes and error codes), cells trimmed.
import { readFileSync } from 'node:fs';

/** Every `| a | b | … |` row of that section whose first cell matches `first`. */
export function readmeApiRows(first: RegExp): string[][] {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.split('\n## HTTP API and errors\n')[1]?.split('\n## ')[0];
  if (section === undefined) throw new Error('README.md has no "## HTTP API and errors" section');
  return section
    .split('\n')
    .filter((l) => l.startsWith('| ') && first.test(l.slice(2).split(' | ')[0] ?? ''))
    .map((l) => l.slice(1, -1).split(' | ').map((c) => c.trim()));
}
