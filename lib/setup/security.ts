/**
 * Least-privilege security roles and role mappings (the security plugin's REST API,
 * `_plugins/_security/api`; on Amazon OpenSearch Service this is fine-grained access control).
 *
 * Setup owns three roles per index prefix and their mappings, and sets them to exactly what is
 * below on every run (a hand edit is undone, so people are added through the parameters):
 *
 * - `<prefix>_indexer`, for the indexer's IAM role. The minimum the indexer's `_bulk` (index with
 *   `_id`, update + `doc_as_upsert`, first write of a day creating the index) needs, found by
 *   removing one permission at a time on a real secured cluster; `test/integration/secured.test.ts`
 *   proves each is still needed, and that the sample data of every source indexes with this role:
 *   - cluster `indices:data/write/bulk`: the security plugin checks the top-level bulk action as a
 *     cluster permission (without it the whole request is 403);
 *   - on `<prefix>-*`: `indices:data/write/bulk[s]` (the per-shard bulk), `indices:data/write/index`
 *     and `indices:data/write/update` (a shard request holding both actions needs both, or every item
 *     of it is 403), `indices:admin/create` (the day's first document creates the index from the
 *     templates). No mapping updates (the templates map every field, `dynamic: false`), no reads,
 *     no template, alias or ISM rights; nothing outside the prefix.
 * - `<prefix>_reader`, for people who search in Dashboards: read and search `<prefix>-*`, the
 *   Dashboards indices (as OpenSearch's own `kibana_user` role has them, so Discover and a private
 *   tenant work), and the global tenant (where setup imports the dashboards) read-only.
 * - `<prefix>_admin`, for people who run the pipeline's data: everything on `<prefix>-*` (delete a
 *   day, reindex), index and component templates, ISM policies, alerting monitors and the
 *   notification channels they send to (`alerts.ts`; channels hold webhook URLs, which is why
 *   readers get no notifications permission), and the global tenant read-write. Not the security
 *   configuration: that stays with the master user.
 *
 * Mappings: each entry of a list is an IAM role ARN (the indexer's role, people's roles through
 * Cognito or IAM Identity Center) or a SAML group, mapped as a backend role; IAM user ARNs are
 * mapped as users (that is how fine-grained access control names them). A list that is not given
 * leaves its mapping alone; a given list, even empty, is the whole mapping.
 */
import { containsJson, sameJson } from './compare';
import { expectOk, type SearchHttp } from './http';

export interface SecurityOptions {
  /** Backend roles / IAM ARNs of the indexer (its Lambda role). */
  indexer?: string[];
  /** People who search: IAM role ARNs or SAML groups. */
  readers?: string[];
  /** People who administer the pipeline's indices, templates, policies and monitors. */
  admins?: string[];
}

/** The three roles setup owns per prefix. */
export type SecurityRoleKind = 'indexer' | 'reader' | 'admin';

/** In the order setup writes them. */
export const SECURITY_ROLE_KINDS: readonly SecurityRoleKind[] = ['indexer', 'reader', 'admin'];

const OPTION_OF: Record<SecurityRoleKind, keyof SecurityOptions> = { indexer: 'indexer', reader: 'readers', admin: 'admins' };

/**
 * The security role name of one kind: the kind after the last `_` (kinds hold none), so two prefixes never share a name.
 * @example securityRoleName('logs', 'indexer') // 'logs_indexer'
 */
export const securityRoleName = (prefix: string, kind: SecurityRoleKind): string => `${prefix}_${kind}`;

/** The indexer's cluster permissions: the minimum for its `_bulk` (see the file header for how it was found). */
export const INDEXER_CLUSTER_PERMISSIONS = ['indices:data/write/bulk'] as const;
/** The indexer's permissions on `<prefix>-*`, each one needed (test/integration/secured.test.ts removes each in turn). */
export const INDEXER_INDEX_PERMISSIONS = ['indices:data/write/bulk[s]', 'indices:data/write/index', 'indices:data/write/update', 'indices:admin/create'] as const;

