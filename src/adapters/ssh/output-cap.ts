/**
 * Keeps the first `limit` bytes of a stream and only counts the rest, so a command that prints a
 * whole log cannot fill memory; the text ends with a visible marker when anything was dropped.
 */
export class OutputCap {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private dropped = 0;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    const room = this.limit - this.kept;
    if (room > 0) {
      const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
      // Copy: the transport may reuse its buffers.
      this.chunks.push(Buffer.from(part));
      this.kept += part.length;
    }
    this.dropped += Math.max(0, chunk.length - Math.max(0, room));
  }

  get truncated(): boolean {
    return this.dropped > 0;
  }

  text(): string {
    return capText(Buffer.concat(this.chunks), this.limit, this.dropped);
  }
}

/** The kept bytes as text, with the visible marker when `dropped` bytes were cut off. */
export function capText(kept: Buffer, limit: number, dropped: number): string {
  const body = kept.toString("utf8");
  if (dropped <= 0) return body;
  const newline = body.endsWith("\n") || body === "" ? "" : "\n";
  return `${body}${newline}…[output truncated after ${limit} bytes; ${dropped} more bytes dropped]\n`;
}
