import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { healthRoute, type HealthReport } from "../../../../src/adapters/http/health-route";

let server: Server;
let url: string;
let health: () => Promise<HealthReport>;

beforeAll(async () => {
  const route = healthRoute(() => health());
  server = createServer((request, response) => void route.handle(request, response));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

async function get(): Promise<{ status: number; body: unknown; text: string }> {
  const response = await fetch(url);
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) as unknown, text };
}

describe("GET /healthz", () => {
  it("answers 200 with every check ok", async () => {
    health = async () => ({ ok: true, checks: { redis: "ok", workers: "ok" } });
    expect(await get()).toMatchObject({
      status: 200,
      body: { status: "ok", checks: { redis: "ok", workers: "ok" } },
    });
  });

  it("names the failing check without the Redis client's own error text", async () => {
    const raw = "connect ECONNREFUSED 10.1.2.3:6380 (NOAUTH Authentication required.)";
    health = async () => ({ ok: false, checks: { redis: raw, workers: "ok" } });
    const answer = await get();
    expect(answer.status).toBe(503);
    expect(answer.body).toEqual({
      status: "unavailable",
      checks: { redis: "failing", workers: "ok" },
    });
    expect(answer.text).not.toContain("10.1.2.3");
    expect(answer.text).not.toContain("ECONNREFUSED");
  });

  it("says the health check itself fails when it throws, not what it threw", async () => {
    health = async () => {
      throw new Error("redis://:s3cret@10.1.2.3:6380 is down");
    };
    const answer = await get();
    expect(answer).toMatchObject({
      status: 503,
      body: { status: "unavailable", checks: { health: "failing" } },
    });
    expect(answer.text).not.toContain("s3cret");
  });

  it("never says ok while a check is not", async () => {
    health = async () => ({ ok: true, checks: { redis: "ok", workers: "1 of 5 stopped" } });
    expect(await get()).toMatchObject({
      status: 503,
      body: { status: "unavailable", checks: { redis: "ok", workers: "failing" } },
    });
  });
});
