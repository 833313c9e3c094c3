import { terminalText } from "../../../../src/adapters/shell/plain-text";

describe("terminalText", () => {
  it.each([
    ["colour \u001b[31mred\u001b[0m", "colour [31mred[0m"],
    ["title \u001b]0;pwned\u0007 set", "title ]0;pwned set"],
    ["clear \u001b[2J\u001b[H", "clear [2J[H"],
    ["overwrite\rfake line", "overwritefake line"],
    ["C1 CSI \u009b31m", "C1 CSI 31m"],
    ["bell\u0007 and DEL\u007f", "bell and DEL"],
  ])("drops the control characters of %j", (input, expected) => {
    expect(terminalText(input)).toBe(expected);
  });

  it("keeps newlines, tabs and text that only looks like markup", () => {
    const text = "a\tb\nc <@U123> &lt; *bold* <!channel> é ✓";
    expect(terminalText(text)).toBe(text);
  });
});
