import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseTemplate, renderTemplate } from "../../../src/domain/template";

// The quote tracker follows the shell's own syntax; what it cannot follow, it refuses.

const problemsOf = (template: string): string[] => parseTemplate(template).problems;

describe("constructs the template check cannot follow are refused", () => {
  it.each([
    ["a comment", "echo {{ x }} # it's fine", /"#" at character 14 starts a comment/],
    ["a comment on its own line", "# it's\necho {{ x }}", /starts a comment/],
    ["a comment after a command", "true;# '\necho {{ x }}", /starts a comment/],
    ["a here-document", "cat <<EOF\n{{ x }}\nEOF", /"<<" at character 5: a here-document/],
    ["a quoted here-document", "cat <<'EOF'\nx\nEOF\necho {{ x }}", /here-document/],
    ["a here-string", "cat <<< {{ x }}", /here-document/],
    ["$'…'", "echo $'\\'' {{ x }}", /"\$'" at character 6: bash reads \$'…'/],
    ['$"…"', 'echo $"a" {{ x }}', /bash reads/],
    ["backquotes", "echo `printf %s {{ x }}`", /instead of backquotes/],
    ["backquotes in double quotes", 'echo "`id`" {{ x }}', /instead of backquotes/],
    ["eval", "eval echo {{ x }}", /"eval" runs its arguments as shell code/],
    ["eval behind a wrapper", "command eval {{ x }}", /"eval" runs/],
    ["eval by its path", "x=1 /usr/bin/eval {{ x }}", /"eval" runs/],
    ["eval in $(…)", 'echo "$(eval {{ x }})"', /"eval" runs/],
    ["sh -c", "sh -c {{ x }}", /"sh -c" runs its argument as a new script/],
    ["bash -c with a literal script", "bash -c 'echo \"$1\"' _ {{ x }}", /"bash -c" runs/],
    ["bash -ec", "/bin/bash -ec {{ x }}", /"bash -ec" runs/],
    ["timeout 5 dash -c", "timeout 5 dash -c {{ x }}", /"dash -c" runs/],
    ["su -c", "su -c {{ x }} www-data", /"su -c" runs/],
    ["sh -c started by find", "find /etc -exec sh -c {{ x }} {} +", /"sh -c" runs/],
    ["sh -c started by sudo -u", "sudo -u www-data sh -c {{ x }}", /"sh -c" runs/],
    ["ssh", "ssh backend cat {{ x }}", /"ssh" joins its arguments/],
    ["case in $(…)", "echo $(case {{ x }} in a) echo a;; esac)", /"case" inside \$\(…\)/],
    ["a placeholder in $((…))", "echo $(( {{ n }} + 1 ))", /inside arithmetic \$\(\(…\)\)/],
    ["a placeholder in ((…))", "(( {{ n }} > 1 )) && echo big", /inside arithmetic/],
    ["a placeholder in ${…}", "echo ${x:-{{ n }}}", /inside \$\{…\}/],
    ["a placeholder in quotes in $(…)", "echo $(printf '%s' '{{ x }}')", /inside quotes/],
    ["a placeholder in double quotes in $(…)", 'echo "$(echo "{{ x }}")"', /inside quotes/],
    ["an unclosed quote", "echo {{ x }} 'oops", /opened at character 14 is never closed/],
    ["an unclosed $(…)", "echo $(date {{ x }}", /never closed/],
  ])("refuses %s", (_name, template, problem) => {
    expect(problemsOf(template)).toEqual(expect.arrayContaining([expect.stringMatching(problem)]));
  });

  it.each([
    ["$# and ${#x} are not comments", "set -- a b; echo $# ${#1} {{ x }}"],
    ["# inside quotes and words", "echo 'a # b' \"c # d\" e#f {{ x }}"],
    ["a quote inside $(…) inside double quotes", 'echo "$(printf "%s" {{ x }})"'],
    ["arithmetic on shell values", 'n={{ n }}; echo "$(( $(date +%s) - n * 60 ))"'],
    ["case at the top level", "case {{ x }} in a) echo a;; *) echo b;; esac"],
    ["sh reading a script file", "sh /usr/local/bin/check {{ x }}"],
    ["words that merely contain eval or -c", "grep -c evaluation {{ x }}; grep -c sh {{ x }}"],
    ["redirections", "printf '%s' {{ x }} 2>&1 >/dev/null </dev/null"],
  ])("accepts %s", (_name, template) => {
    expect(problemsOf(template)).toEqual([]);
  });
});

const SHELLS = ["dash", "bash"] as const;

/** Runs a rendered command through a real shell; returns each argument printf received. */
function argumentsSeenBy(shell: string, command: string): string[] {
  const out = execFileSync(shell, ["-c", command], { encoding: "utf8" });
  return out.split("\u0001").slice(0, -1);
}

describe("accepted forms keep a hostile value one literal argument in dash and bash", () => {
  let scratch: string;
  let marker: string;

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), "incident-bot-template-"));
    marker = join(scratch, "x");
  });

  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  const hostile = (): string[] => [
    `'; touch ${marker}; '`,
    `"; touch ${marker}; "`,
    `$(touch ${marker})`,
    `\`touch ${marker}\``,
    `a\ntouch ${marker}`,
    "$(id) ${HOME} $((1+1)) * ? ~",
    "a -rf",
    'it\'s \\ "quoted"',
  ];

  // Each prints the value's arguments through printf, by way of a different accepted construct.
  const forms: [string, string][] = [
    ["a plain argument", "printf '%s\\001' {{ v }}"],
    ["after an option and an equals sign", "printf '%s\\001' --opt={{ v }}"],
    ["through a shell variable", "v={{ v }}; printf '%s\\001' \"$v\""],
    ["in $(…) inside double quotes", "printf '%s' \"$(printf '%s\\001' {{ v }})\""],
    ["in a pipeline inside braces", "{ printf '%s\\001' {{ v }}; } | cat"],
    ["in a subshell after if", "if true; then (printf '%s\\001' {{ v }}); fi"],
    ["under timeout", "timeout 5 printf '%s\\001' {{ v }}"],
  ];

  for (const shell of SHELLS) {
    it.each(forms)(`${shell}: %s`, (_name, template) => {
      const parsed = parseTemplate(template);
      expect(parsed.problems).toEqual([]);
      for (const value of hostile()) {
        const seen = argumentsSeenBy(shell, renderTemplate(parsed, { v: value }));
        expect(seen).toEqual([template.includes("--opt=") ? `--opt=${value}` : value]);
        expect(existsSync(marker)).toBe(false);
      }
    });
  }

  it("refuses a value that starts with a dash instead of passing it as an option", () => {
    expect(() => renderTemplate(parseTemplate("rm -f {{ v }}"), { v: "-rf" })).toThrow(
      /variable "v" starts with "-"/,
    );
  });
});
