import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { playbookJsonSchema } from "../../../../src/adapters/playbooks/playbook-json-schema";

describe("the exported playbook JSON Schema", () => {
  it("is up to date with the zod schema (run `npm run build && npm run schema` when it is not)", () => {
    const committed = readFileSync(
      resolve(__dirname, "../../../../schema/playbook.schema.json"),
      "utf8",
    );
    expect(JSON.parse(committed)).toEqual(JSON.parse(playbookJsonSchema()));
  });

  it("describes the four step kinds and the phases", () => {
    const text = playbookJsonSchema();
    for (const kind of ["diagnostic", "check", "remediation", "manual"])
      expect(text).toContain(`"${kind}"`);
    for (const phase of ["immediate", "short-term", "long-term"])
      expect(text).toContain(`"${phase}"`);
  });
});
