import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { INDEX_HTML, STYLE_CSS } from './page.js';

/** A file the server may send: its type and bytes, held in memory. */
export interface Asset { type: string; body: Buffer }

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
};

/**
 * Every file the viewer serves, by exact URL path: the page, its stylesheet, the browser modules
 * (compiled from static/*.ts next to this file) and uPlot from node_modules. Nothing else on disk
 * is reachable: a request path is looked up in this map, never joined onto a directory.
 */
export function loadAssets(): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const add = (url: string, body: string | Buffer, type = TYPES[path.extname(url)]!) => assets.set(url, { type, body: Buffer.from(body) });
  add('/', INDEX_HTML, TYPES['.html']);
  add('/assets/style.css', STYLE_CSS);
  const here = path.dirname(fileURLToPath(import.meta.url));
  const staticDir = path.join(here, 'static');
  for (const name of fs.readdirSync(staticDir)) {
    if (/^[a-z][a-z0-9-]*\.js$/.test(name)) add(`/assets/${name}`, fs.readFileSync(path.join(staticDir, name)));
  }
  if (!assets.has('/assets/app.js')) throw new Error(`the viewer's scripts are missing from ${staticDir} (run npm run build)`);
  const require = createRequire(import.meta.url);
  add('/assets/vendor/uPlot.esm.js', fs.readFileSync(require.resolve('uplot/dist/uPlot.esm.js')));
  add('/assets/vendor/uPlot.min.css', fs.readFileSync(require.resolve('uplot/dist/uPlot.min.css')));
  return assets;
}
