import { request } from "node:http";

/** The status hit() reports for a request that got no HTTP status (timeout, reset, refused). */
export const NO_RESPONSE = 0;

export interface HitOptions {
  /** Requests in flight at once (default 1: one after the other, so logs keep their order). */
  concurrency?: number;
  /** Per request, from connect to the end of the body (default 10 000 ms). */
  timeoutMs?: number;
  /** Aborts every request still running; they report NO_RESPONSE. */
  signal?: AbortSignal;
}

/** Sends n GET requests to http://address:80/path, each on a fresh connection; statuses in order. */
export async function sendRequests(
  address: string,
  n: number,
  path: string,
  options: HitOptions = {},
): Promise<number[]> {
  const statuses = new Array<number>(n).fill(NO_RESPONSE);
  const concurrency = Math.max(1, Math.min(options.concurrency ?? 1, n));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      const index = next++;
      statuses[index] = await getStatus(address, path, options);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return statuses;
}

function getStatus(address: string, path: string, options: HitOptions): Promise<number> {
  return new Promise((resolve) => {
    if (options.signal?.aborted) {
      resolve(NO_RESPONSE);
      return;
    }
    let status = NO_RESPONSE;
    let settled = false;
    const settle = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(status);
    };
    const req = request(
      {
        host: address,
        port: 80,
        path,
        method: "GET",
        agent: false,
        headers: { "User-Agent": "incident-lab/1", Connection: "close" },
        signal: options.signal,
      },
      (res) => {
        // A status line reached us: that is what the client saw, even if the body breaks off later.
        status = res.statusCode ?? NO_RESPONSE;
        res.on("error", settle);
        res.on("close", settle);
        res.resume();
      },
    );
    const timer = setTimeout(() => {
      req.destroy(new Error("client timeout"));
      settle();
    }, options.timeoutMs ?? 10_000);
    req.on("error", settle);
    req.on("close", () => {
      if (status === NO_RESPONSE) settle();
    });
    req.end();
  });
}
