import { SlackConfigError } from "../../src/adapters/slack";
import { ConfigError } from "../../src/config/env";
import { StartupError, startupFailureText } from "../../src/main";

describe("startupFailureText", () => {
  it("lists configuration problems one a line, without a stack trace", () => {
    const text = startupFailureText(new ConfigError(["PORT: a whole number", "REDIS_URL: bad"]));
    expect(text).toBe("incident-bot: cannot start\n  PORT: a whole number\n  REDIS_URL: bad\n");
  });

  it("prints a refused Slack setting as its message alone", () => {
    const text = startupFailureText(new SlackConfigError("SLACK_BOT_TOKEN: Slack refused it"));
    expect(text).toBe("incident-bot: cannot start\n  SLACK_BOT_TOKEN: Slack refused it\n");
    expect(text).not.toContain("    at ");
  });

  it("lists inventory and playbook problems the same way", () => {
    const text = startupFailureText(new StartupError(["inventory.yml: hosts: required"]));
    expect(text).toBe("incident-bot: cannot start\n  inventory.yml: hosts: required\n");
  });

  it("keeps the stack of anything else, which is a bug to report", () => {
    expect(startupFailureText(new TypeError("x is undefined"))).toContain("    at ");
  });
});
