/** The journal on a host: one JSON line per mutating step, appended. Pure. */

export function journalPath(root: string): string {
  return `${root}/releases/hotup-journal.jsonl`;
}

/** O_APPEND writes of one short line do not interleave between writers. */
export function appendJournalArgv(root: string, line: string): string[] {
  return ['sh', '-c', 'printf "%s\\n" "$2" >> "$1"', 'hotup', journalPath(root), line];
}

export function readJournalArgv(root: string, last: number): string[] {
  return ['sh', '-c', '[ -f "$1" ] || exit 0; tail -n "$2" "$1"', 'hotup', journalPath(root), String(last)];
}
