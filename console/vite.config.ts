import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// Relative asset paths: the same build is served from any folder (local server, Pages, R2 behind the CDN).
export default defineConfig({
  base: "./",
  plugins: [react()],
  build: { outDir: "dist", sourcemap: false, chunkSizeWarningLimit: 4000 },
});
