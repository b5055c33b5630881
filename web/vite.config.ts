import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The contract clients are the TypeScript source of packages/starminer-ts;
// CosmJS resolves from this folder's node_modules only (one copy).
export default defineConfig({
  plugins: [react()],
  resolve: {
    alias: {
      "@starminer/contracts": fileURLToPath(new URL("../packages/starminer-ts/src", import.meta.url)),
    },
    dedupe: ["@cosmjs/cosmwasm-stargate", "@cosmjs/stargate", "@cosmjs/proto-signing", "@cosmjs/tendermint-rpc"],
  },
  build: {
    target: "es2022",
    outDir: "dist",
    // Reported by the browser test against its own budget (200 KB gzipped initial JS).
    reportCompressedSize: true,
    chunkSizeWarningLimit: 3000,
  },
});
