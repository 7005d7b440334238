import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// Two builds from one source (`npm run build`):
// - mode "production" -> dist/: what the stack deploys. `import.meta.env.MODE === "localmode"`
//   is false at build time, so the local sign-in module is never bundled.
// - mode "localmode" -> dist-local/: what `make local` serves, with the local sign-in.
export default defineConfig({
  base: "./",
  plugins: [react()],
  build: {
    target: "es2022",
    sourcemap: false,
    // The console's first load must stay small (target: <= 250 KB of JavaScript, gzipped).
    chunkSizeWarningLimit: 400,
  },
});
