"""A Snakemake report opened in a real headless browser (Debian's chromium).

Snakemake 9's report is a React app: results are JSON inside the page and a figure
becomes an <img> only when its view is opened. So a copy of the report gets one script
that drives the app itself: for every result it opens the view the app's own button
opens (`app.setView`, as `ResultViewButton` does) and waits until the browser has
decoded the image (or loaded the page into the iframe), then opens the result's info
panel (`app.showResultInfo`) and reads the caption the app rendered. The findings go
into the DOM, which `chromium --headless --dump-dom` prints once virtual time has run.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

MARKER = "vitrify-browser-check"

_DRIVE = """
<script>
window.__errors = [];
window.addEventListener('error', ev => window.__errors.push(String(ev.message)));
window.addEventListener('load', async () => {
  const sleep = ms => new Promise(r => setTimeout(r, ms));
  const until = async (find, tries = 200) => {
    for (let i = 0; i < tries; i++) { const x = find(); if (x) return x; await sleep(10); }
    return null;
  };
  await until(() => typeof app !== 'undefined' && app);
  const found = {};
  for (const [path, entry] of Object.entries(results)) {
    const kind = entry.mime_type.startsWith('image/') ? 'img' : (entry.mime_type === 'text/html' ? 'html' : null);
    const item = {mime: entry.mime_type};
    if (kind) {
      app.setView({content: kind, contentPath: entry.data_uri, resultPath: path});
      const tag = kind === 'img' ? 'img' : 'iframe';
      const el = await until(() => [...document.querySelectorAll('#app ' + tag)]
                                     .find(x => x.getAttribute('src') === entry.data_uri));
      if (el && kind === 'img') {
        if (!el.complete) await new Promise(r => { el.onload = r; el.onerror = r; });
        item.loaded = el.complete && el.naturalWidth > 0;
        item.width = el.naturalWidth; item.height = el.naturalHeight;
      } else {
        // A data: page in an iframe has an opaque origin: its content cannot be read
        // from here, so an iframe that holds it is as far as the app can be followed.
        item.loaded = Boolean(el);
      }
    }
    app.showResultInfo(path);
    await sleep(30);
    item.shown_text = document.querySelector('#app').innerText;
    found[path] = item;
  }
  const pre = document.createElement('pre');
  pre.id = '%s';
  pre.textContent = JSON.stringify({results: found, errors: window.__errors});
  document.body.appendChild(pre);
});
</script>
""" % MARKER


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        if path := shutil.which(name):
            return path
    return None


def embedded(report_html: str, name: str, script_id: str | None = None):
    """A variable of the report's data scripts (the bundled libraries use the same names,
    so the search starts at the script's id): `results` (path -> caption, mime type, data
    URI), `categories`, or `workflow_desc` (script id "workflow-desc")."""
    anchor = report_html.index(f'<script id="{script_id or name}">')
    start = report_html.index(f"var {name} = ", anchor) + len(f"var {name} = ")
    return json.JSONDecoder().raw_decode(report_html, start)[0]


def embedded_results(report_html: str) -> dict:
    return embedded(report_html, "results")


def _with_script(report: Path, script: str, out: Path) -> Path:
    html = report.read_text()
    end = html.rindex("</body>")
    out.write_text(html[:end] + script + html[end:])
    return out


def _chromium(args: list[str], workdir: Path, timeout: int) -> subprocess.CompletedProcess:
    cmd = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
           f"--user-data-dir={workdir / 'chromium-profile'}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def drive_report(report: Path, workdir: Path, timeout: int = 300) -> dict:
    """Open every result of the report in the app (module doc); returns, per result path,
    whether its figure or page loaded, its pixel size and the text the app then showed,
    plus the page's script errors."""
    page = _with_script(report, _DRIVE, workdir / "driven_report.html")
    res = _chromium(["--virtual-time-budget=600000", "--dump-dom", page.as_uri()], workdir, timeout)
    start = res.stdout.find(f'<pre id="{MARKER}">')
    if start < 0:
        raise RuntimeError(f"the driven report never finished: {res.stderr[-2000:]}")
    body = res.stdout[start + len(f'<pre id="{MARKER}">'):res.stdout.index("</pre>", start)]
    import html  # noqa: PLC0415

    return json.loads(html.unescape(body))


def screenshot(report: Path, png: Path, workdir: Path, open_result: str | None = None,
               size: tuple[int, int] = (1600, 1000), timeout: int = 120) -> Path:
    """A PNG of the report as a reader sees it: the start page, or with `open_result`
    (a result path) that result opened as its view button opens it."""
    page = report
    if open_result is not None:
        script = ("<script>window.addEventListener('load', async () => {"
                  "while (typeof app === 'undefined' || !app) await new Promise(r => setTimeout(r, 10));"
                  f"const path = {json.dumps(open_result)}; const e = results[path];"
                  "app.setView({content: e.mime_type === 'text/html' ? 'html' : 'img', contentPath: e.data_uri,"
                  " resultPath: path});"
                  # One state change at a time: React merges both into the older state otherwise.
                  "await new Promise(r => setTimeout(r, 50)); app.showResultInfo(path);});</script>")
        page = _with_script(report, script, workdir / f"{png.stem}.html")
    _chromium([f"--screenshot={png}", f"--window-size={size[0]},{size[1]}", "--hide-scrollbars",
               "--virtual-time-budget=20000", page.as_uri()], workdir, timeout)
    return png
