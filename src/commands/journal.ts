/** The journal on a host: one JSON line per mutating step, appended. Pure. */

export function journalPath(root: string): string {
  return `${root}/releases/hotup-journal.jsonl`;
}

export function readJournalArgv(root: string, last: number): string[] {
  return ['sh', '-c', '[ -f "$1" ] || exit 0; tail -n "$2" "$1"', 'hotup', journalPath(root), String(last)];
}
