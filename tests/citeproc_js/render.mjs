// Render each CSL-JSON entry's bibliography text with citeproc-js, the processor inside Zotero.
//
// usage: node render.mjs STYLE.csl LOCALES_DIR ENTRIES.json [LANG]
// prints {"<id>": "<plain text>", ...}. Each entry is rendered alone (its own bibliography), so no
// disambiguation or author substitution between entries colours the text; the citation-number label of
// numeric styles (csl-left-margin) is left out, as the site shows its own numbers. tests/test_csl_reference.py
// passes the same style file and the same locale XML that citeproc-py uses, so only the processors differ.

import { readFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const require = createRequire(import.meta.url);
const CSL = require("citeproc");

const [stylePath, localesDir, entriesPath, lang = "en-US"] = process.argv.slice(2);
if (!stylePath || !localesDir || !entriesPath) {
  console.error("usage: node render.mjs STYLE.csl LOCALES_DIR ENTRIES.json [LANG]");
  process.exit(2);
}
const items = JSON.parse(readFileSync(entriesPath, "utf8"));
const byId = new Map(items.map((item) => [String(item.id), item]));

const sys = {
  retrieveLocale(code) {
    const path = join(localesDir, `locales-${code}.xml`);
    return existsSync(path) ? readFileSync(path, "utf8") : false;
  },
  retrieveItem(id) {
    return byId.get(String(id));
  },
};

// forceLang false: a style's default-locale wins over LANG, as csl_style.load_style picks the locale (a
// style such as nature.csl, default-locale="en-GB", is formatted with en-GB terms by both processors)
const engine = new CSL.Engine(sys, readFileSync(stylePath, "utf8"), lang, false);
engine.setOutputFormat("html");

const ENTITIES = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };

function plainText(html) {
  const right = html.match(/<div class="csl-right-inline">([\s\S]*?)<\/div>/);
  const body = right ? right[1] : html;
  return body
    .replace(/<[^>]+>/g, "")
    .replace(/&(#x?[0-9a-fA-F]+|[a-z]+);/g, (whole, name) => {
      if (name.startsWith("#x")) return String.fromCodePoint(parseInt(name.slice(2), 16));
      if (name.startsWith("#")) return String.fromCodePoint(parseInt(name.slice(1), 10));
      return ENTITIES[name] ?? whole;
    })
    .replace(/\s+/g, " ")
    .trim();
}

const result = {};
for (const id of byId.keys()) {
  engine.updateItems([id]);
  const bibliography = engine.makeBibliography();
  result[id] = bibliography ? plainText(bibliography[1].join("")) : "";
}
process.stdout.write(JSON.stringify(result, null, 1) + "\n");
