/**
 * Builders for OpenSearch Dashboards saved objects (index patterns, saved searches,
 * visualizations, dashboards) in the NDJSON shape of the `_import` API. The content itself lives in
 * `lib/setup/dashboards.ts`; this file only knows the object formats.
 *
 * Queries are Lucene (`language: 'lucene'`): Dashboards runs them as a `query_string` query, so
 * the tests execute exactly the same query against OpenSearch (see `luceneQuery`).
 */

export interface SavedObject {
  type: 'index-pattern' | 'search' | 'visualization' | 'dashboard';
  id: string;
  attributes: Record<string, unknown>;
  references: { name: string; type: string; id: string }[];
  migrationVersion: Record<string, string>;
}

/** Migration versions of the object formats written here, so Dashboards 2.x does not re-migrate them. */
const MIGRATION: Record<SavedObject['type'], string> = {
  'index-pattern': '7.6.0',
  search: '7.9.3',
  visualization: '7.10.0',
  dashboard: '7.9.3',
};

const INDEX_REF = 'kibanaSavedObjectMeta.searchSourceJSON.index';

export function indexPatternObject(id: string, title: string): SavedObject {
  return {
    type: 'index-pattern',
    id,
    // No `fields`: Dashboards reads them from the mapping when the pattern is first used.
    attributes: { title, timeFieldName: '@timestamp' },
    references: [],
    migrationVersion: { 'index-pattern': MIGRATION['index-pattern'] },
  };
}

function searchSource(query: string): string {
  return JSON.stringify({ query: { query, language: 'lucene' }, filter: [], indexRefName: INDEX_REF, highlightAll: true });
}

export interface SearchSpec {
  id: string;
  title: string;
  description: string;
  indexPattern: string;
  query: string;
  columns: string[];
}

export function searchObject(s: SearchSpec): SavedObject {
  return {
    type: 'search',
    id: s.id,
    attributes: {
      title: s.title,
      description: s.description,
      columns: s.columns,
      sort: [['@timestamp', 'desc']],
      hits: 0,
      version: 1,
      kibanaSavedObjectMeta: { searchSourceJSON: searchSource(s.query) },
    },
    references: [{ name: INDEX_REF, type: 'index-pattern', id: s.indexPattern }],
    migrationVersion: { search: MIGRATION.search },
  };
}

/** A metric of a visualization: count, or a field aggregation. */
export type Metric =
  | { type: 'count'; label?: string }
  | { type: 'avg' | 'max' | 'sum' | 'cardinality'; field: string; label?: string }
  | { type: 'percentiles'; field: string; percents: number[]; label?: string };

export interface VisSpec {
  id: string;
  title: string;
  indexPattern: string;
  /** Lucene query narrowing the visualization ('' = everything in the pattern). */
  query?: string;
  /** `region_map`: one terms bucket of ISO 3166-1 alpha-2 codes, colouring the countries of a world map. */
  kind: 'timeline' | 'bars' | 'table' | 'pie' | 'metric' | 'region_map';
  metrics?: Metric[];
  /** Terms buckets: split series for timelines/bars/pies, rows for tables. */
  terms?: { field: string; size?: number; label?: string }[];
}

function metricAgg(m: Metric, id: string): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  if (m.type !== 'count') params.field = m.field;
  if (m.type === 'percentiles') params.percents = m.percents;
  if (m.label) params.customLabel = m.label;
  return { id, enabled: true, type: m.type, schema: 'metric', params };
}

function termsAgg(t: { field: string; size?: number; label?: string }, id: string, schema: string): Record<string, unknown> {
  const params: Record<string, unknown> = {
    field: t.field,
    size: t.size ?? 10,
    order: 'desc',
    orderBy: '1',
    otherBucket: false,
    missingBucket: false,
  };
  if (t.label) params.customLabel = t.label;
  return { id, enabled: true, type: 'terms', schema, params };
}

