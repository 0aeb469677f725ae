/**
 * A strict parser for the Prometheus text exposition format (0.0.4), so a test can prove that
 * /metrics output parses as Prometheus would read it. It throws on anything Prometheus rejects.
 */

export interface PrometheusSample {
  labels: Record<string, string>;
  value: number;
  timestamp?: number;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const TIMESTAMP = /^-?\d+$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/** Samples by metric name (histogram parts keep their `_bucket`/`_sum`/`_count` names). */
export function parsePrometheus(text: string): Map<string, PrometheusSample[]> {
  const samples = new Map<string, PrometheusSample[]>();
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const seenSeries = new Set<string>();
  text.split('\n').forEach((rawLine, index) => {
    const fail = (reason: string): never => {
      throw new Error(`line ${index + 1}: ${reason}: ${JSON.stringify(rawLine)}`);
    };
    const line = rawLine.trim();
    if (line === '') return;
    if (line.startsWith('#')) {
      parseComment(line, types, helps, samples, fail);
      return;
    }
    const sample = parseSampleLine(line, fail);
    const seriesKey = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    if (seenSeries.has(seriesKey)) fail('duplicate series');
    seenSeries.add(seriesKey);
    if (sample.name.endsWith('_bucket') && types.get(sample.name.slice(0, -'_bucket'.length)) === 'histogram') {
      if (!('le' in sample.labels)) fail('histogram bucket without an le label');
    }
    const list = samples.get(sample.name) ?? [];
    list.push({ labels: sample.labels, value: sample.value, ...(sample.timestamp === undefined ? {} : { timestamp: sample.timestamp }) });
    samples.set(sample.name, list);
  });
  return samples;
}

/**
 * The value of the one sample of `name` whose labels include `labels`; undefined when none does.
 * Throws when several match, so an assertion never silently picks one of many series.
 */
export function sampleValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const matches = findSamples(text, name, labels);
  if (matches.length > 1) throw new Error(`${String(matches.length)} samples of ${name} match ${JSON.stringify(labels)}`);
  return matches[0]?.value;
}

/** Every sample of `name` whose labels include `labels`. */
export function findSamples(text: string, name: string, labels: Record<string, string> = {}): PrometheusSample[] {
  const all = parsePrometheus(text).get(name) ?? [];
  return all.filter((sample) => Object.entries(labels).every(([key, value]) => sample.labels[key] === value));
}

function parseComment(
  line: string,
  types: Map<string, string>,
  helps: Set<string>,
  samples: Map<string, PrometheusSample[]>,
  fail: (reason: string) => never,
): void {
  const match = /^#\s+(HELP|TYPE)\s+(.*)$/.exec(line);
  if (!match) return; // any other comment is allowed and ignored
  const [, keyword = '', rest = ''] = match;
  const name = METRIC_NAME.exec(rest)?.[0];
  if (name === undefined || (rest.length > name.length && !/^\s/.test(rest.slice(name.length)))) fail(`bad metric name in ${keyword}`);
  const argument = rest.slice(name.length).trim();
  if (keyword === 'HELP') {
    if (helps.has(name)) fail(`second HELP for ${name}`);
    helps.add(name);
    if (/\\[^\\n]/.test(argument.replace(/\\\\/g, ''))) fail('bad escape in HELP');
    return;
  }
  if (!TYPES.has(argument)) fail(`unknown type '${argument}'`);
  if (types.has(name)) fail(`second TYPE for ${name}`);
  const family = argument === 'histogram' || argument === 'summary' ? [name, `${name}_bucket`, `${name}_sum`, `${name}_count`] : [name];
  if (family.some((member) => samples.has(member))) fail(`TYPE for ${name} after its samples`);
  types.set(name, argument);
}

function parseSampleLine(
  line: string,
  fail: (reason: string) => never,
): { name: string; labels: Record<string, string>; value: number; timestamp?: number } {
  const name = METRIC_NAME.exec(line)?.[0] ?? fail('bad metric name');
  let position = name.length;
  const labels: Record<string, string> = {};
  if (line[position] === '{') {
    position += 1;
    for (;;) {
      while (line[position] === ' ') position += 1;
      if (line[position] === '}') break;
      const labelName = LABEL_NAME.exec(line.slice(position))?.[0] ?? fail('bad label name');
      if (labelName in labels) fail(`duplicate label ${labelName}`);
      position += labelName.length;
      if (line.slice(position, position + 2) !== '="') fail(`label ${labelName} lacks ="`);
      position += 2;
      let value = '';
      for (;;) {
        const char = line[position] ?? fail(`unterminated value of label ${labelName}`);
        position += 1;
        if (char === '"') break;
        if (char !== '\\') {
          value += char;
          continue;
        }
        const escaped = line[position];
        position += 1;
        if (escaped === '\\' || escaped === '"') value += escaped;
        else if (escaped === 'n') value += '\n';
        else fail(`bad escape \\${escaped ?? ''} in label ${labelName}`);
      }
      labels[labelName] = value;
      while (line[position] === ' ') position += 1;
      if (line[position] === ',') position += 1;
      else if (line[position] !== '}') fail('expected , or } after a label');
    }
    position += 1;
  }
  if (!/^[ \t]/.test(line.slice(position))) fail('expected whitespace before the value');
  const fields = line.slice(position).trim().split(/[ \t]+/);
  if (fields.length > 2) fail('trailing fields after the timestamp');
  const [rawValue = '', rawTimestamp] = fields;
  const value = parseValue(rawValue) ?? fail(`bad value '${rawValue}'`);
  if (rawTimestamp === undefined) return { name, labels, value };
  if (!TIMESTAMP.test(rawTimestamp)) fail(`bad timestamp '${rawTimestamp}'`);
  return { name, labels, value, timestamp: Number(rawTimestamp) };
}

/** Prometheus reads values with Go's strconv.ParseFloat, whose Inf and NaN are case-insensitive (prom-client writes `Nan`). */
function parseValue(raw: string): number | undefined {
  if (/^nan$/i.test(raw)) return Number.NaN;
  const infinity = /^([+-]?)(?:inf|infinity)$/i.exec(raw);
  if (infinity) return infinity[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  return FLOAT.test(raw) ? Number(raw) : undefined;
}
