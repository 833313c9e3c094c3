// Renders docs/apache-mod-proxy-messages.md from docs/apache-mod-proxy-messages.json.
//   node scripts/apache-mod-proxy-messages.mjs && npx prettier --write docs/apache-mod-proxy-messages.md
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const docs = join(dirname(fileURLToPath(import.meta.url)), "..", "docs");
const catalogue = JSON.parse(readFileSync(join(docs, "apache-mod-proxy-messages.json"), "utf8"));

const cell = (text) => String(text).replaceAll("|", "\\|").replaceAll("\n", " ");
const code = (text) => (text ? `\`${cell(text).replaceAll("`", "'")}\`` : "");

function causeOf(message) {
  if (message.causeByErrno) {
    return Object.entries(message.causeByErrno)
      .map(([errno, cause]) => `${errno === "default" ? "other" : `(${errno})`} → ${cause ?? "—"}`)
      .join("; ");
  }
  if (message.causeByMessage) {
    return message.causeByMessage.map((v) => `"${v.text}" → ${v.cause ?? "—"}`).join("; ");
  }
  return message.cause ?? "—";
}

const scopes = Object.keys(catalogue.scopes);
const lines = [
  "# Apache mod_proxy messages and what they mean",
  "",
  "Generated from `apache-mod-proxy-messages.json` by `scripts/apache-mod-proxy-messages.mjs`; edit the JSON.",
  "",
  catalogue.about,
  "",
  `Source: ${catalogue.source.repository}, branch ${catalogue.source.branch}, commit ` +
    `\`${catalogue.source.commit}\`. Lines captured with ${catalogue.capturedWith}.`,
  "",
  "Causes are the bot's vocabulary (`src/domain/cause.ts`). **bot**: whether the bot's error-log",
  "rules give the same cause today (`differs` = a gap for the rules to close).",
  "",
];
for (const scope of scopes) {
  const messages = catalogue.messages.filter((m) => m.scope === scope);
  if (messages.length === 0) continue;
  lines.push(`## ${scope}: ${catalogue.scopes[scope]} (${messages.length})`, "");
  if (scope === "backend") {
    lines.push("| code | level | message | cause | bot | provoked by | real line |");
    lines.push("| --- | --- | --- | --- | --- | --- | --- |");
    for (const m of messages) {
      const real = m.captured[0]?.line.replace(/^\[[^\]]*\] /, "") ?? "";
      const provoked = m.provokedBy.join(", ") || "—";
      const note = m.note ? ` (${cell(m.note)})` : "";
      lines.push(
        `| ${m.code} | ${m.level} | ${code(m.text)}${note} | ${cell(causeOf(m))} | ${m.bot ?? ""} | ${cell(provoked)} | ${code(real.slice(0, 240))} |`,
      );
    }
  } else {
    lines.push("| code | level | message | note |", "| --- | --- | --- | --- |");
    for (const m of messages) {
      lines.push(`| ${m.code} | ${m.level} | ${code(m.text)} | ${cell(m.note ?? "")} |`);
    }
  }
  lines.push("");
}
writeFileSync(join(docs, "apache-mod-proxy-messages.md"), lines.join("\n"));
