/**
 * CloudFormation intrinsics of a packaged template, resolved the way CloudFormation would for one set
 * of parameter values: which resources exist (conditions), what their properties become (`Ref`,
 * `Fn::GetAtt`, `Fn::Sub`, `Fn::If`, `Fn::Join`, `Fn::Split`, `AWS::NoValue`). Physical names follow
 * CloudFormation's pattern for unnamed resources (`<stack>-<LogicalId>-<random>`), so a policy can be
 * evaluated against the ARNs the other resources will really have. A `Ref`/`GetAtt` of a resource whose
 * condition is false throws: the template would not deploy.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- CloudFormation JSON is untyped by nature
type Json = any;

export interface Template {
  Resources: Record<string, Json>;
  Parameters: Record<string, Json>;
  Conditions: Record<string, Json>;
  Outputs: Record<string, Json>;
}

export const TEST_ACCOUNT = '111111111111';
export const TEST_REGION = 'us-east-1';

const NO_VALUE = Symbol('AWS::NoValue');
const RANDOM = 'a1b2c3d4e5f6';

/**
 * @example new CfnStack(template, 'tributary-test', { CreateDomain: 'false' }).props('IndexerRole').Policies
 */
export class CfnStack {
  constructor(
    readonly t: Template,
    readonly stackName: string,
    readonly overrides: Record<string, string> = {},
  ) {}

  param(name: string): string | string[] {
    const p = this.t.Parameters[name];
    if (!p) throw new Error(`no parameter ${name}`);
    const v = name in this.overrides ? this.overrides[name] : String(p.Default);
    return p.Type === 'CommaDelimitedList' ? v.split(',') : v;
  }

  condition(name: string): boolean {
    const c = this.t.Conditions[name];
    if (c === undefined) throw new Error(`no condition ${name}`);
    return this.test(c);
  }

  /** The resource is in the template and its condition (if any) holds. */
  exists(id: string): boolean {
    const r = this.t.Resources[id];
    return !!r && (!r.Condition || this.condition(r.Condition));
  }

  private resource(id: string): Json {
    const r = this.t.Resources[id];
    if (!r) throw new Error(`no resource ${id}`);
    if (!this.exists(id)) throw new Error(`${id} does not exist with ${JSON.stringify(this.overrides)}`);
    return r;
  }

  /** Physical id of a resource (`Ref`); an SNS topic's `Ref` is its ARN. */
  ref(id: string): string {
    const r = this.resource(id);
    switch (r.Type) {
      case 'AWS::S3::Bucket':
        return `${this.stackName}-${id.toLowerCase()}-${RANDOM}`;
      case 'AWS::SQS::Queue':
        return `https://sqs.${TEST_REGION}.amazonaws.com/${TEST_ACCOUNT}/${this.stackName}-${id}-${RANDOM}`;
      case 'AWS::SNS::Topic': {
        const name = r.Properties?.TopicName ? this.resolve(r.Properties.TopicName) : `${this.stackName}-${id}-${RANDOM}`;
        return `arn:aws:sns:${TEST_REGION}:${TEST_ACCOUNT}:${name}`;
      }
      default:
        return `${this.stackName}-${id}-${RANDOM}`;
    }
  }

  getAtt(id: string, attr: string): string {
    const r = this.resource(id);
    if (attr === 'TopicArn' && r.Type === 'AWS::SNS::Topic') return this.ref(id);
    if (attr !== 'Arn') return `${id}.${attr}`;
    switch (r.Type) {
      case 'AWS::S3::Bucket':
        return `arn:aws:s3:::${this.ref(id)}`;
      case 'AWS::IAM::Role':
        return `arn:aws:iam::${TEST_ACCOUNT}:role/${this.ref(id)}`;
      case 'AWS::KMS::Key':
        return `arn:aws:kms:${TEST_REGION}:${TEST_ACCOUNT}:key/${id}-0000`;
      case 'AWS::SQS::Queue':
        return `arn:aws:sqs:${TEST_REGION}:${TEST_ACCOUNT}:${this.stackName}-${id}-${RANDOM}`;
      default:
        return `arn:aws:${r.Type.split('::')[1].toLowerCase()}:${TEST_REGION}:${TEST_ACCOUNT}:${id}`;
    }
  }

  /** The ARN of a resource, whichever way its type exposes it. */
  arn(id: string): string {
    return this.resource(id).Type === 'AWS::SNS::Topic' ? this.ref(id) : this.getAtt(id, 'Arn');
  }

  variable(name: string): string | string[] {
    const pseudo: Record<string, string> = {
      'AWS::AccountId': TEST_ACCOUNT,
      'AWS::Region': TEST_REGION,
      'AWS::Partition': 'aws',
      'AWS::StackName': this.stackName,
      'AWS::URLSuffix': 'amazonaws.com',
    };
    if (name in pseudo) return pseudo[name];
    if (name in this.t.Parameters) return this.param(name);
    if (name.includes('.')) {
      const [id, attr] = name.split('.');
      return this.getAtt(id, attr);
    }
    return this.ref(name);
  }

  private test(c: Json): boolean {
    if (c.Condition) return this.condition(c.Condition);
    if (c['Fn::Equals']) {
      const [a, b] = c['Fn::Equals'].map((x: Json) => this.resolve(x));
      return JSON.stringify(a) === JSON.stringify(b);
    }
    if (c['Fn::Not']) return !this.test(c['Fn::Not'][0]);
    if (c['Fn::And']) return c['Fn::And'].every((x: Json) => this.test(x));
    if (c['Fn::Or']) return c['Fn::Or'].some((x: Json) => this.test(x));
    throw new Error(`unsupported condition ${JSON.stringify(c)}`);
  }

  resolve(v: Json): Json {
    if (Array.isArray(v)) return v.map((x) => this.resolve(x)).filter((x) => x !== NO_VALUE);
    if (v === null || typeof v !== 'object') return v;
    const keys = Object.keys(v);
    if (keys.length === 1) {
      const [k] = keys;
      const a = v[k];
      if (k === 'Ref') return a === 'AWS::NoValue' ? NO_VALUE : this.variable(a);
      if (k === 'Fn::GetAtt') return this.getAtt(a[0], a[1]);
      if (k === 'Fn::If') return this.resolve(this.condition(a[0]) ? a[1] : a[2]);
      if (k === 'Fn::Join') return (this.resolve(a[1]) as Json[]).join(a[0]);
      if (k === 'Fn::Split') return String(this.resolve(a[1])).split(a[0]);
      if (k === 'Fn::Sub') {
        const [text, vars] = typeof a === 'string' ? [a, {}] : a;
        return (text as string).replace(/\$\{(!?)([^}]+)\}/g, (_m, bang: string, name: string) => {
          if (bang) return `\${${name}}`; // ${!Literal} is the literal ${Literal}
          const value = name in vars ? this.resolve(vars[name]) : this.variable(name);
          return Array.isArray(value) ? value.join(',') : String(value);
        });
      }
      if (k.startsWith('Fn::')) throw new Error(`unsupported intrinsic ${k}`);
    }
    const out: Record<string, Json> = {};
    for (const [k, x] of Object.entries(v)) {
      const r = this.resolve(x);
      if (r !== NO_VALUE) out[k] = r;
    }
    return out;
  }

  /** A resource's properties, resolved. */
  props(id: string): Json {
    return this.resolve(this.resource(id).Properties);
  }
}
