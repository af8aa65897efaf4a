// A rollup plugin that squeezes the whitespace out of the css`` and html``
// templates of our own modules, which terser leaves alone. It edits only
// whitespace that renders the same: CSS around braces, semicolons, commas
// and child combinators, a leading zero of a number; in HTML, a line break and its indentation become one space.
import MagicString from 'magic-string';

const TAGS = new Set(['css', 'html']);

function* taggedTemplates(node) {
  if (!node || typeof node.type !== 'string') return;
  if (node.type === 'TaggedTemplateExpression' && TAGS.has(node.tag.name)) yield node;
  for (const value of Object.values(node)) {
    if (Array.isArray(value)) for (const child of value) yield* taggedTemplates(child);
    else if (value && typeof value === 'object') yield* taggedTemplates(value);
  }
}

const squeeze = {
  css: (text) =>
    text
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\s+/g, ' ')
      .replace(/\s*([{};,>])\s*/g, '$1')
      .replace(/:\s+/g, ':')
      .replace(/;}/g, '}')
      // `0.5em` is `.5em`; `calc(x * 2)` needs no spaces around `*` (only `+` and `-` do); nor does `!important`.
      .replace(/([\s:(,])0\.(\d)/g, '$1.$2')
      .replace(/\) \* (\d)/g, ')*$1')
      .replace(/ !important/g, '!important'),
  html: (text) => text.replace(/\s*\n\s*/g, ' '),
};

/** @param {{ include: (id: string) => boolean }} options */
export function minifyLiterals({ include }) {
  return {
    name: 'minify-literals',
    transform(code, id) {
      if (!include(id) || !/\b(css|html)\s*`/.test(code)) return null;
      const out = new MagicString(code);
      for (const node of taggedTemplates(this.parse(code))) {
        const { quasis } = node.quasi;
        for (const [i, quasi] of quasis.entries()) {
          const raw = code.slice(quasi.start, quasi.end);
          let next = squeeze[node.tag.name](raw);
          // A style sheet's (or a part of one's) leading and trailing whitespace is nothing.
          if (node.tag.name === 'css') {
            if (i === 0) next = next.trimStart();
            if (i === quasis.length - 1) next = next.trimEnd();
          }
          if (next === raw) continue;
          if (next) out.overwrite(quasi.start, quasi.end, next);
          else if (node.tag.name === 'css') out.remove(quasi.start, quasi.end);
          else out.overwrite(quasi.start, quasi.end, ' ');
        }
      }
      return { code: out.toString(), map: out.generateMap({ hires: true }) };
    },
  };
}
