import * as sdk from '@news-forum/sdk';

// The SDK's exports by name, for defaults written as one of its constants.
const SDK_EXPORTS = new Map(Object.entries(sdk));

/**
 * Manifest hygiene: paths of the published files, no private members, no
 * type-only exports, and defaults taken from the SDK's constants shown as
 * their values.
 */
function publishedManifest() {
  const source = (path) => path.replace(/^\.?\//, '').replace(/\.js$/, '.ts');
  const published = (path) =>
    source(path)
      .replace(/^src\//, 'dist/lib/')
      .replace(/\.ts$/, '.js');
  return {
    name: 'published-manifest',
    packageLinkPhase({ customElementsManifest: manifest }) {
      const declared = new Map(manifest.modules.map((mod) => [mod.path, new Set((mod.declarations ?? []).map((d) => d.name))]));
      for (const mod of manifest.modules) {
        for (const declaration of mod.declarations ?? []) {
          if (declaration.members)
            declaration.members = declaration.members.filter((m) => m.privacy !== 'private' && !m.name.startsWith('#'));
          for (const member of [...(declaration.members ?? []), ...(declaration.attributes ?? [])]) {
            if (member.default !== undefined && /^[A-Z][A-Z_]+$/.test(member.default) && SDK_EXPORTS.has(member.default)) {
              const value = SDK_EXPORTS.get(member.default);
              member.default = typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
            }
          }
        }
        mod.exports = (mod.exports ?? []).filter((e) => {
          const module = e.declaration.module;
          // Relative to the exporting module when it starts with ./, else relative to the package.
          const target = !module
            ? mod.path
            : module.startsWith('./')
              ? source(new URL(module, `file:///${mod.path}`).pathname)
              : source(module);
          if (module) e.declaration.module = target;
          return e.kind === 'custom-element-definition' || declared.get(target)?.has(e.declaration.name);
        });
      }
      for (const mod of manifest.modules) {
        mod.path = published(mod.path);
        for (const e of mod.exports) if (e.declaration.module) e.declaration.module = published(e.declaration.module);
      }
      manifest.modules = manifest.modules.filter((mod) => mod.declarations?.length || mod.exports.length);
    },
  };
}

export default {
  // The public modules: the entry, the element, its definition and its events.
  globs: ['src/index.ts', 'src/news-forum/news-forum.ts', 'src/news-forum/define.ts', 'src/events/events.ts'],
  outdir: 'dist',
  litelement: true,
  plugins: [publishedManifest()],
};
