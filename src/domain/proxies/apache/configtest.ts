import { Signal, signal } from "../../diagnosis/signal";

/**
 * `apache2ctl configtest` (expected command: `APACHECTL configtest`, stderr included). Healthy:
 * `Syntax OK`, exit 0 (AH00558 ServerName warnings may precede it). Broken, exit 1:
 *
 *   Action 'configtest' failed.
 *   The Apache error log may have more information.
 *   AH00526: Syntax error on line 30 of /etc/apache2/sites-enabled/000-default.conf:
 *   Invalid command 'ProxyPassBroken', perhaps misspelled or defined by a module not included …
 *
 * (stdout comes first, then stderr). Other start-up failures read `apache2: Syntax error on line 7
 * of /etc/apache2/apache2.conf: …` or name a missing file.
 */
export interface ConfigTest {
  ok: boolean | null;
  /** The error line and the explanation after it. */
  errors: string[];
}

const syntaxError = /^(?:AH00526: |\S+: )?Syntax error on line \d+ of .*$/;

export function parseConfigTest(output: string, exitCode: number | null): ConfigTest {
  const lines = output.split("\n").map((l) => l.trimEnd());
  const errors: string[] = [];
  lines.forEach((line, index) => {
    if (!syntaxError.test(line)) return;
    errors.push(line);
    const explanation = lines[index + 1];
    if (explanation && !syntaxError.test(explanation) && !explanation.startsWith("Action ")) {
      errors.push(explanation);
    }
  });
  const said = lines.some((l) => l.trim() === "Syntax OK");
  const failed = lines.some((l) => /^Action '.*' failed\.$/.test(l)) || errors.length > 0;
  if (failed || (exitCode !== null && exitCode !== 0 && !said)) {
    const fallback = lines.find((l) => l.trim() && !/^AH00558:/.test(l));
    return { ok: false, errors: errors.length ? unique(errors) : fallback ? [fallback] : [] };
  }
  return { ok: said || exitCode === 0 ? true : null, errors: [] };
}

function unique(lines: string[]): string[] {
  return [...new Set(lines)];
}

export function configTestSignals(test: ConfigTest, stepId: string): Signal[] {
  if (test.ok !== false) return [];
  const evidence = test.errors.length ? test.errors : ["apache2ctl configtest failed"];
  return evidence
    .slice(0, 2)
    .map((line) => signal("config_invalid", 0.95, `config:${stepId}`, line));
}
