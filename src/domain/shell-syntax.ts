/**
 * Follows a command template's shell syntax closely enough to know where each placeholder
 * stands: in plain command text (where one single-quoted word is exactly one literal argument),
 * or somewhere a real shell would read the value again. Nested quoting is tracked as the shell
 * does it: `"$(printf %s {{ x }})"` is plain command text again inside the double quotes.
 *
 * Constructs whose quoting this cannot follow, or that run text as code a second time, are
 * refused outright: `#` comments, here-documents, `$'…'`, backquotes, `eval`, a shell given
 * `-c` (also one started by another command), `ssh`, `case` inside `$(…)`, and placeholders
 * inside `${…}` or arithmetic. Templates come from
 * reviewed playbooks: this guards against mistakes in them, not against their authors.
 */

type Frame =
  | CommandFrame
  | { kind: "single" }
  | { kind: "double" }
  | { kind: "param" }
  | { kind: "arith"; parens: number };

interface CommandFrame {
  kind: "command";
  /** `$(` frames end at their `)`; the template itself at its end. */
  substitution: boolean;
  parens: number;
  word: string;
  wordStarted: boolean;
  wordPlaceholders: string[];
  expectCommand: boolean;
  shell: string | null;
}

/** `NAME=…{{ var }}…`: a shell variable that holds a placeholder's value. */
export interface ShellAssignment {
  name: string;
  variables: string[];
}

const SHELLS = new Set([
  "sh",
  "bash",
  "dash",
  "ash",
  "ksh",
  "mksh",
  "zsh",
  "busybox",
  "su",
  "runuser",
]);
// Words that run the next word as the command.
const WRAPPERS = new Set(["command", "builtin", "exec", "nice", "nohup", "env", "sudo", "timeout"]);
const WRAPPERS_MORE = new Set(["time", "xargs", "setsid", "stdbuf", "ionice", "chroot", "nsenter"]);
const RESERVED = new Set(["if", "then", "else", "elif", "fi", "do", "done", "while", "until"]);
const RESERVED_MORE = new Set(["!", "{", "}", "esac", "in"]);
const PLACEHOLDER_MARK = "\u0000";

export class ShellSyntax {
  readonly problems: string[] = [];
  readonly assignments: ShellAssignment[] = [];
  /** Shell variable names read inside arithmetic (`$(( w * 60 ))` reads `w`). */
  readonly arithmeticNames: string[] = [];
  private readonly stack: Frame[] = [commandFrame(false)];
  private readonly opened: number[] = [];

  /** Reads the template's text at `at`; returns how many characters it took. */
  read(text: string, at: number): number {
    const frame = this.top();
    switch (frame.kind) {
      case "single":
        return this.inSingle(text, at);
      case "double":
        return this.inDouble(text, at);
      case "param":
        return this.inParam(text, at);
      case "arith":
        return this.inArith(frame, text, at);
      case "command":
        return this.inCommand(frame, text, at);
    }
  }

  /** Why a placeholder cannot stand here, or null; `raw` is the placeholder as written. */
  placeholderProblem(raw: string): string | null {
    switch (this.top().kind) {
      case "single":
      case "double":
        return `placeholder ${raw} is inside quotes: values are quoted for you, remove the quotes`;
      case "param":
        return `placeholder ${raw} is inside \${…}: the shell would expand the value again`;
      case "arith":
        return `placeholder ${raw} is inside arithmetic $((…)), which evaluates the value as an expression (and runs $(…) in it): assign it to a shell variable first`;
      case "command":
        return null;
    }
  }

  /** A placeholder stands here (after placeholderProblem said it may). */
  placeholder(name: string): void {
    const frame = this.top();
    if (frame.kind !== "command") return;
    frame.word += PLACEHOLDER_MARK;
    frame.wordStarted = true;
    frame.wordPlaceholders.push(name);
  }

  /** The end of the template: every word ends, every quote must be closed. */
  finish(): void {
    const root = this.stack[0];
    if (this.stack.length > 1) {
      const where = this.opened[this.opened.length - 1] ?? 0;
      this.problem(
        `a quote, $(…), \${…} or $((…)) opened at character ${where + 1} is never closed`,
      );
    }
    if (root?.kind === "command") this.endWord(root, true);
  }

