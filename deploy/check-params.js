/**
 * Deploy parameters checked when the stack is packaged (serverless.yml `custom.paramChecks`), for the
 * rules CloudFormation parameters cannot express one by one and the framework gives no `Rules`
 * section for. A violation stops `serverless package` / `deploy` before anything is created, with
 * the reason; deploy/opensearch.yml keeps a backstop for templates deployed without the framework.
 *
 * - createDomain=true needs domainMasterPrincipals: the people who may assume the domain's master
 *   role. Without them nobody could ever sign in to the domain or change a role mapping.
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

module.exports = async ({ resolveVariable }) => {
  const params = {};
  for (const name of ['createDomain', 'domainMasterPrincipals']) params[name] = await resolveVariable(`param:${name}`);
  const problems = paramProblems(params);
  if (problems.length) {
    const e = new Error(problems.join('; '));
    // The framework prints the stack of a failing resolver: the reason alone is what a deployer needs.
    e.stack = e.message;
    throw e;
  }
  return 'ok';
};
module.exports.paramProblems = paramProblems;
