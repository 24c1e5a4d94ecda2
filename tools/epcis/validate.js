#!/usr/bin/env node
// Validates an EPCIS 2.0 JSON-LD document (EPCISDocument or EPCISQueryDocument) with epcis2.js, an
// independent implementation of the EPCIS 2.0 JSON schema (EVRYTHNG/Zebra), so that our tests never
// check our documents against a schema we wrote ourselves.
//
//   node tools/epcis/validate.js document.json     or     ... | node tools/epcis/validate.js
//
// Exit 0 and "valid" on stdout, or exit 1 and the validator's first error on stderr.
'use strict';

const fs = require('node:fs');
const { setup, validateEpcisDocument } = require('epcis2.js');

// Also refuse extension keys whose prefix the document's @context does not declare.
setup({ checkExtensions: true, validationMode: 'full' });

function fail(message) {
  process.stderr.write(`invalid: ${message}\n`);
  process.exit(1);
}

let text;
try {
  text = fs.readFileSync(process.argv[2] || 0, 'utf8');
} catch (error) {
  fail(`cannot read the document: ${error.message}`);
}
let document;
try {
  document = JSON.parse(text);
} catch (error) {
  fail(`not JSON: ${error.message}`);
}
if (document === null || typeof document !== 'object' || Array.isArray(document)) {
  fail('not a JSON object');
}
if (!['EPCISDocument', 'EPCISQueryDocument'].includes(document.type)) {
  fail(`type is ${JSON.stringify(document.type)}, not EPCISDocument or EPCISQueryDocument`);
}
try {
  const result = validateEpcisDocument(document, true);
  if (!result.success) fail(result.errors.join('; '));
} catch (error) {
  fail(error.message);
}
process.stdout.write('valid\n');
