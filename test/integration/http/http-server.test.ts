import { readBody, sendJson, startHttpServer, type HttpServer } from "../../../src/adapters/http";

describe("the server on PORT routes by method and path", () => {
  let server: HttpServer;
  let base: string;
  const logs: string[] = [];

  beforeAll(async () => {
    server = await startHttpServer({
      port: 0,
      host: "127.0.0.1",
      routes: [
        { method: "GET", path: "/hello", handle: (_req, res) => sendJson(res, 200, { hi: true }) },
        {
          method: "POST",
          path: "/echo",
          handle: async (req, res) => sendJson(res, 200, { got: (await readBody(req)).toString() }),
        },
        {
          method: "GET",
          path: "/broken",
          handle: () => Promise.reject(new Error("boom")),
        },
      ],
      log: (message, details) => logs.push(`${message} ${JSON.stringify(details)}`),
    });
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(() => server.close());

  test("a known route answers, whatever the query string", async () => {
    const response = await fetch(`${base}/hello?x=1`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ hi: true });
  });

  test("a body reaches the route as sent", async () => {
    const response = await fetch(`${base}/echo`, { method: "POST", body: "a=1&b=2" });
    expect(await response.json()).toEqual({ got: "a=1&b=2" });
  });

  test("an unknown path is 404 and a known path with another method 405", async () => {
    expect((await fetch(`${base}/nothing`)).status).toBe(404);
    const wrong = await fetch(`${base}/hello`, { method: "POST", body: "" });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("GET");
  });

  test("a route that throws answers 500 and is logged, and the server goes on", async () => {
    expect((await fetch(`${base}/broken`)).status).toBe(500);
    expect(logs.join("\n")).toContain("boom");
    expect((await fetch(`${base}/hello`)).status).toBe(200);
  });
});
