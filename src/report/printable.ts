/**
 * Text for a terminal, whatever a host sent: versions, node replies and
 * command output may carry escape sequences that move the cursor, retitle the
 * window or hide lines. Every control character becomes visible (`\x1b`),
 * except newlines, tabs and the colour codes hotup's own Style writes.
 */
const OWN_COLOURS = /\u001b\[(?:0|1|2|31|32|33|36)m/y;
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

export function printable(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    OWN_COLOURS.lastIndex = i;
    const own = OWN_COLOURS.exec(text);
    if (own) {
      out += own[0];
      i += own[0].length - 1;
      continue;
    }
    const c = text[i]!;
    out += CONTROL.test(c) ? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}` : c;
  }
  return out;
}
