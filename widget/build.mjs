// Builds widget/dist: the widget (one IIFE file), the rep console and the demo site.
// Usage: node build.mjs [--watch]
import { build, context } from "esbuild";
import { cpSync, mkdirSync, rmSync, readFileSync, writeFileSync, statSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "dist");
const watch = process.argv.includes("--watch");

const common = {
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020", "chrome90", "firefox90", "safari14"],
  legalComments: "none",
  // socket.io-client's debug logging is dead weight in production.
  define: { "process.env.NODE_ENV": '"production"' },
  logLevel: "warning",
};

const entries = [
  { entryPoints: [join(here, "src/widget/index.js")], outfile: join(dist, "widget/waterdesk.js") },
  { entryPoints: [join(here, "src/console/index.js")], outfile: join(dist, "console/console.js") },
];

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
// Static pages and styles are copied as they are.
cpSync(join(here, "src/demo/site"), join(dist, "demo"), { recursive: true });
cpSync(join(here, "src/console/static"), join(dist, "console"), { recursive: true });

if (watch) {
  for (const options of entries) await (await context({ ...common, ...options })).watch();
  console.log("watching widget/src for changes");
} else {
  await Promise.all(entries.map((options) => build({ ...common, ...options })));
  const report = {};
  for (const file of ["widget/waterdesk.js", "console/console.js"]) {
    const bytes = readFileSync(join(dist, file));
    report[file] = { bytes: statSync(join(dist, file)).size, gzip: gzipSync(bytes, { level: 9 }).length };
  }
  writeFileSync(join(dist, "sizes.json"), `${JSON.stringify(report, null, 2)}\n`);
}