  private top(): Frame {
    return this.stack[this.stack.length - 1] ?? commandFrame(false);
  }

  private push(frame: Frame, at: number): void {
    this.stack.push(frame);
    this.opened.push(at);
  }

  private pop(): void {
    if (this.stack.length > 1) {
      this.stack.pop();
      this.opened.pop();
    }
  }

  /** The command frame a quoted character belongs to (its word grows). */
  private wordFrame(): CommandFrame | null {
    for (let i = this.stack.length - 1; i >= 0; i -= 1) {
      const frame = this.stack[i];
      if (frame?.kind === "command") return frame;
      if (frame?.kind !== "single" && frame?.kind !== "double") return null;
    }
    return null;
  }

  private grow(text: string): void {
    const frame = this.wordFrame();
    if (!frame) return;
    frame.word += text;
    frame.wordStarted = true;
  }

  private problem(message: string): void {
    if (!this.problems.includes(message)) this.problems.push(message);
  }

  private inSingle(text: string, at: number): number {
    if (text[at] === "'") this.pop();
    else this.grow(text[at] ?? "");
    return 1;
  }

  private inDouble(text: string, at: number): number {
    const char = text[at] ?? "";
    if (char === "\\") {
      this.grow(text[at + 1] ?? "");
      return 2;
    }
    if (char === '"') {
      this.pop();
      return 1;
    }
    return this.plain(text, at);
  }

  private inParam(text: string, at: number): number {
    const char = text[at] ?? "";
    if (char === "}") this.pop();
    else if (char === "'") this.push({ kind: "single" }, at);
    else if (char === '"') this.push({ kind: "double" }, at);
    else if (char === "\\") return 2;
    else return this.expansion(text, at) ?? 1;
    return 1;
  }

