// Parses an AsyncAPI document with the official parser (@asyncapi/parser) and prints every
// diagnostic; exits 1 when any is an error, so tests/contract/test_asyncapi_parser.py can fail.
//   node tests/contract/asyncapi/check.mjs docs/contracts/asyncapi.json
import { Parser, fromFile, DiagnosticSeverity } from '@asyncapi/parser';

const NAMES = {
  [DiagnosticSeverity.Error]: 'error',
  [DiagnosticSeverity.Warning]: 'warning',
  [DiagnosticSeverity.Information]: 'info',
  [DiagnosticSeverity.Hint]: 'hint',
};

const path = process.argv[2];
if (!path) {
  console.error('usage: node check.mjs <asyncapi document>');
  process.exit(2);
}
const { document, diagnostics } = await fromFile(new Parser(), path).parse();
for (const d of diagnostics) {
  const where = (d.path || []).join('.') || '(document)';
  console.log(`${NAMES[d.severity] ?? d.severity} ${d.code}: ${d.message} at ${where}`);
}
const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error);
if (errors.length > 0 || !document) {
  console.log(`${errors.length} error(s): the document is not valid AsyncAPI`);
  process.exit(1);
}
const messages = document.allMessages().length;
console.log(`valid AsyncAPI ${document.version()}: ${document.channels().length} channels, ${messages} messages`);
