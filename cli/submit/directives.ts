// Reads `#GSCHED` option lines from a batch script, the way sbatch reads `#SBATCH`: only
// from the leading block of comments (after the shebang); the first command ends it.
import { CliError } from '../errors.js';

export interface Directive {
  /** 1-based line number in the script, for error messages. */
  line: number;
  /** The line's words after `#GSCHED`, with shell quoting removed. */
  args: string[];
}

export function parseDirectives(script: string): Directive[] {
  const out: Directive[] = [];
  const lines = script.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '') continue;
    if (!line.startsWith('#')) break; // first command: later #GSCHED lines are plain comments
    const m = /^#GSCHED(?:\s+(.*))?$/.exec(line);
    if (!m) continue; // shebang or an ordinary comment
    const args = splitWords(m[1] ?? '', i + 1);
    if (args.length > 0) out.push({ line: i + 1, args });
  }
  return out;
}

/** Splits a line into words with sh-like quotes and backslashes; an unquoted `#` starts a comment. */
export function splitWords(text: string, line = 0): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote !== null) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && (text[i + 1] === '"' || text[i + 1] === '\\')) cur += text[++i];
      else cur += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      cur += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else if (c === '#' && !inWord) {
      break;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote !== null) throw new CliError(`#GSCHED line ${line}: unterminated ${quote} quote`, 2);
  if (inWord) words.push(cur);
  return words;
}
