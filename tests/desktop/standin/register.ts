import { register } from 'node:module';

/**
 * `node --import tsx --import ./tests/desktop/standin/register.ts out/main/index.js` runs the
 * built main bundle with every `import 'electron'` resolved to the stand-in (electron.ts).
 */
const standIn = new URL('./electron.ts', import.meta.url).href;
const hooks = `
export async function resolve(specifier, context, next) {
  if (specifier === 'electron') return next(${JSON.stringify(standIn)}, context);
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
