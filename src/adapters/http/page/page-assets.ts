/**
 * The page's own stylesheet and script, constants of the bot: they carry the response's nonce,
 * and nothing else on the page may style or run (Content-Security-Policy).
 */
export const PAGE_STYLE = `
:root{color-scheme:light;--fg:#111827;--muted:#6b7280;--line:#e5e7eb;--bad:#b91c1c;--good:#047857}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:#fafafa}
header,main,footer{max-width:1100px;margin:0 auto;padding:12px 20px}
h1{font-size:22px;margin:8px 0}h2{font-size:17px;margin:24px 0 8px;border-bottom:1px solid var(--line)}
h3{font-size:15px;margin:12px 0 4px}h4{font-size:13px;margin:8px 0 2px}small{color:var(--muted);font-weight:normal}
.facts{display:flex;flex-wrap:wrap;gap:4px 24px;margin:0}.facts div{min-width:140px}
dt{color:var(--muted);font-size:12px}dd{margin:0;font-weight:600}
.sev{display:inline-block;padding:0 6px;border-radius:4px;color:#fff;background:#a16207}
.sev-sev1{background:var(--bad)}.sev-sev3{background:#ca8a04}
.state-resolved{color:var(--good)}.state-open{color:var(--bad)}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;vertical-align:top;padding:3px 6px;border-bottom:1px solid var(--line)}
th{font-size:12px;color:var(--muted);font-weight:600}
pre{margin:4px 0;padding:6px;background:#f3f4f6;overflow:auto;max-height:28em;white-space:pre-wrap;word-break:break-all;font-size:12px}
code{font-size:12px}
.verdict-met{color:var(--good)}.verdict-missed{color:var(--bad)}
.status-failed .status,.status-error .status{color:var(--bad);font-weight:600}
.none,.cut{color:var(--muted)}.diagnosis,.approval,.host{background:#fff;border:1px solid var(--line);padding:8px 12px;margin:8px 0}
.latest{border-color:var(--bad)}.chart{background:#fff;border:1px solid var(--line)}
.phases{margin-top:6px}.person{font-weight:600}
summary{cursor:pointer;color:#1d4ed8}
#timeline td:nth-child(1),#timeline td:nth-child(2){white-space:nowrap;font-variant-numeric:tabular-nums}
footer{color:var(--muted);font-size:12px}
`;

/**
 * Times in the viewer's zone, and a reload every 30 s while the incident is open, unless the
 * reader has an output unfolded or the tab is hidden (a reload would close it under them).
 */
export const PAGE_SCRIPT = `
(function () {
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  var header = document.getElementById("zone");
  var cells = document.querySelectorAll("td.local[data-at]");
  if (header && header.textContent === "your time") {
    header.textContent = zone;
    var format = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
    for (var i = 0; i < cells.length; i++) cells[i].textContent = format.format(new Date(Number(cells[i].getAttribute("data-at"))));
  }
  if (document.body.getAttribute("data-open") !== "yes") return;
  setInterval(function () {
    if (document.hidden || document.querySelector("details[open]")) return;
    location.reload();
  }, 30000);
})();
`;
