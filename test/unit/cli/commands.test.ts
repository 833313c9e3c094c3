import { runUsage } from "../../../src/cli/run";
import { shellUsage } from "../../../src/cli/shell";
import { subcommands } from "../../../src/cli/commands";
import { validateUsage } from "../../../src/cli/validate";

describe("the subcommand table", () => {
  it("shows the same usage as each subcommand's own file", () => {
    expect(subcommands.run?.usage).toBe(runUsage);
    expect(subcommands.validate?.usage).toBe(validateUsage);
    expect(subcommands.shell?.usage).toBe(shellUsage);
  });
});
