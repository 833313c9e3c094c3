import { parseShellArgs } from "../../../../src/adapters/shell/shell-args";

describe("parseShellArgs", () => {
  it("reads --user and --channel in both spellings", () => {
    expect(parseShellArgs(["--user", "U123", "--channel=war-room"])).toEqual({
      ok: true,
      args: { user: "U123", channel: "#war-room" },
    });
  });

  it("defaults to a user name and #ops", () => {
    const parsed = parseShellArgs([]);
    expect(parsed.ok && parsed.args.channel).toBe("#ops");
    expect(parsed.ok && parsed.args.user.length > 0).toBe(true);
  });

  it.each([[["--user"]], [["--colour", "red"]], [["--user", "no spaces"]], [["--channel", "#"]]])(
    "refuses %j with a usage line",
    (argv) => {
      const parsed = parseShellArgs(argv);
      expect(parsed.ok).toBe(false);
    },
  );
});
