import { resolve } from 'node:path';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';

/**
 * `npm run dev` only: Vite's dev server injects component styles as `<style>` elements, which
 * the renderer's `<meta>` CSP (`style-src 'self'`) blocks, leaving the app unstyled. The dev
 * server's page gets inline styles allowed; scripts stay `'self'`, and the build (what ships,
 * `apply: 'serve'` never runs there) keeps the strict policy.
 */
export function developmentCsp(): Plugin {
  return {
    name: 'leash-development-csp',
    apply: 'serve',
    transformIndexHtml: (html) =>
      html.replace(/(<meta http-equiv="Content-Security-Policy" content=")([^"]*)(")/, (_match, open: string, policy: string, close: string) => `${open}${relaxForDevelopment(policy)}${close}`),
  };
}

export function relaxForDevelopment(policy: string): string {
  return policy.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'");
}

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      // Chunks (the CLI the app binary serves) sit beside index.js; src-main/cli/packageRoot.ts
      // finds package.json upward from them, as it does from dist/cli/.
      rollupOptions: { input: { index: resolve('src-main/index.ts') }, output: { chunkFileNames: '[name]-[hash].js' } },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // Sandboxed preloads must be CommonJS.
      rollupOptions: { input: { index: resolve('src-preload/index.ts') }, output: { format: 'cjs', entryFileNames: '[name].cjs' } },
    },
  },
  renderer: {
    root: 'src-renderer',
    build: {
      outDir: 'out/renderer',
      // What ships is minified: less for V8 to parse before the first render.
      minify: true,
      rollupOptions: {
        input: { index: resolve('src-renderer/index.html') },
        // Vue and Pinia in one chunk of their own, shared by the first script and the later views.
        output: { manualChunks: (id) => (id.includes('/node_modules/') || id.includes('plugin-vue:export-helper') ? 'vendor' : undefined) },
      },
    },
    plugins: [vue(), developmentCsp()],
  },
});
