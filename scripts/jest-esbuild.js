// Jest transform: TypeScript to CommonJS with esbuild (type checking is `npm run typecheck`).
const { transformSync } = require('esbuild');

module.exports = {
  process(source, filename) {
    const { code, map } = transformSync(source, {
      loader: filename.endsWith('.ts') ? 'ts' : 'js',
      format: 'cjs',
      target: 'node22',
      sourcemap: 'both',
      sourcefile: filename,
    });
    return { code, map };
  },
};
