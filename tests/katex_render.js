#!/usr/bin/env node
// Render LaTeX strings with KaTeX, for tests/test_katex.py.
//
// Standard input: one JSON value per line, either a string (rendered in
// display mode) or {"tex": "...", "display": false}. Standard output: one
// JSON object per input line, in order: {"ok": true} or {"ok": false,
// "error": "..."}. Every string is rendered with throwOnError and
// strict: "error", so anything KaTeX would warn about counts as a failure.
//
// KaTeX is looked up in $KATEX_MODULE, then tests/.katex (where .ci/run
// installs it), then node's usual places. Exit status 3 with a message on
// standard error when it is not found; 2 on unreadable input.
"use strict";

const path = require("path");

const places = [
  process.env.KATEX_MODULE,
  path.join(__dirname, ".katex", "node_modules", "katex"),
  "katex",
].filter(Boolean);

function loadKatex() {
  for (const place of places) {
    try {
      return { katex: require(place), from: require.resolve(place) };
    } catch (err) {
      if (err.code !== "MODULE_NOT_FOUND") throw err;
    }
  }
  return null;
}

const found = loadKatex();
if (found === null) {
  process.stderr.write(`katex not found (looked in: ${places.join(", ")})\n`);
  process.exit(3);
}
const { katex } = found;

if (process.argv.includes("--version")) {
  process.stdout.write(`${katex.version} ${found.from}\n`);
  process.exit(0);
}

function render(item) {
  const tex = typeof item === "string" ? item : item.tex;
  const display = typeof item === "string" ? true : item.display !== false;
  if (typeof tex !== "string") {
    return { ok: false, error: "input is not a string" };
  }
  try {
    katex.renderToString(tex, { throwOnError: true, strict: "error", displayMode: display });
    return { ok: true };
  } catch (err) {
    return { ok: false, error: String(err && err.message ? err.message : err) };
  }
}

const chunks = [];
process.stdin.on("data", (chunk) => chunks.push(chunk));
process.stdin.on("end", () => {
  const lines = Buffer.concat(chunks).toString("utf8").split("\n");
  const out = [];
  for (const line of lines) {
    if (line.trim() === "") continue;
    let item;
    try {
      item = JSON.parse(line);
    } catch (err) {
      process.stderr.write(`not a JSON line: ${line.slice(0, 200)}\n`);
      process.exit(2);
    }
    out.push(JSON.stringify(render(item)));
  }
  process.stdout.write(out.length ? out.join("\n") + "\n" : "");
});
