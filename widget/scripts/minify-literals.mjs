// A rollup plugin that squeezes the whitespace out of the css`` and html``
// templates of our own modules, which terser leaves alone. It edits only
// whitespace that renders the same: CSS around braces, semicolons and
// commas; in HTML, a line break and its indentation become one space.
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
      .replace(/\s*([{};,])\s*/g, '$1')
      .replace(/:\s+/g, ':')
      .replace(/;}/g, '}'),
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
        for (const quasi of node.quasi.quasis) {
          const raw = code.slice(quasi.start, quasi.end);
          const next = squeeze[node.tag.name](raw);
          if (next !== raw) out.overwrite(quasi.start, quasi.end, next || ' ');
        }
      }
      return { code: out.toString(), map: out.generateMap({ hires: true }) };
    },
  };
}
