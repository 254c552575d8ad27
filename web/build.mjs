// Builds the UI into dist/: hashed bundles under dist/assets/ (cached forever by the server),
// index.html pointing at them, and the favicon. Run by scripts/build-web (./run.sh, ./test.sh).
import { build } from 'esbuild';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, 'dist');

await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });

// What both bundles share: hashed names under dist/assets/, minified, linked source maps.
const common = {
  bundle: true,
  format: 'esm',
  target: ['chrome110', 'firefox115', 'safari16'],
  minify: true,
  sourcemap: 'linked',
  outdir: path.join(dist, 'assets'),
  entryNames: '[name]-[hash]',
  metafile: true,
  logLevel: 'warning',
};
// The URL the server serves a file under dist/ at.
const url = (file) => `/${path.relative(dist, path.join(here, file)).split(path.sep).join('/')}`;

// The terminal socket worker first: the page bundle learns its hashed URL at build time.
const worker = await build({ ...common, entryPoints: [path.join(here, 'src/terminal/socket_worker.js')] });
const workerFile = Object.keys(worker.metafile.outputs).find((file) => file.endsWith('.js'));
if (!workerFile) throw new Error('build: no bundle for src/terminal/socket_worker.js');

const result = await build({
  ...common,
  entryPoints: [path.join(here, 'src/main.js')],
  define: { SOCKET_WORKER_URL: JSON.stringify(url(workerFile)) },
  splitting: true,
  chunkNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  loader: { '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.svg': 'file', '.png': 'file' },
  legalComments: 'linked',
});

const outputs = Object.entries(result.metafile.outputs);
const entry = outputs.find(([, output]) => output.entryPoint === 'src/main.js');
if (!entry) throw new Error('build: no bundle for src/main.js');
const [js, { cssBundle }] = entry;
if (!cssBundle) throw new Error('build: no CSS bundle for src/main.js');
const template = await readFile(path.join(here, 'index.html'), 'utf8');
await writeFile(path.join(dist, 'index.html'), template.replace('{{js}}', url(js)).replace('{{css}}', url(cssBundle)));
await copyFile(path.join(here, 'favicon.svg'), path.join(dist, 'favicon.svg'));

const size = outputs.reduce((total, [, output]) => total + output.bytes, 0);
console.error(`build-web: ${outputs.length} files, ${(size / 1024).toFixed(0)} KiB in ${path.relative(process.cwd(), dist) || dist}`);
