// Renders Adaptive Cards with Microsoft's own renderer (npm `adaptivecards`) under jsdom, once per
// Teams host config, and reports what a reader would meet: parse warnings and every text colour
// with the background it sits on.
//
// usage: node render.mjs CARDS.json HOSTCONFIG.json... > report.json
// CARDS.json is {"name": card, ...}; the report is
// {"theme/name": {"warnings": [...], "texts": [{"text", "fg", "bg", "ratio"}], "html": "..."}}.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename } from "node:path";
import { JSDOM } from "jsdom";
import MarkdownIt from "markdown-it";

const dom = new JSDOM("<!DOCTYPE html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
// jsdom has no layout, so no `innerText`; the renderer writes TextRuns and labels through it.
Object.defineProperty(dom.window.HTMLElement.prototype, "innerText", {
  get() {
    return this.textContent;
  },
  set(value) {
    this.textContent = value;
  },
  configurable: true,
});
// The renderer expects a browser's globals (HTMLElement, HTMLButtonElement, Node, ...).
for (const name of Object.getOwnPropertyNames(dom.window)) {
  if (/^(HTML|SVG)\w*Element$|^(Node|Element|Event|KeyboardEvent|getComputedStyle)$/.test(name) && !(name in globalThis)) {
    globalThis[name] = dom.window[name];
  }
}
// The package's `lib/` is extension-less ES modules that Node cannot load; `dist/` is its UMD build.
const AC = createRequire(import.meta.url)("adaptivecards/dist/adaptivecards.js");

// Teams' Markdown subset comes close to CommonMark without HTML; the renderer needs one to show
// Markdown at all (it shows raw text otherwise).
const markdown = new MarkdownIt("commonmark", { html: false });
AC.AdaptiveCard.onProcessMarkdown = (text, result) => {
  result.outputHtml = markdown.render(text);
  result.didProcess = true;
};

function parseColor(css) {
  const m = /rgba?\(([^)]+)\)/.exec(css || "");
  if (m) {
    const [r, g, b, a] = m[1].split(",").map((x) => parseFloat(x));
    return { r, g, b, a: a === undefined || Number.isNaN(a) ? 1 : a };
  }
  const hex = /^#([0-9a-f]{6})$/i.exec(css || "");
  if (hex) {
    const n = parseInt(hex[1], 16);
    return { r: n >> 16, g: (n >> 8) & 255, b: n & 255, a: 1 };
  }
  return null;
}

function over(fg, bg) {
  return {
    r: fg.r * fg.a + bg.r * (1 - fg.a),
    g: fg.g * fg.a + bg.g * (1 - fg.a),
    b: fg.b * fg.a + bg.b * (1 - fg.a),
    a: 1,
  };
}

function luminance(c) {
  const f = (v) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
}

function ratio(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

// The background a text sits on: the nearest rendered ancestor with one, blended down to the
// page colour (the host config's default container background).
function background(element, page) {
  const layers = [];
  for (let node = element; node && node.style; node = node.parentElement) {
    const c = parseColor(node.style.backgroundColor);
    if (c) layers.push(c);
  }
  let bg = page;
  for (const layer of layers.reverse()) bg = over(layer, bg);
  return bg;
}

function foreground(element) {
  for (let node = element; node && node.style; node = node.parentElement) {
    const c = parseColor(node.style.color);
    if (c) return c;
  }
  return null;
}

function render(card, hostConfigJson, theme) {
  const warnings = [];
  const adaptive = new AC.AdaptiveCard();
  adaptive.hostConfig = new AC.HostConfig(hostConfigJson);
  const context = new AC.SerializationContext();
  adaptive.parse(card, context);
  for (let i = 0; i < context.eventCount; i++) {
    const event = context.getEventAt(i);
    warnings.push(`${event.phase}/${event.event}: ${event.message}`);
  }
  for (const event of adaptive.validateProperties().validationEvents) {
    warnings.push(`validation/${event.event}: ${event.message}`);
  }
  const element = adaptive.render();
  if (!element) {
    warnings.push("render: nothing rendered");
    return { warnings, texts: [], html: "" };
  }
  document.body.innerHTML = "";
  document.body.appendChild(element);
  const pageStyle = hostConfigJson.containerStyles.default;
  const page = parseColor(AC.stringToCssColor(pageStyle.backgroundColor)) || { r: 255, g: 255, b: 255, a: 1 };
  const texts = [];
  // Every element holding text of its own, except the Teams client's own chrome (buttons,
  // input boxes), which the host styles and the card cannot colour.
  for (const node of element.querySelectorAll("*")) {
    if (node.closest("button, input, select, textarea, [role=button]")) continue;
    const own = [...node.childNodes]
      .filter((child) => child.nodeType === 3)
      .map((child) => child.textContent)
      .join("")
      .trim();
    if (!own) continue;
    // The asterisk after a required input's label is the host's decoration, in the colour the
    // host config names (Teams draws its own); the card cannot choose it.
    if (node.getAttribute("aria-hidden") === "true" && node.closest("label") && own === "*") continue;
    const fgRaw = foreground(node);
    if (!fgRaw) {
      warnings.push(`colour: no colour for ${JSON.stringify(own.slice(0, 40))}`);
      continue;
    }
    const bg = background(node, page);
    const fg = over(fgRaw, bg);
    texts.push({ text: own.slice(0, 80), fg: fgRaw, bg, ratio: Math.round(ratio(fg, bg) * 100) / 100 });
  }
  return { warnings, texts, html: element.outerHTML, theme };
}

const [cardsPath, ...configPaths] = process.argv.slice(2);
const cards = JSON.parse(readFileSync(cardsPath, "utf-8"));
const report = {};
for (const path of configPaths) {
  const theme = basename(path, ".json");
  const config = JSON.parse(readFileSync(path, "utf-8"));
  for (const [name, card] of Object.entries(cards)) {
    report[`${theme}/${name}`] = render(card, config, theme);
  }
}
process.stdout.write(JSON.stringify(report));
