/** `tsx scripts/bundle-cli.ts`: writes dist/cli, the bundled command line (see scripts/lib/bundle-cli.ts). */
import { bundleCli } from "./lib/bundle-cli.js";

await bundleCli();
