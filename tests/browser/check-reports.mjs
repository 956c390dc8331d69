// Opens every committed results/**/report.html (and any report named on the command line) in
// headless Chromium and checks what the report promises (src/presentation/report.rs): it loads
// with no console error and no uncaught exception; it asks for nothing but itself (no network,
// no file beside it: every request is intercepted); every figure draws its SVG chart, and the
// chart figures are as many as the report says it holds and match charts/*.svg beside it; every
// link within the page finds its target and every relative link an existing file. A full-page
// screenshot of each report goes to target/browser/.
//
// Before the reports, the check runs on the broken copies in broken/ (a committed report with
// one fault added each) and fails unless it rejects every one of them for the fault it holds:
// a check that cannot fail is caught here.
//
//     node tests/browser/check-reports.mjs [REPORT.html ...]
//
// Chromium is /usr/bin/chromium, or the CHROMIUM environment variable. Exit code 0 when every
// report passes, 1 when one fails or a broken copy gets through, 2 when the check cannot run.

import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const screenshots = path.join(root, 'target', 'browser');
const fixtureBase = path.join(root, 'results', 'kanban-vs-jic', 'report.html');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
// Chromium on its own reaches out (updates, sync, field trials); on a closed network those
// connections are refused, so they are switched off. Playwright adds a fresh profile.
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
// How long a page may go on after its load event (timers, late errors) before it is judged.
const settleMs = 300;

/** Every report.html under results/, in a stable order. */
function committedReports() {
  const found = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name === 'report.html') found.push(p);
    }
  };
  walk(path.join(root, 'results'));
  return found;
}

/** How a report is named in messages: its path from the repository, else as given. */
function label(file) {
  const rel = path.relative(root, file);
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
}

/** The screenshot of a report: its path with dashes (the last two parts outside the repository). */
function screenshotPath(file) {
  const rel = path.relative(root, file);
  const parts = rel.startsWith('..') || path.isAbsolute(rel) ? file.split(path.sep).slice(-2) : rel.split(path.sep);
  return path.join(screenshots, parts.join('-').replace(/\.html$/, '') + '.png');
}

const withoutHash = (url) => url.split('#')[0];

/**
 * Open one report and return what is wrong with it (an empty list when nothing is), with a
 * few counts for the line that says it passed.
 */
