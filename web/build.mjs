// Builds the dashboard into dist/: app.js (bundled, minified), app.css (ours + uPlot's), index.html
// (with the small preboot script inlined).
// The server embeds every file under dist/, so dist/ is emptied first and holds exactly these three.
// Usage: node build.mjs            (type-check, then bundle)
//        node build.mjs --no-check (bundle only, for quick iterations)
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import * as esbuild from 'esbuild';

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, 'dist');
const require = createRequire(import.meta.url);

if (!process.argv.includes('--no-check')) {
  // tsc is the type checker only; esbuild strips types without checking them.
  try {
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '--noEmit', '-p', root], { stdio: 'inherit' });
  } catch {
    console.error('build: type check failed (errors above)');
    process.exit(1);
  }
}

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

// uPlot creates an Intl.NumberFormat and an Intl.DateTimeFormat when its module loads. The first
// Intl object loads ICU data, which costs tens of milliseconds of the first paint on a slow
// machine, and the page needs neither (it formats every value itself, and uses local time). Make
// both lazy. Each replacement must match exactly once, so an upgrade of uPlot gets a look here.
const lazyIntl = {
  name: 'uplot-lazy-intl',
  setup(build) {
    build.onLoad({ filter: /uplot[\\/]dist[\\/]uPlot\.esm\.js$/ }, (args) => {
      let code = readFileSync(args.path, 'utf8');
      const swaps = [
        [
          "const numFormatter = new Intl.NumberFormat(domEnv ? nav.language : 'en-US');\nconst fmtNum = val => numFormatter.format(val);",
          "let numFormatter = null;\nconst fmtNum = val => (numFormatter ??= new Intl.NumberFormat(domEnv ? nav.language : 'en-US')).format(val);",
        ],
        [
          'const localTz = new Intl.DateTimeFormat().resolvedOptions().timeZone;',
          'let _localTz = null;\nconst localTzName = () => (_localTz ??= new Intl.DateTimeFormat().resolvedOptions().timeZone);',
        ],
        ['else if (tz == localTz)', 'else if (tz == localTzName())'],
      ];
      for (const [from, to] of swaps) {
        if (code.split(from).length !== 2) throw new Error(`uplot-lazy-intl: expected exactly one "${from.split('\n')[0]}" in ${args.path}`);
        code = code.replace(from, to);
      }
      return { contents: code, loader: 'js' };
    });
  },
};

await esbuild.build({
  plugins: [lazyIntl],
  entryPoints: [join(root, 'src/main.ts')],
  outfile: join(dist, 'app.js'),
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['chrome100', 'firefox100', 'safari15'],
  legalComments: 'none',
  logLevel: 'warning',
});

// uPlot's own stylesheet first, so that ours can override it.
const uplotCss = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
const ours = await esbuild.transform(readFileSync(join(root, 'src/style.css'), 'utf8'), { loader: 'css', minify: true });
writeFileSync(join(dist, 'app.css'), uplotCss.trim() + '\n' + ours.code);

// The preboot script is inlined so that the first API requests leave while the HTML is parsed,
// not after app.js has been fetched and compiled.
const preboot = await esbuild.build({
  entryPoints: [join(root, 'src/preboot.ts')],
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['chrome100', 'firefox100', 'safari15'],
  write: false,
  logLevel: 'warning',
});
const prebootJs = preboot.outputFiles[0].text.trim();
if (prebootJs.includes('</script')) throw new Error('preboot: the script must not contain </script');
const html = readFileSync(join(root, 'src/index.html'), 'utf8');
const marker = /<!-- preboot:[^>]*-->/;
if (!marker.test(html)) throw new Error('index.html: the preboot marker is missing');
writeFileSync(join(dist, 'index.html'), html.replace(marker, () => `<script>${prebootJs}</script>`));