  private inArith(frame: { parens: number }, text: string, at: number): number {
    const char = text[at] ?? "";
    if (char === "(") frame.parens += 1;
    else if (char === ")" && frame.parens > 0) frame.parens -= 1;
    else if (char === ")") {
      this.pop();
      return text[at + 1] === ")" ? 2 : 1;
    } else if (char === "$" && text[at + 1] === "{") {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(at + 2))?.[0];
      if (name) this.arithmeticNames.push(name);
      return this.expansion(text, at) ?? 1;
    } else if (/[A-Za-z_]/.test(char)) {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(at))?.[0] ?? char;
      this.arithmeticNames.push(name);
      return name.length;
    } else return this.expansion(text, at) ?? 1;
    return 1;
  }

  /** `$(`, `$((`, `${`, backquotes: what opens a new frame anywhere but in single quotes. */
  private expansion(text: string, at: number): number | null {
    const char = text[at];
    if (char === "`") {
      this.problem(
        `"\`" at character ${at + 1}: write $(…) instead of backquotes, whose quoting cannot be checked`,
      );
      return 1;
    }
    if (char !== "$") return null;
    if (text.startsWith("$((", at)) {
      this.grow("$");
      this.push({ kind: "arith", parens: 0 }, at);
      return 3;
    }
    if (text.startsWith("$(", at)) {
      this.grow("$");
      this.push(commandFrame(true), at);
      return 2;
    }
    // `${{ x }}` is a placeholder after "$" (refused by the template), not `${`.
    if (text.startsWith("${", at) && text[at + 2] !== "{") {
      this.grow("$");
      this.push({ kind: "param" }, at);
      return 2;
    }
    return null;
  }

  private inCommand(frame: CommandFrame, text: string, at: number): number {
    const char = text[at] ?? "";
    const next = text[at + 1] ?? "";
    if (char === " " || char === "\t" || char === "\n" || ";&|".includes(char)) {
      this.endWord(frame, !(char === " " || char === "\t"));
      return 1;
    }
    if (char === "<" && next === "<") {
      this.problem(
        `"<<" at character ${at + 1}: a here-document's text is quoted by other rules; write it with printf instead`,
      );
      return 2;
    }
    if (char === "<" || char === ">") {
      this.endWord(frame, false);
      return next === "&" ? 2 : 1;
    }
    if (char === "(") return this.openParen(frame, text, at);
    if (char === ")") {
      this.closeParen(frame);
      return 1;
    }
    if (char === "#" && !frame.wordStarted) {
      this.problem(
        `"#" at character ${at + 1} starts a comment, whose text the shell skips but the quoting check cannot: say it in the step's description`,
      );
      return 1;
    }
    if (char === "'" || char === '"') {
      frame.wordStarted = true;
      this.push({ kind: char === "'" ? "single" : "double" }, at);
      return 1;
    }
    if (char === "\\") {
      this.grow(next === "\n" ? "" : next);
      return 2;
    }
    if (char === "$" && (next === "'" || next === '"')) {
      this.problem(
        `"$${next}" at character ${at + 1}: bash reads $'…' and $"…" by rules of its own; use plain quotes`,
      );
      return 2;
    }
    return this.plain(text, at);
  }

  /** An expansion if one starts here, else one ordinary character of the word. */
  private plain(text: string, at: number): number {
    const taken = this.expansion(text, at);
    if (taken !== null) return taken;
    this.grow(text[at] ?? "");
    return 1;
  }

  private openParen(frame: CommandFrame, text: string, at: number): number {
    if (!frame.wordStarted && text[at + 1] === "(") {
      this.push({ kind: "arith", parens: 0 }, at);
      return 2;
    }
    this.endWord(frame, true);
    frame.parens += 1;
    return 1;
  }

  private closeParen(frame: CommandFrame): void {
    this.endWord(frame, true);
    if (frame.parens > 0) frame.parens -= 1;
    else if (frame.substitution) this.pop();
  }

  /** A word ends; `commandEnds` when a control operator or newline also ends its command. */
  private endWord(frame: CommandFrame, commandEnds: boolean): void {
    if (frame.wordStarted) this.word(frame, frame.word, frame.wordPlaceholders);
    frame.word = "";
    frame.wordStarted = false;
    frame.wordPlaceholders = [];
    if (commandEnds) {
      frame.expectCommand = true;
      frame.shell = null;
    }
  }

  private word(frame: CommandFrame, word: string, placeholders: string[]): void {
    const name = word.slice(word.lastIndexOf("/") + 1);
    if (!frame.expectCommand) {
      if (frame.shell && /^-[A-Za-z]*c[A-Za-z]*$/.test(word)) {
        this.problem(
          `"${frame.shell} ${word}" runs its argument as a new script, where a quoted value would be read as code: run the commands directly`,
        );
      }
      // A shell started by another command (`find … -exec sh -c`, `sudo -u www sh -c`).
      if (SHELLS.has(name)) frame.shell = name;
      return;
    }
    const assignment = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(word);
    if (assignment) {
      const name = assignment[1] ?? "";
      if (placeholders.length > 0) this.assignments.push({ name, variables: placeholders });
      return;
    }
    if (RESERVED.has(word) || RESERVED_MORE.has(word)) return;
    if (name === "ssh") {
      this.problem(
        `"ssh" joins its arguments into one command line for the remote shell, where a quoted value would be read as code`,
      );
    }
    if (name === "eval") {
      this.problem(
        `"eval" runs its arguments as shell code a second time, where a quoted value would be read as code`,
      );
    }
    if (name === "case" && frame.substitution) {
      this.problem(`"case" inside $(…): its ")" patterns hide where $(…) ends; use if/elif`);
    }
    // A wrapper's options and numbers (`timeout 10 …`, `nice -n 5 …`) are not the command yet.
    if (WRAPPERS.has(name) || WRAPPERS_MORE.has(name) || /^(-|[0-9])/.test(word)) return;
    frame.expectCommand = false;
    frame.shell = SHELLS.has(name) ? name : null;
  }
}

function commandFrame(substitution: boolean): CommandFrame {
  return {
    kind: "command",
    substitution,
    parens: 0,
    word: "",
    wordStarted: false,
    wordPlaceholders: [],
    expectCommand: true,
    shell: null,
  };
}