function xyParams(type: 'line' | 'histogram', stacked: boolean): Record<string, unknown> {
  return {
    type,
    grid: { categoryLines: false },
    categoryAxes: [
      { id: 'CategoryAxis-1', type: 'category', position: 'bottom', show: true, style: {}, scale: { type: 'linear' }, labels: { show: true, filter: true, truncate: 100 }, title: {} },
    ],
    valueAxes: [
      { id: 'ValueAxis-1', name: 'LeftAxis-1', type: 'value', position: 'left', show: true, style: {}, scale: { type: 'linear', mode: 'normal' }, labels: { show: true, rotate: 0, filter: false, truncate: 100 }, title: { text: '' } },
    ],
    seriesParams: [
      {
        show: true,
        type,
        mode: stacked ? 'stacked' : 'normal',
        data: { label: '', id: '1' },
        valueAxis: 'ValueAxis-1',
        drawLinesBetweenPoints: true,
        lineWidth: 2,
        showCircles: true,
        interpolate: 'linear',
      },
    ],
    addTooltip: true,
    addLegend: true,
    legendPosition: 'right',
    times: [],
    addTimeMarker: false,
    labels: {},
    thresholdLine: { show: false, value: 10, width: 1, style: 'full', color: '#E7664C' },
  };
}

function visState(v: VisSpec): Record<string, unknown> {
  const metrics = v.metrics ?? [{ type: 'count' }];
  const aggs: Record<string, unknown>[] = metrics.map((m, i) => metricAgg(m, String(i + 1)));
  let next = metrics.length + 1;
  const id = () => String(next++);
  const terms = v.terms ?? [];
  switch (v.kind) {
    case 'timeline': {
      aggs.push({
        id: id(),
        enabled: true,
        type: 'date_histogram',
        schema: 'segment',
        params: { field: '@timestamp', useNormalizedOpenSearchInterval: true, interval: 'auto', drop_partials: false, min_doc_count: 1, extended_bounds: {} },
      });
      for (const t of terms) aggs.push(termsAgg(t, id(), 'group'));
      return { title: v.title, type: 'histogram', params: xyParams('histogram', true), aggs };
    }
    case 'bars': {
      const [first, ...rest] = terms;
      if (first) aggs.push(termsAgg(first, id(), 'segment'));
      for (const t of rest) aggs.push(termsAgg(t, id(), 'group'));
      return { title: v.title, type: 'histogram', params: xyParams('histogram', false), aggs };
    }
    case 'region_map': {
      // No `selectedLayer` saved: Dashboards then takes its default vector layer (World Countries of
      // the maps service) and that layer's first join field, `iso2` (`region_map_type.js` setup), so
      // the panel holds no service URL that could go stale. Needs the cluster's Dashboards to reach
      // the maps service (Amazon OpenSearch Service does); the same data is in the table beside it.
      const [shape] = terms;
      if (shape) aggs.push(termsAgg(shape, id(), 'segment'));
      return { title: v.title, type: 'region_map', params: REGION_MAP_PARAMS, aggs };
    }
    case 'pie':
    case 'table':
    case 'metric': {
      const { schema, params } = SINGLE_LEVEL[v.kind];
      for (const t of terms) aggs.push(termsAgg(t, id(), schema));
      return { title: v.title, type: v.kind, params, aggs };
    }
  }
}

/** `region_map` defaults of OpenSearch Dashboards (`region_map_type.js` `visConfig.defaults`), WMS off. */
const REGION_MAP_PARAMS: Record<string, unknown> = {
  legendPosition: 'bottomright',
  addTooltip: true,
  colorSchema: 'Yellow to Red',
  emsHotLink: '',
  isDisplayWarning: true,
  wms: { enabled: false, options: { format: 'image/png', transparent: true } },
  mapZoom: 2,
  mapCenter: [0, 0],
  outlineWeight: 1,
  showAllShapes: true,
  layerChosenByUser: 'default',
};

