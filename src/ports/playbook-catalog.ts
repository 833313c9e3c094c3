import type { Playbook } from "../domain/playbook";

/** Where playbooks come from (the YAML files of PLAYBOOKS_DIR); already validated. */
export interface PlaybookCatalog {
  get(id: string): Promise<Playbook | null>;
  list(): Promise<Playbook[]>;
}
