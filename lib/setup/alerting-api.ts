/**
 * The request bodies setup sends to the Alerting and Notifications plugins, typed.
 *
 * Notifications channels use the types the OpenSearch client ships (generated from the OpenSearch
 * API specification, `Types.Notifications_Common`). The client ships no Alerting types, so the
 * monitor, trigger and action shapes below follow the documented Alerting API ("Create query-level
 * monitor", "Actions") and the parser that reads them (common-utils `Action.parse` and
 * `Throttle.parse`: any other action field is "Unexpected field", only `MINUTES` throttles, a
 * positive value, and `throttle_enabled` needs a `throttle`). Neither plugin is on Maven Central,
 * so no local cluster can accept these bodies: `test/unit/setup-alerts.test.ts` checks them
 * against those documented shapes instead.
 */
import type { Types } from '@opensearch-project/opensearch';

/** A Mustache template as Alerting stores action messages and subjects (a `Script` of lang `mustache`). */
export interface MustacheScript {
  source: string;
  lang: 'mustache';
}

/** How often an action may notify while its alert stays active (Alerting accepts minutes only). */
export interface AlertingThrottle {
  value: number;
  unit: 'MINUTES';
}

/** One action of a trigger: a message sent to a Notifications channel (`destination_id` = its `config_id`). */
export interface AlertingAction {
  /** Set by Alerting when it stores the action; never sent by setup. */
  id?: string;
  name: string;
  destination_id: string;
  subject_template?: MustacheScript;
  message_template: MustacheScript;
  throttle_enabled: boolean;
  /** Present exactly when `throttle_enabled`. */
  throttle?: AlertingThrottle;
}

/** A query-level trigger: a Painless condition over the monitor's search results, and its actions. */
export interface QueryLevelTrigger {
  name: string;
  /** 1 (highest) to 5. */
  severity: '1' | '2' | '3' | '4' | '5';
  condition: { script: { source: string; lang: 'painless' } };
  actions: AlertingAction[];
}

/** `POST _plugins/_alerting/monitors` body of a query-level monitor. */
export interface QueryLevelMonitor {
  type: 'monitor';
  monitor_type: 'query_level_monitor';
  name: string;
  enabled: boolean;
  schedule: { period: { interval: number; unit: 'MINUTES' } };
  inputs: { search: { indices: string[]; query: Record<string, unknown> } }[];
  triggers: QueryLevelTrigger[];
  /** Free-form; setup keeps the hash of its definition here (see `apply.ts`). */
  ui_metadata?: Record<string, unknown>;
}

/** The channel types setup creates. */
export type ChannelType = 'sns' | 'slack' | 'chime' | 'webhook';

/**
 * A custom webhook as the Notifications API takes it. The specification types header values as
 * numbers (`HeaderParamsMap = Record<string, number>`); the API takes strings (its own documented
 * example sends `"Content-Type": "application/json"`), so that one field is typed here.
 */
export type WebhookConfig = Omit<Types.Notifications_Common.Webhook, 'header_params'> & { header_params?: Record<string, string> };

/** A channel's `config` as `POST /_plugins/_notifications/configs` takes it, typed by the client's specification types. */
export type ChannelConfig = Omit<Types.Notifications_Common.NotificationsConfigItem, 'webhook' | 'config_type'> & {
  config_type: ChannelType;
  webhook?: WebhookConfig;
};

/** `POST /_plugins/_notifications/configs` body: a fixed `config_id` (so setup finds its channel again) and the config. */
export interface ChannelBody {
  config_id: string;
  config: ChannelConfig;
}
