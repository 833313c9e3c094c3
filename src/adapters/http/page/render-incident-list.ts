import type { Incident } from "../../../domain/incident";
import { html, raw } from "./html";
import { PAGE_STYLE } from "./page-assets";
import { utcTime } from "./page-time";

/** The operator's list: open incidents first, then recent ones, each linking to its page. */
export function renderIncidentList(
  incidents: readonly Incident[],
  linkFor: (incidentId: string) => string,
  nonce: string,
): string {
  const rows = incidents.map(
    (i) =>
      html`<tr>
        <td><a href="${linkFor(i.id)}">${i.title}</a></td>
        <td>${i.severity}</td>
        <td class="state-${i.state}">${i.state}</td>
        <td>${i.phase}</td>
        <td>${i.commander ? `@${i.commander}` : "unassigned"}</td>
        <td>${utcTime(i.declaredAt)}</td>
        <td><code>${i.id}</code></td>
      </tr>`,
  );
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <meta name="robots" content="noindex" />
        <title>Incidents · incident-bot</title>
        <style nonce="${nonce}">
          ${raw(PAGE_STYLE)}
        </style>
      </head>
      <body>
        <header><h1>Incidents</h1></header>
        <main>
          ${
            incidents.length === 0
              ? html`<p class="none">No incidents.</p>`
              : html`<table>
                  <thead>
                    <tr>
                      <th>title</th>
                      <th>severity</th>
                      <th>state</th>
                      <th>phase</th>
                      <th>commander</th>
                      <th>declared</th>
                      <th>id</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${rows}
                  </tbody>
                </table>`
          }
        </main>
      </body>
    </html> `.value;
}
