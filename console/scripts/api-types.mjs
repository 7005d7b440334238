// src/api-types.ts from docs/openapi.json (openapi-typescript, then prettier).
// `npm run api-types` writes it; `npm run api-types -- --check` fails when the committed
// file differs from what the contract generates (run by `npm run lint` and `npm run build`),
// so a route change that the console has not caught up with stops the build.
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString, COMMENT_HEADER } from "openapi-typescript";
import * as prettier from "prettier";

const contract = new URL("../../docs/openapi.json", import.meta.url);
const target = fileURLToPath(new URL("../src/api-types.ts", import.meta.url));

const header =
  COMMENT_HEADER.trimEnd() +
  "\n// Source: docs/openapi.json. Regenerate with `npm run api-types` (in console/).\n\n";
const generated = header + astToString(await openapiTS(contract));
const options = (await prettier.resolveConfig(target)) ?? {};
const text = await prettier.format(generated, { ...options, filepath: target });

if (process.argv.includes("--check")) {
  const committed = await readFile(target, "utf8").catch(() => "");
  if (committed !== text) {
    console.error(
      "console/src/api-types.ts is stale: docs/openapi.json changed. Run `npm run api-types` in console/ and commit the result.",
    );
    process.exit(1);
  }
  console.log("console/src/api-types.ts matches docs/openapi.json");
} else {
  await writeFile(target, text);
  console.log("wrote console/src/api-types.ts");
}
