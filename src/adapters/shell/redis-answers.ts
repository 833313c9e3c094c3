import { connect as connectTcp, type Socket } from "node:net";
import { connect as connectTls } from "node:tls";

/**
 * Does anything answer Redis's PING at this URL within `timeoutMs`? Any reply counts (a -NOAUTH
 * error still proves a Redis is there), so the shell can say in one line how to get one before it
 * builds queues that would otherwise retry forever.
 */
export function redisAnswers(url: string, timeoutMs = 2000): Promise<boolean> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    return Promise.reject(new Error(`REDIS_URL is not a URL (${String(error)}): ${url}`));
  }
  const host = parsed.hostname.replace(/^\[|\]$/g, "") || "127.0.0.1";
  const port = Number(parsed.port || 6379);
  return new Promise((resolve) => {
    const socket: Socket =
      parsed.protocol === "rediss:"
        ? connectTls({ host, port, servername: host })
        : connectTcp({ host, port });
    const finish = (answered: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answered);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.once(parsed.protocol === "rediss:" ? "secureConnect" : "connect", () =>
      socket.write("PING\r\n"),
    );
    socket.once("data", (data: Buffer) => finish(/^[+-]/.test(data.toString())));
    socket.once("error", () => finish(false));
  });
}

/** The one line the shell prints when no Redis answers. */
export function noRedisMessage(url: string): string {
  const port = safePort(url);
  return (
    `No Redis at ${redact(url)}: start one with 'redis-server --port ${port} --save ""' ` +
    "or set REDIS_URL (npm run demo starts a private one)"
  );
}

function safePort(url: string): string {
  try {
    return new URL(url).port || "6379";
  } catch {
    // Not a URL: the suggestion falls back to Redis's default port.
    return "6379";
  }
}

/** A password in REDIS_URL never reaches the terminal. */
export function redact(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, "//***@");
}
