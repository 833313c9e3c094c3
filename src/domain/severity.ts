import { z } from "zod";

export const Severity = z.enum(["sev1", "sev2", "sev3"]);
export type Severity = z.infer<typeof Severity>;

export const DEFAULT_SEVERITY: Severity = "sev2";
