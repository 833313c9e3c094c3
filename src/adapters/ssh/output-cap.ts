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
    const body = Buffer.concat(this.chunks).toString("utf8");
    if (!this.truncated) return body;
    const newline = body.endsWith("\n") || body === "" ? "" : "\n";
    return `${body}${newline}…[output truncated after ${this.limit} bytes; ${this.dropped} more bytes dropped]\n`;
  }
}
