// Copies the GOV.UK Frontend JS and images, and axe-core, into the locations
// served by Django / used by the browser tests. The CSS is compiled by the
// `sass` step of `npm run build` before this script runs.
// The GOV.UK fonts are deliberately NOT copied: we use Arial.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const govuk = resolve(here, "node_modules/govuk-frontend/dist/govuk");
const staticGovuk = resolve(here, "../static/govuk");

// GOV.UK Frontend JS (ES module). Strip the sourceMappingURL comment: the .map
// file is not shipped, and whitenoise's CompressedManifestStaticFilesStorage
// fails collectstatic when a referenced source map is missing.
const js = readFileSync(resolve(govuk, "govuk-frontend.min.js"), "utf8")
  .replace(/\s*\/\/# sourceMappingURL=\S*\s*$/, "");
mkdirSync(staticGovuk, { recursive: true });
writeFileSync(resolve(staticGovuk, "govuk-frontend.min.js"), js + "\n");

// Images only (not fonts). Remove first so stale files do not linger.
const images = resolve(staticGovuk, "assets/images");
rmSync(images, { recursive: true, force: true });
cpSync(resolve(govuk, "assets/images"), images, { recursive: true });

// axe-core for the browser accessibility tests.
const vendor = resolve(here, "../tests/browser/vendor");
mkdirSync(vendor, { recursive: true });
cpSync(resolve(here, "node_modules/axe-core/axe.min.js"), resolve(vendor, "axe.min.js"));

console.log("Built static/govuk and tests/browser/vendor/axe.min.js");
