/**
 * Control characters a terminal would obey: C0 except tab and newline, DEL, and C1 (0x9b is a
 * CSI by itself on some terminals). ESC among them starts every colour, cursor and title sequence.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * The one rule for foreign text in the terminal: everything the shell prints (host output, log
 * lines, titles, notes, what was typed) is shown as it is, minus the control characters, so no
 * host or chat user can move the cursor, recolour, retitle or clear the operator's terminal.
 * Nothing else is read into the text: the lifecycle writes plain text, never markup.
 */
export function terminalText(text: string): string {
  return text.replace(CONTROL, "");
}
