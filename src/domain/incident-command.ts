import { z } from "zod";
import { Phase } from "./phase";
import { PLAYBOOK_ID } from "./playbook";
import { DEFAULT_SEVERITY, Severity } from "./severity";

/**
 * The `/incident …` command language, parsed without side effects. Slack and the terminal shell
 * both feed their raw text here; anything that is not a well-formed command becomes a usage error,
 * so free text never travels further than a title, a note or a status line. Host and playbook
 * names only pass a strict name pattern here: they are looked up in the inventory and the catalog
 * later, never pasted into a command line.
 */

/** Inventory host and group names: what `hosts:` may list. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
/** Playbook ids (domain/playbook.ts slugs). */
const PLAYBOOK = PLAYBOOK_ID;
/** Slack user ids (U…, W…), or a shell user name. */
const USER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/;

const HostNames = z.array(z.string().regex(NAME)).max(200);
const FreeText = z.string().min(1).max(3000);

export const IncidentCommand = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("help"), topic: z.string().nullable() }),
  z.object({
    kind: z.literal("declare"),
    title: z.string().min(1).max(200),
    severity: Severity,
    /** Empty: the declarer named none (the lifecycle picks its default). */
    hosts: HostNames,
  }),
  z.object({
    kind: z.literal("run"),
    playbook: z.string().regex(PLAYBOOK),
    phase: Phase.nullable(),
    hosts: HostNames,
  }),
  z.object({ kind: z.literal("status"), text: FreeText.nullable() }),
  z.object({ kind: z.literal("commander"), user: z.string().regex(USER) }),
  z.object({ kind: z.literal("severity"), severity: Severity }),
  z.object({ kind: z.literal("timeline") }),
  z.object({ kind: z.literal("mitigated") }),
  z.object({ kind: z.literal("note"), text: FreeText }),
  z.object({ kind: z.literal("resolve"), summary: FreeText.nullable() }),
  z.object({ kind: z.literal("list") }),
]);
export type IncidentCommand = z.infer<typeof IncidentCommand>;
export type IncidentCommandKind = IncidentCommand["kind"];

export type ParsedIncidentCommand =
  { ok: true; command: IncidentCommand } | { ok: false; error: string; usage: string };

/** One line of usage per subcommand, in the order `help` lists them. */
export const commandUsage: Record<IncidentCommandKind, string> = {
  declare: "/incident declare TITLE [sev1|sev2|sev3] [hosts:GROUP_OR_HOSTS]",
  run: "/incident run PLAYBOOK [immediate|short-term|long-term] [hosts:GROUP_OR_HOSTS]",
  status: "/incident status [TEXT]",
  commander: "/incident commander @user",
  severity: "/incident severity sev1|sev2|sev3",
  timeline: "/incident timeline",
  note: "/incident note TEXT",
  mitigated: "/incident mitigated",
  resolve: "/incident resolve [SUMMARY]",
  list: "/incident list",
  help: "/incident help",
};

const descriptions: Record<IncidentCommandKind, string> = {
  declare: "open an incident: its own channel, pinned card, immediate-phase checks",
  run: "run a playbook (or one phase of it) on the incident's hosts or the hosts named",
  status: "post a status update (without TEXT: the current status)",
  commander: "hand the incident to a commander",
  severity: "raise or lower the severity (the status reminders follow it)",
  timeline: "show the incident's timeline",
  note: "add a note to the timeline",
  mitigated: "mark the incident mitigated (impact stopped, still watching)",
  resolve: "resolve the incident and post the postmortem draft",
  list: "list open incidents",
  help: "this help",
};

/** Subcommands that only make sense inside an incident's channel. */
const incidentScoped: ReadonlySet<IncidentCommandKind> = new Set([
  "run",
  "status",
  "commander",
  "severity",
  "timeline",
  "note",
  "mitigated",
  "resolve",
]);

export function needsIncident(command: IncidentCommand): boolean {
  return incidentScoped.has(command.kind);
}

export function helpText(): string {
  const lines = (Object.keys(commandUsage) as IncidentCommandKind[]).map(
    (kind) => `• \`${commandUsage[kind]}\`: ${descriptions[kind]}`,
  );
  // Plain text like every domain message (each surface escapes it); backticks read well in both.
  return ["/incident commands:", ...lines].join("\n");
}

/** The message for a command used outside an incident channel. */
export function outsideIncidentText(kind: IncidentCommandKind): string {
  return `\`/incident ${kind}\` works in an incident channel. Declare one with \`${commandUsage.declare}\`.`;
}

