import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { Cause } from "../../../src/domain/cause";
import { parseErrorLogLine } from "../../../src/domain/proxies/apache/error-log";
import { classifyErrorLogEntry } from "../../../src/domain/proxies/apache/error-log-rules";

/**
 * docs/apache-mod-proxy-messages.json is Apache's own mod_proxy catalogue, classified. For every
 * message about a backend it records whether the bot's error-log rules give the same cause, for
 * each line real Apache wrote in the lab and for a line built from the catalogue's format (one
 * per errno or message variant the classification names). This keeps that record true: when a
 * rule changes, the test names the messages whose record to update.
 */
const ROOT = join(__dirname, "..", "..", "..");
const CATALOGUE = join(ROOT, "docs", "apache-mod-proxy-messages.json");

const causeOrNone = Cause.nullable();
const message = z.object({
  code: z.string().regex(/^AH\d{5}$/),
  source: z.string(),
  level: z.string(),
  text: z.string(),
  scope: z.enum(["backend", "client-request", "configuration", "proxy-internal", "tunnel"]),
  cause: causeOrNone,
  causeByErrno: z.record(z.string(), causeOrNone).optional(),
  causeByMessage: z.array(z.object({ text: z.string(), cause: causeOrNone })).optional(),
  causeRule: z.string().optional(),
  note: z.string().optional(),
  bot: z.enum(["same", "differs"]).optional(),
  provokedBy: z.array(z.string()),
  captured: z.array(z.object({ fixture: z.string(), line: z.string() })),
});
type Message = z.infer<typeof message>;
const catalogue = z.object({ messages: z.array(message) });

const messages = catalogue.parse(JSON.parse(readFileSync(CATALOGUE, "utf8"))).messages;
const backend = messages.filter((entry) => entry.scope === "backend");

const ERRNO_TEXT: Readonly<Record<string, string>> = {
  "111": "Connection refused",
  "110": "Connection timed out",
  "70007": "The timeout specified has expired",
  "104": "Connection reset by peer",
  "32": "Broken pipe",
  "20014": "Internal error (specific information not available)",
  "70014": "End of file found",
  "22": "Invalid argument",
  "113": "No route to host",
  "101": "Network is unreachable",
  "24": "Too many open files",
  "2": "No such file or directory",
  "EAI 2": "Name or service not known",
  "EAI 3": "Temporary failure in name resolution",
};

const MODULE_OF: Readonly<Record<string, string>> = {
  "mod_proxy.c": "proxy",
  "proxy_util.c": "proxy",
  "mod_proxy_http.c": "proxy_http",
  "mod_proxy_balancer.c": "proxy_balancer",
};

/** A line in Apache's default ErrorLogFormat, from the catalogue's format string. */
function lineFromFormat(entry: Message, errno: string | null, text = entry.text): string {
  const file = entry.source.split("/").pop()?.split(":")[0] ?? "";
  const level = entry.level.split(" ")[0];
  const filled = text
    .replaceAll("%pI", "127.0.0.1:9000")
    .replace(/%(?:\d+|\.\*)?[-#+ 0]*(?:hu|ld|lu|d|i|s|u|pp)/g, (spec) =>
      /[dui]$/.test(spec) ? "9000" : "upstream.example:9000",
    )
    .replaceAll("%%", "%");
  const cause = errno === null ? "" : `(${errno})${ERRNO_TEXT[errno] ?? "Unknown error"}: `;
  return (
    `[Thu Dec 03 10:00:00.000000 2026] [${MODULE_OF[file] ?? "proxy"}:${level}] [pid 1:tid 2] ` +
    `${cause}[client 127.0.0.1:50000] ${entry.code}: ${filled}`
  );
}

interface Sample {
  line: string;
  expected: Cause | null;
  origin: string;
}

function expectedFor(entry: Message, errno: string | null, messageText: string): Cause | null {
  if (entry.causeByErrno) {
    const byErrno = entry.causeByErrno;
    return (errno !== null ? byErrno[errno] : undefined) ?? byErrno.default ?? null;
  }
  if (entry.causeByMessage) {
    return (
      entry.causeByMessage.find((variant) => messageText.includes(variant.text))?.cause ?? null
    );
  }
  return entry.cause;
}

function samplesOf(entry: Message): Sample[] {
  const samples: Sample[] = entry.captured.map((captured) => {
    const parsed = parseErrorLogLine(captured.line, null);
    return {
      line: captured.line,
      expected: expectedFor(entry, parsed?.errno ?? null, parsed?.message ?? captured.line),
      origin: captured.fixture,
    };
  });
  if (entry.causeByErrno) {
    for (const errno of Object.keys(entry.causeByErrno).filter((key) => key !== "default")) {
      const line = lineFromFormat(entry, errno);
      samples.push({ line, expected: expectedFor(entry, errno, ""), origin: `format, (${errno})` });
    }
  } else if (entry.causeByMessage) {
    for (const variant of entry.causeByMessage) {
      const line = lineFromFormat(entry, null, `${variant.text} returned by /api/`);
      samples.push({ line, expected: variant.cause, origin: `format, "${variant.text}"` });
    }
  } else {
    samples.push({ line: lineFromFormat(entry, null), expected: entry.cause, origin: "format" });
  }
  return samples;
}

function botCause(line: string): Cause | null {
  const entry = parseErrorLogLine(line, null);
  if (entry === null) throw new Error(`the bot's parser does not read: ${line}`);
  return classifyErrorLogEntry(entry)?.cause ?? null;
}

function disagreements(entry: Message): string[] {
  return samplesOf(entry)
    .map((sample) => ({ sample, got: botCause(sample.line) }))
    .filter(({ sample, got }) => got !== sample.expected)
    .map(({ sample, got }) => `${sample.origin}: expected ${sample.expected}, bot says ${got}`);
}

describe("Apache's mod_proxy message catalogue (docs/apache-mod-proxy-messages.json)", () => {
  it("lists each AH code once and classifies every backend message somehow", () => {
    const codes = messages.map((entry) => entry.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const entry of backend) {
      const classified =
        entry.cause !== null ||
        entry.causeByErrno !== undefined ||
        entry.causeByMessage !== undefined;
      // A backend message with no cause says why (an informational line).
      expect(classified || entry.note !== undefined).toBe(true);
      expect(entry.bot).toBeDefined();
    }
  });

  it("keeps a real line for every message a lab mode or provocation names", () => {
    for (const entry of messages.filter((candidate) => candidate.provokedBy.length > 0)) {
      expect({ code: entry.code, captured: entry.captured.length > 0 }).toEqual({
        code: entry.code,
        captured: true,
      });
    }
  });

  it("records truly whether the bot's error-log rules give each backend message's cause", () => {
    const wrongRecords = backend
      .map((entry) => ({ entry, found: disagreements(entry) }))
      .filter(({ entry, found }) => (found.length === 0) !== (entry.bot === "same"))
      .map(({ entry, found }) => `${entry.code} is recorded "${entry.bot}": ${found.join("; ")}`);
    expect(wrongRecords).toEqual([]);
  });

  it("is rendered in docs/apache-mod-proxy-messages.md with every code", () => {
    const markdown = readFileSync(join(ROOT, "docs", "apache-mod-proxy-messages.md"), "utf8");
    for (const entry of messages) expect(markdown).toContain(`| ${entry.code} |`);
  });
});
