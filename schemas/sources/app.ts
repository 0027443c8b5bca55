/**
 * Fields under `app` (application logs). Known keys of JSON loggers (pino, winston, bunyan,
 * Powertools, ECS) map to ECS fields; every other key lands in `app.fields`, ONE `flat_object`
 * field, so a noisy application cannot add mappings to the index. Its size is bounded by the parser.
 */
import { f } from '../dsl';

export const app = f.group({
  format: f.keyword('Recognised log format.', {
    enum: ['json', 'pino', 'bunyan', 'winston', 'powertools', 'ecs', 'lambda-json', 'text', 'syslog', 'access', 'apache-error', 'java', 'plain'],
  }),
  fields: f.flat('Keys of a JSON log that have no ECS home, as logged (bounded in count and size).'),
  fields_dropped: f.long('How many keys were left out of `app.fields` because of its bounds.'),
  thread: f.keyword('Thread name or id (Java, Apache tid).'),
  access: f.group({
    forwarded_for: f.keyword('Access logs: the X-Forwarded-For addresses as logged, in order (the first public one is also `client.ip`).', {
      array: true,
      example: ['203.0.113.9', '10.0.0.5'],
    }),
  }),
});