async function checkReport(browser, file, { screenshot }) {
  const problems = [];
  const note = (p) => {
    if (!problems.includes(p)) problems.push(p);
  };
  if (!fs.existsSync(file)) {
    return { problems: ['the file does not exist'] };
  }
  const reportUrl = pathToFileURL(path.resolve(file)).href;
  const outside = (url) => !url.startsWith('data:') && withoutHash(url) !== reportUrl;

  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    serviceWorkers: 'block',
  });
  try {
    // Every request the page makes passes through here; only the report itself goes on. data:
    // URLs never leave the page and are not requests.
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (outside(url)) {
        note(`request outside the report: ${url}`);
        return route.abort();
      }
      return route.continue();
    });
    const page = await context.newPage();
    context.on('page', (p) => note(`opens another page: ${p.url()}`));
    page.on('request', (r) => {
      if (outside(r.url())) note(`request outside the report: ${r.url()}`);
    });
    page.on('websocket', (ws) => note(`request outside the report: ${ws.url()}`));
    page.on('requestfailed', (r) => {
      if (!outside(r.url())) note(`failed to load ${r.url()}: ${r.failure()?.errorText}`);
    });
    page.on('response', (r) => {
      if (r.status() >= 400) note(`failed to load ${r.url()}: status ${r.status()}`);
    });
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'assert') note(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => note(`uncaught exception: ${e.message}`));
    page.on('crash', () => note('the page crashed'));

    await page.goto(reportUrl, { waitUntil: 'load', timeout: 30_000 });
    await page.waitForTimeout(settleMs);

    const dom = await page.evaluate(() => {
      const figures = [...document.querySelectorAll('figure')].map((f, i) => {
        const name = f.id ? `#${f.id}` : `number ${i + 1} (no id)`;
        const svg = f.querySelector('svg');
        if (!svg) return { id: f.id, name, svg: false };
        const box = svg.getBoundingClientRect();
        let drawn = { width: 0, height: 0 };
        try {
          drawn = svg.getBBox();
        } catch {
          // an svg that is not rendered has no box
        }
        const marks = svg.querySelectorAll('path, rect, line, polyline, polygon, circle, ellipse, text').length;
        return {
          id: f.id,
          name,
          svg: true,
          width: box.width,
          height: box.height,
          drawnWidth: drawn.width,
          drawnHeight: drawn.height,
          marks,
        };
      });
      const links = [...document.querySelectorAll('[href], [*|href]')].map((el) => {
        const raw =
          el.getAttribute('href') ?? el.getAttributeNS('http://www.w3.org/1999/xlink', 'href');
        return { raw, resolved: new URL(raw, document.baseURI).href };
      });
      const ids = [...document.querySelectorAll('[id]')].map((el) => el.id);
      const said = document.body.textContent.match(/This report holds (\d+) charts?\b/);
      return { figures, links, ids, said: said ? Number(said[1]) : null };
    });

    // Charts: every figure draws an svg; the chart figures are the ones the report announces.
    for (const f of dom.figures) {
      if (!f.svg) {
        note(`figure ${f.name} holds no svg`);
      } else if (!(f.width > 0 && f.height > 0)) {
        note(`the svg of figure ${f.name} is not drawn: it renders ${f.width}×${f.height} px`);
      } else if (!(f.drawnWidth > 0 && f.drawnHeight > 0 && f.marks > 0)) {
        note(`the svg of figure ${f.name} draws nothing (${f.marks} marks, content ${f.drawnWidth}×${f.drawnHeight})`);
      }
    }
    const charts = dom.figures.filter((f) => f.id.startsWith('chart-'));
    if (dom.said === null) {
      note('the report does not say how many charts it holds ("This report holds N charts: …")');
    } else if (charts.length !== dom.said) {
      note(`the page has ${charts.length} chart figures, but the report says it holds ${dom.said}`);
    }
    const chartDir = path.join(path.dirname(file), 'charts');
    if (fs.existsSync(chartDir)) {
      const svgs = fs
        .readdirSync(chartDir)
        .filter((n) => n.endsWith('.svg'))
        .map((n) => n.slice(0, -'.svg'.length));
      const shown = charts.map((f) => f.id.slice('chart-'.length));
      for (const n of shown.filter((n) => !svgs.includes(n))) {
        note(`figure #chart-${n} has no charts/${n}.svg beside the report`);
      }
      for (const n of svgs.filter((n) => !shown.includes(n))) {
        note(`charts/${n}.svg beside the report has no figure #chart-${n}`);
      }
    }

    // Links: a fragment names an element of the page; a relative link an existing file.
    let external = 0;
    for (const { raw, resolved } of dom.links) {
      const url = new URL(resolved);
      const samePage = withoutHash(resolved) === reportUrl;
      if (samePage) {
        const id = decodeURIComponent(url.hash.slice(1));
        if (id !== '' && id !== 'top' && !dom.ids.includes(id)) {
          note(`link ${raw}: the page has no element with id "${id}"`);
        }
      } else if (url.protocol === 'file:') {
        const target = fileURLToPath(withoutHash(resolved));
        if (!fs.existsSync(target)) {
          note(`link ${raw}: ${path.relative(path.dirname(file), target)} does not exist beside the report`);
        }
      } else {
        external += 1;
      }
    }

    let shot = null;
    if (screenshot) {
      shot = screenshotPath(file);
      fs.mkdirSync(path.dirname(shot), { recursive: true });
      await page.screenshot({ path: shot, fullPage: true });
    }
    return { problems, charts: charts.length, links: dom.links.length, external, shot };
  } catch (e) {
    note(`could not be checked: ${e.message.split('\n')[0]}`);
    return { problems };
  } finally {
    await context.close();
  }
}

