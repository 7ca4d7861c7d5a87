#!/usr/bin/env node
// The baseline of `npm run bench`: plain cdk8s writing the very same manifests. It loads the YAML that
// `npm run synth` wrote and synthesizes it again through bare ApiObjects, so the only difference to the
// main command is our constructs' own work.
'use strict';
const fs = require('fs');
const path = require('path');
const { App, ApiObject, Chart, Yaml } = require('cdk8s');

const source = process.argv[2];
const outdir = process.argv[3];
const app = new App({ outdir });
for (const file of fs.readdirSync(source).filter((f) => f.endsWith('.k8s.yaml')).sort()) {
  const chart = new Chart(app, path.basename(file, '.k8s.yaml'));
  Yaml.load(path.join(source, file)).forEach((obj, i) => {
    if (obj) new ApiObject(chart, `o${i}`, obj);
  });
}
app.synth();