/** The Dashboards indices and actions of OpenSearch's `kibana_user` role (what Dashboards needs per user). */
const DASHBOARDS_INDICES = {
  index_patterns: ['.kibana', '.kibana-6', '.kibana_*', '.opensearch_dashboards', '.opensearch_dashboards-6', '.opensearch_dashboards_*'],
  allowed_actions: ['read', 'delete', 'manage', 'index'],
};

/** A role as `PUT _plugins/_security/api/roles/<name>` takes it. */
export interface RoleBody {
  description: string;
  cluster_permissions: string[];
  index_permissions: { index_patterns: string[]; allowed_actions: string[] }[];
  tenant_permissions: { tenant_patterns: string[]; allowed_actions: string[] }[];
}

/**
 * The three role bodies for `PUT _plugins/_security/api/roles/<name>`, by kind.
 * @example securityRoles('logs').indexer.index_permissions[0].index_patterns // ['logs-*']
 */
export function securityRoles(prefix: string): Record<SecurityRoleKind, RoleBody> {
  const own = `${prefix}-*`;
  const managed = `managed by tributary setup (prefix ${prefix}); changes are overwritten`;
  return {
    indexer: {
      description: `Tributary indexer: bulk-writes ${own}, creating each day's index; ${managed}`,
      cluster_permissions: [...INDEXER_CLUSTER_PERMISSIONS],
      index_permissions: [{ index_patterns: [own], allowed_actions: [...INDEXER_INDEX_PERMISSIONS] }],
      tenant_permissions: [],
    },
    reader: {
      description: `Tributary reader: searches ${own} in Dashboards; ${managed}`,
      // mget, msearch, scroll, alias lookups and index resolution: what Discover and dashboards send.
      cluster_permissions: ['cluster_composite_ops_ro'],
      index_permissions: [{ index_patterns: [own], allowed_actions: ['read'] }, DASHBOARDS_INDICES],
      tenant_permissions: [{ tenant_patterns: ['global_tenant'], allowed_actions: ['kibana_all_read'] }],
    },
    admin: {
      description: `Tributary admin: manages ${own}, templates, ISM policies, monitors and alert channels; ${managed}`,
      cluster_permissions: [
        'cluster_composite_ops',
        'cluster_monitor',
        'indices:admin/index_template/*',
        'cluster:admin/component_template/*',
        'cluster:admin/opendistro/ism/*',
        'cluster:admin/opendistro/alerting/*',
        'cluster:admin/opensearch/notifications/*',
      ],
      index_permissions: [{ index_patterns: [own], allowed_actions: ['indices_all'] }, DASHBOARDS_INDICES],
      tenant_permissions: [{ tenant_patterns: ['global_tenant'], allowed_actions: ['kibana_all_write'] }],
    },
  };
}

/** A role mapping as `PUT _plugins/_security/api/rolesmapping/<name>` takes it. */
export interface MappingBody {
  description: string;
  backend_roles: string[];
  users: string[];
  hosts: string[];
}

/** IAM users are users in fine-grained access control; roles, SAML groups and the rest are backend roles. */
const IAM_USER = /^arn:aws[a-z-]*:iam::\d{12}:user\//;

/**
 * The role mapping body for a list of principals (sorted and de-duplicated, so the same list is the same body).
 * @example roleMapping(['arn:aws:iam::111122223333:role/tributary-prod-indexer'], 'x').backend_roles // ['arn:aws:iam::111122223333:role/tributary-prod-indexer']
 */
export function roleMapping(principals: readonly string[], description: string): MappingBody {
  const uniq = (xs: string[]) => [...new Set(xs)].sort();
  return {
    description,
    backend_roles: uniq(principals.filter((p) => !IAM_USER.test(p))),
    users: uniq(principals.filter((p) => IAM_USER.test(p))),
    hosts: [],
  };
}

/** One change of the security part, in the shape of `apply.ts`'s `Change`. */
export interface SecurityChange {
  kind: 'security_role' | 'role_mapping';
  name: string;
  status: 'created' | 'updated' | 'unchanged' | 'skipped';
  detail?: string;
}

const API = '/_plugins/_security/api';

/** Thrown when mappings were asked for but the cluster cannot hold them (no security plugin, Serverless). */
export class SecurityUnavailableError extends Error {}