/** The broken copies: each file of broken/ is a fragment added to a committed report. */
function brokenFixtures() {
  const dir = path.join(here, 'broken');
  return fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.html'))
    .sort()
    .map((name) => {
      const text = fs.readFileSync(path.join(dir, name), 'utf8');
      const expect = text.match(/^\s*expect:\s*(.+?)\s*(?:-->)?\s*$/m);
      if (!expect) throw new Error(`broken/${name} has no "expect: …" line`);
      return { name, fragment: text, expect: expect[1] };
    });
}

/**
 * Check each broken copy and return what went wrong with the self-test: a copy that passed, or
 * failed for something other than its fault.
 */
async function selfTest(browser) {
  if (!fs.existsSync(fixtureBase)) {
    return { caught: 0, escaped: [`the broken copies are made from ${label(fixtureBase)}, which does not exist`] };
  }
  const base = fs.readFileSync(fixtureBase, 'utf8');
  if (!base.includes('</body>')) {
    return { caught: 0, escaped: [`${label(fixtureBase)} has no </body> to add a fault before`] };
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'buffersim-browser-'));
  const escaped = [];
  let caught = 0;
  try {
    for (const fixture of brokenFixtures()) {
      const dir = path.join(work, fixture.name.replace(/\.html$/, ''));
      fs.mkdirSync(dir);
      const charts = path.join(path.dirname(fixtureBase), 'charts');
      if (fs.existsSync(charts)) fs.cpSync(charts, path.join(dir, 'charts'), { recursive: true });
      const file = path.join(dir, 'report.html');
      fs.writeFileSync(file, base.replace('</body>', `${fixture.fragment}\n</body>`));
      const { problems } = await checkReport(browser, file, { screenshot: false });
      if (problems.length === 0) {
        escaped.push(`broken/${fixture.name} passed; it should fail with "${fixture.expect}"`);
      } else if (!problems.some((p) => p.includes(fixture.expect))) {
        escaped.push(
          `broken/${fixture.name} failed, but not with "${fixture.expect}":\n` +
            problems.map((p) => `      - ${p}`).join('\n'),
        );
      } else {
        caught += 1;
      }
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return { caught, escaped };
}

async function main() {
  const extra = process.argv.slice(2).map((p) => path.resolve(p));
  if (!fs.existsSync(chromiumPath)) {
    console.error(
      `browser check: Chromium not found at ${chromiumPath}; install it (apt-get install chromium) or set CHROMIUM`,
    );
    return 2;
  }
  const reports = [...committedReports(), ...extra];
  if (!reports.includes(fixtureBase)) {
    console.error(`browser check: ${label(fixtureBase)} is missing`);
    return 2;
  }
  fs.rmSync(screenshots, { recursive: true, force: true });

  const started = Date.now();
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  const version = browser.version();
  let failed = 0;
  let self;
  try {
    self = await selfTest(browser);
    if (self.escaped.length > 0) {
      console.error('browser check: the check lets broken reports through:');
      for (const e of self.escaped) console.error(`  - ${e}`);
    } else {
      console.log(`browser check: all ${self.caught} broken copies in tests/browser/broken/ rejected`);
    }
    for (const file of reports) {
      const r = await checkReport(browser, file, { screenshot: true });
      if (r.problems.length > 0) {
        failed += 1;
        console.error(`FAIL ${label(file)}:`);
        for (const p of r.problems) console.error(`  - ${p}`);
      } else {
        const ext = r.external > 0 ? ` (${r.external} to the web, not followed)` : '';
        console.log(
          `ok   ${label(file)}: ${r.charts} charts drawn, ${r.links} links resolved${ext}; screenshot ${label(r.shot)}`,
        );
      }
    }
  } finally {
    await browser.close();
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `browser: ${reports.length - failed} reports passed, ${failed} failed; ` +
      `${self.caught} broken copies rejected, ${self.escaped.length} let through ` +
      `(Chromium ${version}, ${seconds} s; screenshots in ${label(screenshots)}/)`,
  );
  return failed > 0 || self.escaped.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`browser check: ${e.stack || e}`);
    process.exit(2);
  },
);
