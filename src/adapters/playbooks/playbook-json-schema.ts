import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import { Playbook } from "../../domain/playbook";

/**
 * The JSON Schema of playbooks/*.yaml, from the zod schema, for editors (yaml-language-server:
 * `# yaml-language-server: $schema=../schema/playbook.schema.json`). `input` mode: defaults are
 * optional for authors.
 */
export function playbookJsonSchema(): string {
  const schema = z.toJSONSchema(Playbook, { io: "input", target: "draft-2020-12" });
  const document = {
    ...schema,
    $id: "https://incident-bot.invalid/schema/playbook.schema.json",
    title: "incident-bot playbook",
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

export const PLAYBOOK_SCHEMA_PATH = "schema/playbook.schema.json";

/** `npm run schema`: rewrites schema/playbook.schema.json (a test checks it is up to date). */
if (require.main === module) {
  const path = resolve(process.argv[2] ?? PLAYBOOK_SCHEMA_PATH);
  writeFileSync(path, playbookJsonSchema());
  process.stdout.write(`wrote ${path}\n`);
}
