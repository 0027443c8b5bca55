/**
 * The security roles and mappings `tributary setup` owns (lib/setup/security.ts), as bodies, and how
 * the CLI builds the setup function's configuration. Applying them to a real secured cluster, and
 * proving each indexer permission is needed, is test/integration/secured.test.ts.
 */
import { setupConfigFromFlags, type SetupFlags } from '../../bin/commands/setup';
import { applySecurity, INDEXER_CLUSTER_PERMISSIONS, INDEXER_INDEX_PERMISSIONS, roleMapping, securityRoleName, securityRoles } from '../../lib/setup/security';
import type { SearchHttp } from '../../lib/setup/http';

describe('security roles', () => {
  const roles = securityRoles('logs');

  it('indexer: exactly the bulk write path on logs-*, nothing else', () => {
    expect(roles.indexer.cluster_permissions).toEqual(['indices:data/write/bulk']);
    expect(roles.indexer.index_permissions).toEqual([
      { index_patterns: ['logs-*'], allowed_actions: ['indices:data/write/bulk[s]', 'indices:data/write/index', 'indices:data/write/update', 'indices:admin/create'] },
    ]);
    expect(roles.indexer.tenant_permissions).toEqual([]);
    expect([...INDEXER_CLUSTER_PERMISSIONS, ...INDEXER_INDEX_PERMISSIONS].every((p) => !p.includes('*'))).toBe(true);
  });

  it('reader: reads logs-* and the global tenant, writes nothing of the pipeline', () => {
    const own = roles.reader.index_permissions.find((p) => p.index_patterns.includes('logs-*'))!;
    expect(own.allowed_actions).toEqual(['read']);
    expect(roles.reader.cluster_permissions).toEqual(['cluster_composite_ops_ro']);
    expect(roles.reader.tenant_permissions).toEqual([{ tenant_patterns: ['global_tenant'], allowed_actions: ['kibana_all_read'] }]);
    // Write actions only on Dashboards' own indices (a private tenant), never on a pattern that could hold logs.
    for (const p of roles.reader.index_permissions.filter((x) => x !== own)) for (const i of p.index_patterns) expect(i).toMatch(/^\.(kibana|opensearch_dashboards)/);
  });

  it('admin: everything on logs-*, no security configuration, no other indices', () => {
    expect(roles.admin.index_permissions[0]).toEqual({ index_patterns: ['logs-*'], allowed_actions: ['indices_all'] });
    expect(JSON.stringify(roles.admin)).not.toMatch(/security|all_access|"\*"/);
    expect(roles.admin.tenant_permissions).toEqual([{ tenant_patterns: ['global_tenant'], allowed_actions: ['kibana_all_write'] }]);
  });

  it('never reaches another prefix: every own pattern is <prefix>-*', () => {
    const other = securityRoles('audit.prod');
    for (const r of Object.values(other)) for (const p of r.index_permissions) for (const i of p.index_patterns) expect(i === 'audit.prod-*' || i.startsWith('.')).toBe(true);
    expect(securityRoleName('audit.prod', 'reader')).toBe('audit.prod_reader');
  });
});

describe('role mappings', () => {
  it('maps IAM users as users and roles / SAML groups as backend roles, sorted and de-duplicated', () => {
    const m = roleMapping(
      ['arn:aws:iam::111122223333:role/b', 'Log Readers', 'arn:aws:iam::111122223333:user/alice', 'arn:aws:iam::111122223333:role/b', 'arn:aws-us-gov:iam::111122223333:user/bob'],
      'd',
    );
    expect(m).toEqual({
      description: 'd',
      backend_roles: ['Log Readers', 'arn:aws:iam::111122223333:role/b'],
      users: ['arn:aws-us-gov:iam::111122223333:user/bob', 'arn:aws:iam::111122223333:user/alice'],
      hosts: [],
    });
    expect(roleMapping([], 'd')).toEqual({ description: 'd', backend_roles: [], users: [], hosts: [] });
  });

  it('touches no cluster when no list is given (the plain local cluster, an operator re-running setup)', async () => {
    const untouchable: SearchHttp = {
      request: () => {
        throw new Error('no request expected');
      },
    };
    for (const o of [undefined, {}, { indexer: undefined }]) {
      const changes = await applySecurity(untouchable, 'logs', o, false);
      expect(changes).toEqual([expect.objectContaining({ kind: 'security_role', status: 'skipped' })]);
    }
  });
});

describe('tributary setup: the configuration from flags', () => {
  const flags: SetupFlags = { opensearch: 'https://127.0.0.1:9201', auth: 'basic', indexPrefix: 'logs', detections: 'on' };

  it('takes credentials from the environment, lists from the flags (which win), and ignores the rest of the shell', () => {
    const c = setupConfigFromFlags(
      { ...flags, readerBackendRoles: 'Analysts', adminBackendRoles: '' },
      { OPENSEARCH_USERNAME: 'admin', OPENSEARCH_PASSWORD: 'pw', READER_BACKEND_ROLES: 'ignored', INDEXER_BACKEND_ROLES: 'arn:aws:iam::111122223333:role/idx', ARCHIVE_BUCKET: 'Not_A_Bucket', BULK_MAX_DOCS: 'many' },
    );
    expect(c.opensearch).toMatchObject({ node: 'https://127.0.0.1:9201', auth: 'basic', username: 'admin', password: 'pw' });
    expect(c.roleMappings).toEqual({ indexer: ['arn:aws:iam::111122223333:role/idx'], readers: ['Analysts'], admins: [] });
  });

  it('reports every bad value at once', () => {
    expect(() => setupConfigFromFlags({ ...flags, caFile: '/nonexistent/ca.pem', indexerBackendRoles: 'arn:aws:iam::x:role/y' }, {})).toThrow(
      /OPENSEARCH_USERNAME and OPENSEARCH_PASSWORD are required.*OPENSEARCH_CA_FILE \/nonexistent\/ca\.pem cannot be read.*INDEXER_BACKEND_ROLES/,
    );
  });
});
