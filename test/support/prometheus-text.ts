// A strict reader of the Prometheus text exposition format (version 0.0.4): every line must be a HELP or TYPE
// comment or a sample of a declared metric family, or parsing throws naming the line.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  /** Metric family name → counter, gauge, histogram, summary or untyped. */
  types: Map<string, string>;
  /** The sum of the samples named `name` whose labels include `labels`; undefined when there are none. */
  value(name: string, labels?: Record<string, string>): number | undefined;
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: -?\\d+)?$`);
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)/y;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES = ['_bucket', '_sum', '_count', '_total', '_created'];

export function parsePrometheusText(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  text.split('\n').forEach((line, index) => {
    const where = `line ${index + 1}: ${JSON.stringify(line)}`;
    if (line === '') return;
    if (line.startsWith('#')) {
      const comment = new RegExp(`^# (HELP|TYPE) (${NAME})(?: (.*))?$`).exec(line);
      if (!comment) throw new Error(`not a HELP or TYPE comment, ${where}`);
      if (comment[1] === 'TYPE') {
        if (!TYPES.has(comment[3] ?? '')) throw new Error(`unknown type, ${where}`);
        types.set(comment[2] ?? '', comment[3] ?? '');
      }
      return;
    }
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`not a sample, ${where}`);
    const name = match[1] ?? '';
    const family = [name, ...SUFFIXES.filter((suffix) => name.endsWith(suffix)).map((suffix) => name.slice(0, -suffix.length))];
    if (!family.some((candidate) => types.has(candidate))) throw new Error(`sample of an undeclared family, ${where}`);
    samples.push({ name, labels: parseLabels(match[2] ?? '', where), value: parseValue(match[3] ?? '', where) });
  });
  return {
    samples,
    types,
    value(name, labels = {}) {
      const matching = samples.filter(
        (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
      );
      return matching.length === 0 ? undefined : matching.reduce((sum, sample) => sum + sample.value, 0);
    },
  };
}

function parseLabels(source: string, where: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < source.length) {
    const match = LABEL.exec(source);
    if (!match) throw new Error(`bad labels, ${where}`);
    labels[match[1] ?? ''] = (match[2] ?? '').replace(/\\(.)/g, (_all, char: string) => (char === 'n' ? '\n' : char));
    if (match[3] === '') break;
  }
  return labels;
}

function parseValue(raw: string, where: string): number {
  if (raw === '+Inf') return Infinity;
  if (raw === '-Inf') return -Infinity;
  if (raw.toLowerCase() === 'nan') return NaN; // prom-client writes an unset gauge as "Nan"
  const value = Number(raw);
  if (raw === '' || Number.isNaN(value)) throw new Error(`bad value, ${where}`);
  return value;
}