/**
 * Applies the roles and the mappings whose lists are given; reports every object. Roles are written
 * before mappings, so a principal is never mapped to a role that does not exist yet.
 * @example await applySecurity(http, 'logs', { indexer: ['arn:aws:iam::111122223333:role/tributary-prod-indexer'], readers: [], admins: ['LogAdmins'] }, false)
 */
export async function applySecurity(http: SearchHttp, prefix: string, o: SecurityOptions | undefined, dryRun: boolean): Promise<SecurityChange[]> {
  const given = SECURITY_ROLE_KINDS.filter((k) => o?.[OPTION_OF[k]] !== undefined);
  if (!o || !given.length) {
    return [
      {
        kind: 'security_role',
        name: `${securityRoleName(prefix, 'indexer')}, _reader, _admin`,
        status: 'skipped',
        detail: 'no role mapping lists given (indexer / reader / admin backend roles)',
      },
    ];
  }
  // The caller's own account: 200 on a secured cluster; "no handler" (400/404) without the plugin.
  const account = await http.request('GET', `${API}/account`);
  if (account.status === 400 || account.status === 404)
    throw new SecurityUnavailableError(
      'role mappings were requested but the cluster has no security REST API (no security plugin, or OpenSearch Serverless: use data access policies there)',
    );
  expectOk(account, 'GET', `${API}/account`);

  const changes: SecurityChange[] = [];
  const roles = securityRoles(prefix);
  for (const kind of SECURITY_ROLE_KINDS) {
    const name = securityRoleName(prefix, kind);
    changes.push(await putIfChanged(http, 'security_role', `${API}/roles/${encodeURIComponent(name)}`, name, roles[kind], dryRun, (cur) => containsJson(cur, roles[kind])));
  }
  for (const kind of SECURITY_ROLE_KINDS) {
    const name = securityRoleName(prefix, kind);
    const list = o[OPTION_OF[kind]];
    if (list === undefined) {
      changes.push({ kind: 'role_mapping', name, status: 'skipped', detail: `no ${OPTION_OF[kind]} list given: mapping left as it is` });
      continue;
    }
    const wanted = roleMapping(list, `Tributary ${kind}s; managed by tributary setup from its parameters`);
    const change = await putIfChanged(http, 'role_mapping', `${API}/rolesmapping/${encodeURIComponent(name)}`, name, wanted, dryRun, (cur) => {
      const c = cur as Partial<MappingBody> & { and_backend_roles?: string[] };
      // The principals decide access: compare them as sets; the description must match too.
      const set = (xs: string[] | undefined) => [...new Set(xs ?? [])].sort();
      return (
        sameJson(set(c.backend_roles), wanted.backend_roles) &&
        sameJson(set(c.users), wanted.users) &&
        sameJson(set(c.hosts), []) &&
        sameJson(set(c.and_backend_roles), []) &&
        c.description === wanted.description
      );
    });
    changes.push({ ...change, detail: `${list.length} principal${list.length === 1 ? '' : 's'}` });
  }
  return changes;
}

async function putIfChanged(
  http: SearchHttp,
  kind: SecurityChange['kind'],
  path: string,
  name: string,
  wanted: unknown,
  dryRun: boolean,
  same: (current: unknown) => boolean,
): Promise<SecurityChange> {
  const res = await http.request('GET', path);
  let status: SecurityChange['status'] = 'created';
  if (res.status === 200) {
    const current = (res.body as Record<string, unknown>)?.[name];
    if (current !== undefined && same(current)) return { kind, name, status: 'unchanged' };
    const flags = current as { reserved?: boolean; hidden?: boolean; static?: boolean } | undefined;
    // A reserved or static object of the same name is not ours: never overwrite it.
    if (flags?.reserved || flags?.static || flags?.hidden) throw new Error(`${kind} ${name} exists and is reserved/static/hidden: choose another index prefix`);
    status = 'updated';
  } else expectOk(res, 'GET', path, [404]);
  if (!dryRun) expectOk(await http.request('PUT', path, wanted), 'PUT', path);
  return { kind, name, status };
}