/** Visualizations whose terms all sit in one level: the schema of their buckets and their params. */
const SINGLE_LEVEL: Record<'pie' | 'table' | 'metric', { schema: string; params: Record<string, unknown> }> = {
  pie: {
    schema: 'segment',
    params: { type: 'pie', addTooltip: true, addLegend: true, legendPosition: 'right', isDonut: true, labels: { show: false, values: true, last_level: true, truncate: 100 } },
  },
  table: {
    schema: 'bucket',
    params: { perPage: 10, showPartialRows: false, showMetricsAtAllLevels: false, sort: { columnIndex: null, direction: null }, showTotal: false, totalFunc: 'sum', percentageCol: '' },
  },
  metric: {
    schema: 'group',
    params: {
      addTooltip: true,
      addLegend: false,
      type: 'metric',
      metric: {
        percentageMode: false,
        useRanges: false,
        colorSchema: 'Green to Red',
        metricColorMode: 'None',
        colorsRange: [{ from: 0, to: 10000 }],
        labels: { show: true },
        invertColors: false,
        style: { bgFill: '#000', bgColor: false, labelColor: false, subText: '', fontSize: 60 },
      },
    },
  },
};

export function visualizationObject(v: VisSpec): SavedObject {
  return {
    type: 'visualization',
    id: v.id,
    attributes: {
      title: v.title,
      visState: JSON.stringify(visState(v)),
      uiStateJSON: '{}',
      description: '',
      version: 1,
      kibanaSavedObjectMeta: { searchSourceJSON: searchSource(v.query ?? '') },
    },
    references: [{ name: INDEX_REF, type: 'index-pattern', id: v.indexPattern }],
    migrationVersion: { visualization: MIGRATION.visualization },
  };
}

export interface DashboardSpec {
  id: string;
  title: string;
  description: string;
  /** Panels in reading order: visualizations and saved searches by id; laid out two per row. */
  panels: { id: string; type: 'visualization' | 'search'; wide?: boolean }[];
  /** Default time range stored with the dashboard. */
  timeFrom?: string;
}

export function dashboardObject(d: DashboardSpec): SavedObject {
  let x = 0;
  let y = 0;
  const panels = d.panels.map((p, i) => {
    const w = p.wide ? 48 : 24;
    const h = p.type === 'search' || p.wide ? 15 : 13;
    if (x + w > 48) {
      x = 0;
      y += 15;
    }
    const panel = { version: '2.19.0', gridData: { x, y, w, h, i: String(i + 1) }, panelIndex: String(i + 1), embeddableConfig: {}, panelRefName: `panel_${i}` };
    x += w;
    if (x >= 48) {
      x = 0;
      y += 15;
    }
    return panel;
  });
  return {
    type: 'dashboard',
    id: d.id,
    attributes: {
      title: d.title,
      description: d.description,
      hits: 0,
      panelsJSON: JSON.stringify(panels),
      optionsJSON: JSON.stringify({ hidePanelTitles: false, useMargins: true }),
      version: 1,
      timeRestore: true,
      timeFrom: d.timeFrom ?? 'now-24h',
      timeTo: 'now',
      refreshInterval: { pause: true, value: 0 },
      kibanaSavedObjectMeta: { searchSourceJSON: JSON.stringify({ query: { query: '', language: 'lucene' }, filter: [] }) },
    },
    references: d.panels.map((p, i) => ({ name: `panel_${i}`, type: p.type, id: p.id })),
    migrationVersion: { dashboard: MIGRATION.dashboard },
  };
}

/** The NDJSON file Dashboards' `_import` API and Saved Objects UI accept. */
export function toNdjson(objects: SavedObject[]): string {
  return objects.map((o) => JSON.stringify(o)).join('\n') + '\n';
}

/**
 * The search body Dashboards sends for a Lucene query bar entry (`query_string`,
 * `analyze_wildcard`), so tests can run a saved object's query as the user would see it.
 */
export function luceneQuery(query: string): Record<string, unknown> {
  if (!query.trim()) return { match_all: {} };
  return { query_string: { query, analyze_wildcard: true } };
}

/** The Lucene query and the index pattern id of a search or visualization object. */
export function objectQuery(o: SavedObject): { query: string; indexPattern: string } | undefined {
  const meta = o.attributes.kibanaSavedObjectMeta as { searchSourceJSON?: string } | undefined;
  const ref = o.references.find((r) => r.name === INDEX_REF);
  if (!meta?.searchSourceJSON || !ref) return undefined;
  const source = JSON.parse(meta.searchSourceJSON) as { query?: { query?: string } };
  return { query: source.query?.query ?? '', indexPattern: ref.id };
}