/**
 * How the command text arrives. `slack`: as Slack sends a slash command with escaping on
 * (`&amp; &lt; &gt;`, mentions as `<@U123|name>`, links as `<https://…|label>`). `plain`: as
 * typed (the terminal shell).
 */
export type CommandSyntax = "slack" | "plain";

/**
 * Free text (titles, notes, status and resolve text) comes out as the person typed it: Slack's
 * escaping is read, never undone into markup, so `<!channel>` typed in a note is the text
 * `<!channel>`, and `@channel` (which Slack sends as `<!channel>`) is the text `@channel`; each
 * surface escapes it again when it shows it. Only `commander` reads a mention, as a user id.
 */
export function parseIncidentCommand(
  raw: string,
  syntax: CommandSyntax = "plain",
): ParsedIncidentCommand {
  const text = raw.replace(/\s+/g, " ").trim();
  if (text === "") return ok({ kind: "help", topic: null });
  const space = text.indexOf(" ");
  const verb = (space === -1 ? text : text.slice(0, space)).toLowerCase();
  const rest = space === -1 ? "" : text.slice(space + 1).trim();
  const typed = syntax === "slack" ? typedText : (free: string) => free;
  const parser = verbs[verb];
  if (!parser) {
    return fail(`Unknown subcommand \`${truncate(typed(verb), 40)}\`.`, helpText());
  }
  return parser(rest, typed);
}

/** Reads text the way it was typed (see CommandSyntax). */
type Typed = (text: string) => string;
type VerbParser = (rest: string, typed: Typed) => ParsedIncidentCommand;

const parseHelp: VerbParser = (rest) =>
  ok({ kind: "help", topic: rest === "" ? null : rest.toLowerCase() });

const verbs: Record<string, VerbParser> = {
  help: parseHelp,
  "?": parseHelp,
  declare: parseDeclare,
  run: parseRun,
  status: (rest, typed) =>
    freeText("status", typed(rest), (value) => ({ kind: "status", text: value })),
  commander: parseCommander,
  severity: parseSeverity,
  timeline: (rest) => noArguments("timeline", rest, { kind: "timeline" }),
  mitigated: (rest) => noArguments("mitigated", rest, { kind: "mitigated" }),
  note: parseNote,
  resolve: (rest, typed) =>
    freeText("resolve", typed(rest), (value) => ({ kind: "resolve", summary: value })),
  list: (rest) => noArguments("list", rest, { kind: "list" }),
};

function parseDeclare(rest: string, typed: Typed): ParsedIncidentCommand {
  const words = rest === "" ? [] : rest.split(" ");
  let severity: Severity | null = null;
  let hosts: string[] | null = null;
  const titleWords: string[] = [];
  for (const word of words) {
    const sev = Severity.safeParse(word.toLowerCase());
    if (sev.success) {
      if (severity !== null) return usage("declare", "Give one severity only.");
      severity = sev.data;
    } else if (isHostsWord(word)) {
      if (hosts !== null) return usage("declare", "Give `hosts:` once.");
      const parsed = parseHosts(word, typed);
      if (typeof parsed === "string") return usage("declare", parsed);
      hosts = parsed;
    } else {
      titleWords.push(word);
    }
  }
  const title = stripQuotes(typed(titleWords.join(" ")));
  if (title === "") return usage("declare", "The incident needs a title.");
  if (title.length > 200) return usage("declare", "Keep the title under 200 characters.");
  return ok({ kind: "declare", title, severity: severity ?? DEFAULT_SEVERITY, hosts: hosts ?? [] });
}

function parseRun(rest: string, typed: Typed): ParsedIncidentCommand {
  const words = rest === "" ? [] : rest.split(" ");
  const [playbook, ...others] = words;
  if (playbook === undefined) return usage("run", "Name the playbook to run.");
  if (!PLAYBOOK.test(playbook)) {
    return usage("run", `\`${truncate(typed(playbook), 40)}\` is not a playbook name.`);
  }
  let phase: Phase | null = null;
  let hosts: string[] = [];
  for (const word of others) {
    const parsedPhase = Phase.safeParse(word.toLowerCase());
    if (parsedPhase.success && phase === null) {
      phase = parsedPhase.data;
    } else if (isHostsWord(word) && hosts.length === 0) {
      const parsed = parseHosts(word, typed);
      if (typeof parsed === "string") return usage("run", parsed);
      hosts = parsed;
    } else {
      return usage("run", `Unexpected \`${truncate(typed(word), 40)}\`.`);
    }
  }
  return ok({ kind: "run", playbook, phase, hosts });
}

