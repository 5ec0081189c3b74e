// Build-time MathJax: reads JSON requests, one per line, on stdin and answers one JSON line each
// on stdout (see mathjax_prerender.py). MathJax itself comes from the PyPI package
// sphinx-mathjax-offline (MathJax 3.2.2); its directory is the first argument.
//   {"tex": "...", "display": true}  ->  {"html": "<mjx-container ...>"} or {"error": "..."}
//   {"css": true}                     ->  {"css": "..."}  (rules for every glyph rendered so far)
"use strict";
const readline = require("readline");

const mathjaxDir = process.argv[2];
const fontURL = process.argv[3] || "fonts";
const reply = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");
// MathJax's loader logs notes such as "No version information available": keep stdout clean.
console.log = console.info = console.warn = () => {};

require(mathjaxDir + "/node-main.js")
  .init({
    loader: {
      paths: { mathjax: mathjaxDir },
      load: ["input/tex-full", "output/chtml", "adaptors/liteDOM", "a11y/assistive-mml"],
    },
    tex: {
      // Fail on unknown macros instead of showing them in red.
      packages: { "[-]": ["noundefined", "autoload", "require"] },
      formatError: (jax, err) => {
        throw err;
      },
    },
    chtml: { fontURL: fontURL },
    startup: { typeset: false },
  })
  .then((MathJax) => {
    const adaptor = MathJax.startup.adaptor;
    const rl = readline.createInterface({ input: process.stdin, terminal: false });
    rl.on("line", (line) => {
      if (!line.trim()) return;
      let request;
      try {
        request = JSON.parse(line);
        if (request.css) {
          reply({ css: adaptor.textContent(MathJax.chtmlStylesheet()) });
          return;
        }
        const node = MathJax.tex2chtml(request.tex, { display: !!request.display });
        reply({ html: adaptor.outerHTML(node) });
      } catch (err) {
        reply({ error: String((err && err.message) || err) });
      }
    });
    reply({ ready: true });
  })
  .catch((err) => {
    reply({ error: "MathJax failed to start: " + String((err && err.message) || err) });
    process.exit(1);
  });
