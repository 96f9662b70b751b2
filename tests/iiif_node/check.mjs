// Reads a JSON list of {url, doc} on stdin (Presentation 3 manifests and collections as our
// server gave them) and prints, for each, what @iiif/parser made of it: the warnings of its
// strict upgrade (presentation3StrictUpgrade) and any error normalizing it (normalize, as
// viewers built on @iiif/parser do). Exit status 0; the test judges the report.
import { normalize } from "@iiif/parser";
import { presentation3StrictUpgrade } from "@iiif/parser/strict";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const jobs = JSON.parse(Buffer.concat(chunks).toString("utf8"));
const report = [];
for (const { url, doc } of jobs) {
  const state = { warnings: [] };
  let error = null;
  let type = null;
  try {
    const strict = presentation3StrictUpgrade(structuredClone(doc), state);
    const result = normalize(strict);
    type = result.resource && result.resource.type;
    if (!result.entities[type] || !result.entities[type][doc.id]) {
      error = `normalize did not yield the ${doc.type} ${doc.id}`;
    }
  } catch (e) {
    error = String((e && e.stack) || e);
  }
  report.push({ url, type, warnings: state.warnings, error });
}
process.stdout.write(JSON.stringify(report));
