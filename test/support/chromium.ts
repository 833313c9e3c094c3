import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Debian's Chromium, headless, one process per call with its own throw-away profile: the DOM
 * after the page's own script ran (`--dump-dom`), a screenshot, and what the browser logged
 * (Content-Security-Policy refusals among it). No browser is downloaded; the set-up script
 * installs the `chromium` package.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export interface BrowserVisit {
  dom: string;
  log: string;
}

export async function headless(url: string, extra: readonly string[]): Promise<BrowserVisit> {
  const profile = await mkdtemp(join(tmpdir(), "incident-page-chromium-"));
  try {
    const args = [
      "--headless",
      "--no-sandbox", // the tests run as root, where Chromium's sandbox refuses to start
      "--disable-gpu",
      "--no-first-run",
      "--disable-extensions",
      "--disable-background-networking",
      "--enable-logging=stderr",
      "--v=0",
      `--user-data-dir=${profile}`,
      "--virtual-time-budget=3000",
      ...extra,
      url,
    ];
    return await new Promise<BrowserVisit>((resolve, reject) => {
      execFile(
        CHROMIUM,
        args,
        { timeout: 90_000, maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) => {
          if (error) reject(new Error(`chromium failed: ${error.message}\n${stderr.slice(-2000)}`));
          else resolve({ dom: stdout, log: stderr });
        },
      );
    });
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

export function dumpDom(url: string): Promise<BrowserVisit> {
  return headless(url, ["--dump-dom"]);
}

export function screenshot(url: string, path: string): Promise<BrowserVisit> {
  return headless(url, [`--screenshot=${path}`, "--window-size=1200,2400", "--hide-scrollbars"]);
}
