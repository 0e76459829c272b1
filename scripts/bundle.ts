/** `tsx scripts/bundle.ts`: writes dist/lib and dist/cli, the bundled Node entry and command line (see scripts/lib/bundle.ts). */
import { bundleNode } from "./lib/bundle.js";

await bundleNode();
