/**
 * A pattern that finds the upstream's name in one line, and which groups of its match make the
 * name. Each proxy kind and each probe has its own shapes, anchored on what the tool writes.
 */
export type NameShape = readonly [
  pattern: RegExp,
  name: (match: RegExpExecArray) => string | undefined,
];

export const nameAt = (i: number) => (m: RegExpExecArray) => m[i];
export const nameAndPort = (name: number, port: number) => (m: RegExpExecArray) =>
  m[name] && m[port] ? `${m[name]}:${m[port]}` : undefined;

export function namedBy([pattern, name]: NameShape, text: string): string | null {
  const match = pattern.exec(text);
  return (match && name(match)) || null;
}
