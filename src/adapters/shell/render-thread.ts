/**
 * A thread reply as indented text. Step output can be long; the terminal shows the head of it and
 * says how much it left out, like Slack's "show more".
 */
export const THREAD_LINE_CAP = 4;
export const THREAD_WIDTH_CAP = 200;

export function renderThreadReply(text: string, code?: string, cap = THREAD_LINE_CAP): string[] {
  const lines = text.split("\n").map((line) => `  > ${clip(line)}`);
  if (code === undefined || code.trim() === "") return lines;
  const codeLines = code.replace(/\n+$/, "").split("\n");
  for (const line of codeLines.slice(0, cap)) lines.push(`  |   ${clip(line)}`);
  if (codeLines.length > cap) lines.push(`  |   … ${codeLines.length - cap} more lines`);
  return lines;
}

function clip(line: string): string {
  return line.length > THREAD_WIDTH_CAP ? `${line.slice(0, THREAD_WIDTH_CAP)}…` : line;
}
