import { z } from "zod";

/**
 * The parsers a playbook step may name in `parse:`. Each reads the output of one kind of command;
 * the expected command line for each is documented beside its parser in domain/diagnosis/.
 */
export const ParserName = z.enum([
  "apache-error-log",
  "apache-access-log",
  "http-probe",
  "tcp-probe",
  "dns-probe",
  "apache-configtest",
  "apache-vhosts",
  "apache-modules",
  "connections",
  "open-files",
  "server-status",
]);
export type ParserName = z.infer<typeof ParserName>;