function parseCommander(rest: string, typed: Typed): ParsedIncidentCommand {
  if (rest === "") return usage("commander", "Name the new commander.");
  const user = mentionedUser(rest);
  if (user === null) {
    return usage("commander", `\`${truncate(typed(rest), 40)}\` is not a user.`);
  }
  return ok({ kind: "commander", user });
}

function parseSeverity(rest: string, typed: Typed): ParsedIncidentCommand {
  const parsed = Severity.safeParse(rest.toLowerCase());
  if (!parsed.success) {
    const what =
      rest === "" ? "Name the new severity." : `\`${truncate(typed(rest), 40)}\` is not one.`;
    return usage("severity", what);
  }
  return ok({ kind: "severity", severity: parsed.data });
}

function parseNote(rest: string, typed: Typed): ParsedIncidentCommand {
  const text = typed(rest);
  if (text === "") return usage("note", "Write the note after `note`.");
  return freeText("note", text, (value) => ({ kind: "note", text: value ?? text }));
}

/**
 * Slack sends `<@U123|name>` (escaping on) or `<@U123>`; people type `@U123`; the shell passes a
 * plain name. A display name alone (`@alice` with escaping off) cannot be resolved to an id here.
 */
function mentionedUser(word: string): string | null {
  const mention = /^<@([A-Z0-9]+)(?:\|[^<>]*)?>$/.exec(word);
  if (mention) return mention[1] ?? null;
  const plain = word.startsWith("@") ? word.slice(1) : word;
  return USER.test(plain) ? plain : null;
}

function freeText(
  kind: "status" | "resolve" | "note",
  rest: string,
  build: (value: string | null) => IncidentCommand,
): ParsedIncidentCommand {
  if (rest.length > 3000) return usage(kind, "Keep it under 3000 characters.");
  return ok(build(rest === "" ? null : rest));
}

function noArguments(
  kind: IncidentCommandKind,
  rest: string,
  command: IncidentCommand,
): ParsedIncidentCommand {
  return rest === "" ? ok(command) : usage(kind, `\`${kind}\` takes no arguments.`);
}

function isHostsWord(word: string): boolean {
  return word.toLowerCase().startsWith("hosts:") || word.toLowerCase().startsWith("hosts=");
}

/** `hosts:edge` or `hosts:proxy-1,proxy-2`. Returns the names or a reason. */
function parseHosts(word: string, typed: Typed): string[] | string {
  const names = word
    .slice("hosts:".length)
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  if (names.length === 0) return "`hosts:` needs a group or host names, e.g. `hosts:edge`.";
  const bad = names.find((name) => !NAME.test(name));
  if (bad !== undefined) return `\`${truncate(typed(bad), 40)}\` is not a host or group name.`;
  return [...new Set(names)];
}

const entities: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">" };

/**
 * Slack's command text as the person typed it. Slack escapes what was typed (`&lt;` for `<`) and
 * writes what it recognised in angle brackets: `<@U1|alice>` (typed `@alice`), `<#C1|ops>`,
 * `<!channel>` (typed `@channel`), `<https://x|label>`. One pass, so an entity is decoded once
 * and a decoded `<` never starts a token.
 */
function typedText(slack: string): string {
  return slack.replace(/<([^<>]*)>|&(?:amp|lt|gt);/g, (whole, token?: string) =>
    token === undefined ? (entities[whole] ?? whole) : shownAs(token),
  );
}

/** What Slack shows for one of its `<…>` tokens. */
function shownAs(token: string): string {
  const bar = token.indexOf("|");
  const target = decodeEntities(bar === -1 ? token : token.slice(0, bar));
  const label = bar === -1 ? null : decodeEntities(token.slice(bar + 1));
  if (target.startsWith("@") || target.startsWith("#")) {
    return label === null ? target : `${target[0]}${label.replace(/^[@#]/, "")}`;
  }
  if (target.startsWith("!")) return label ?? `@${target.slice(1).split("^")[0] ?? ""}`;
  if (label === null || target.endsWith(label)) return label ?? target;
  return `${label} (${target})`;
}

function decodeEntities(text: string): string {
  return text.replace(/&(?:amp|lt|gt);/g, (entity) => entities[entity] ?? entity);
}

function stripQuotes(text: string): string {
  const quoted = /^["“”'‘’](.*)["“”'‘’]$/.exec(text);
  return (quoted ? (quoted[1] ?? "") : text).trim();
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function ok(command: IncidentCommand): ParsedIncidentCommand {
  return { ok: true, command };
}

function fail(error: string, usageText: string): ParsedIncidentCommand {
  return { ok: false, error, usage: usageText };
}

function usage(kind: IncidentCommandKind, error: string): ParsedIncidentCommand {
  return fail(error, `Usage: \`${commandUsage[kind]}\``);
}
