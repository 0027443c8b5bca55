/**
 * Deploy parameters checked when the stack is packaged (serverless.yml `custom.paramChecks`), for the
 * rules CloudFormation parameters cannot express one by one and the framework gives no `Rules`
 * section for. A violation stops `serverless package` / `deploy` before anything is created, with
 * the reason; deploy/opensearch.yml keeps a backstop for templates deployed without the framework.
 *
 * - createDomain=true needs domainMasterPrincipals: the people who may assume the domain's master
 *   role. Without them nobody could ever sign in to the domain or change a role mapping.
 * - enrichment (on unless 'false') needs its data where the functions' packages take it from
 *   (serverless.yml `custom.enrichmentData`): the ASN table `npm run build` writes and the country
 *   database. A pattern matching nothing packs nothing, and the functions would fail at cold start.
 *
 * @example
 *   // serverless.yml
 *   custom:
 *     paramChecks: ${file(./deploy/check-params.js)}
 */
'use strict';

/** The problems of a set of parameter values (strings, as the framework resolves them); [] = fine. */
function paramProblems(params) {
  const problems = [];
  const list = (v) => String(v ?? '').split(',').map((x) => x.trim()).filter(Boolean);
  if (String(params.createDomain) === 'true' && list(params.domainMasterPrincipals).length === 0) {
    problems.push(
      "domainMasterPrincipals is required when createDomain=true: the IAM role/user ARNs (wildcards allowed) of the people who may assume the domain's master role, e.g. --param=\"domainMasterPrincipals=arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_LogAdmin_*\" (deploy/README.md)",
    );
  }
  return problems;
}

/** The enrichment data files the functions' packages need, missing under `root`; [] = fine or enrichment off. */
function enrichmentDataProblems(params, root) {
  if (String(params.enrichment) === 'false') return [];
  const fs = require('node:fs');
  const path = require('node:path');
  const problems = [];
  const pkg = path.join(root, 'node_modules/@ip-location-db/asn/package.json');
  const version = fs.existsSync(pkg) ? JSON.parse(fs.readFileSync(pkg, 'utf8')).version : undefined;
  if (!version) problems.push('enrichment data missing: @ip-location-db/asn is not installed (run npm ci), or set enrichment=false');
  else {
    const table = `dist/enrich/asn-${String(version).replace(/[^\w.-]/g, '_')}.bin`;
    if (!fs.existsSync(path.join(root, table))) problems.push(`enrichment data missing: ${table} (run npm run build), or set enrichment=false`);
  }
  const country = 'node_modules/@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb';
  if (!fs.existsSync(path.join(root, country))) problems.push(`enrichment data missing: ${country} (run npm ci), or set enrichment=false`);
  return problems;
}

module.exports = async ({ resolveVariable }) => {
  const params = {};
  for (const name of ['createDomain', 'domainMasterPrincipals', 'enrichment']) params[name] = await resolveVariable(`param:${name}`);
  const problems = [...paramProblems(params), ...enrichmentDataProblems(params, require('node:path').join(__dirname, '..'))];
  if (problems.length) {
    const e = new Error(problems.join('; '));
    // The framework prints the stack of a failing resolver: the reason alone is what a deployer needs.
    e.stack = e.message;
    throw e;
  }
  return 'ok';
};
module.exports.paramProblems = paramProblems;
module.exports.enrichmentDataProblems = enrichmentDataProblems;
