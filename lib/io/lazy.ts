/**
 * Objects created on first use, for the clients of the functions' cold start (issue #18: module init
 * under 100 ms). Evaluating the AWS SDK's S3 module alone takes about 65 ms, the OpenSearch client's
 * about 30 ms: a handler that imported and built its clients at init paid that before its first
 * event, and a replay page that never hands anything back paid for an SQS client it never used. The
 * adapters of `lib/io` therefore `require()` their SDK package inside the function that needs it
 * (esbuild keeps such a module in the bundle, wrapped, and evaluates it on that first call) and hand
 * out clients through `lazyObject`, so the use cases keep their plain client types.
 */

/**
 * A stand-in for the object `create` returns, created on the first property access (a method call,
 * `instanceof`, reading `config`...), then forwarded to for good. Methods are bound to the real
 * object, so the SDK's `this`-based internals see it, and the same bound function is returned every
 * time. Awaiting or resolving the stand-in does not create it (`then` reads as undefined until it
 * exists: none of the wrapped clients is a thenable). `create` runs at most once; when it throws,
 * the next access calls it again.
 * @example
 * const s3 = lazyObject(() => new (require('@aws-sdk/client-s3') as typeof import('@aws-sdk/client-s3')).S3Client({}));
 * // nothing loaded yet; the SDK module is evaluated and the client built here:
 * await s3.send(new GetObjectCommand({ Bucket: 'central-logs', Key: 'normalized/…' }));
 */
export function lazyObject<T extends object>(create: () => T): T {
  let real: T | undefined;
  const bound = new Map<PropertyKey, { fn: (...args: unknown[]) => unknown; bound: (...args: unknown[]) => unknown }>();
  const it = (): T => (real ??= create());
  return new Proxy({} as T, {
    get(_, p) {
      if (p === 'then' && real === undefined) return undefined;
      const t = it();
      const v: unknown = Reflect.get(t, p, t);
      if (typeof v !== 'function' || p === 'constructor') return v;
      const hit = bound.get(p);
      if (hit?.fn === v) return hit.bound;
      const b = (v as (...args: unknown[]) => unknown).bind(t);
      bound.set(p, { fn: v as (...args: unknown[]) => unknown, bound: b });
      return b;
    },
    set: (_, p, v) => Reflect.set(it(), p, v),
    has: (_, p) => Reflect.has(it(), p),
    getPrototypeOf: () => Reflect.getPrototypeOf(it()),
  });
}

