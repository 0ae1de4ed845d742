import { defineConfig } from "vite";

// Relative asset paths: `paystream serve --console-dir dist` serves the page at / and its assets
// at /assets/NAME. No inline script: the server's Content-Security-Policy allows only the page's own.
export default defineConfig({
  base: "./",
  build: { outDir: "dist", emptyOutDir: true, assetsInlineLimit: 0, modulePreload: { polyfill: false } },
});
