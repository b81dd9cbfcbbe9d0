// An independent Prometheus remote-write client: protobufjs (schema below, written from the remote-write specs)
// and snappyjs (block format). Usage: node prometheus/remote-write.mjs request.json
// request.json: { url, token?, version: "1" | "2", series: [{ labels: {name: value}, samples: [[ms, value]],
//   histograms?: [{count | countFloat, sum, ms, schema?, zeroThreshold?, zeroCount? | zeroCountFloat?,
//     positiveSpans?: [[offset, length]], positiveDeltas? | positiveCounts?, negative… likewise, resetHint?, customValues?}],
//   exemplars?: [{labels, value, ms}], metadata?: {type, help, unit} }],
//   metadata?: [{type, family, help, unit}], rawProtobufHex?, contentType? }
// A sample value is a number, "NaN", "+Inf", "-Inf", "stale" (bits 0x7ff0000000000002) or {"bits": "hex"}.
// Doubles are written from their bit patterns, so NaN payloads survive (JavaScript numbers may not keep them).
// Prints {status, headers, body} as JSON.
import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';
import snappy from 'snappyjs';

const schema = `
syntax = "proto3";
package prometheus;
message WriteRequest { repeated TimeSeries timeseries = 1; repeated MetricMetadata metadata = 3; }
message MetricMetadata { int32 type = 1; string metric_family_name = 2; string help = 4; string unit = 5; }
message TimeSeries { repeated Label labels = 1; repeated Exemplar exemplars = 3; repeated Histogram histograms = 4; }
message Label { string name = 1; string value = 2; }
message Exemplar { repeated Label labels = 1; double value = 2; int64 timestamp = 3; }
message Histogram {
  oneof count { uint64 count_int = 1; double count_float = 2; }
  double sum = 3; sint32 schema = 4; double zero_threshold = 5;
  oneof zero_count { uint64 zero_count_int = 6; double zero_count_float = 7; }
  repeated BucketSpan negative_spans = 8; repeated sint64 negative_deltas = 9; repeated double negative_counts = 10;
  repeated BucketSpan positive_spans = 11; repeated sint64 positive_deltas = 12; repeated double positive_counts = 13;
  int32 reset_hint = 14; int64 timestamp = 15; repeated double custom_values = 16;
}
message BucketSpan { sint32 offset = 1; uint32 length = 2; }
message V2Request { repeated string symbols = 4; }
message V2TimeSeries { repeated uint32 labels_refs = 1; repeated Histogram histograms = 3; repeated V2Exemplar exemplars = 4; V2Metadata metadata = 5; }
message V2Exemplar { repeated uint32 labels_refs = 1; double value = 2; int64 timestamp = 3; }
message V2Metadata { int32 type = 1; uint32 help_ref = 3; uint32 unit_ref = 4; }
`;
const root = protobuf.parse(schema, { keepCase: false }).root;
const T = (name) => root.lookupType(`prometheus.${name}`);

const METRIC_TYPES = { unknown: 0, counter: 1, gauge: 2, histogram: 3, gaugehistogram: 4, summary: 5, info: 6, stateset: 7 };

// A native histogram: integer (count, zeroCount, deltas) or float (countFloat, zeroCountFloat, counts).
function histogram(h) {
  const spans = (list) => (list ?? []).map(([offset, length]) => ({ offset, length }));
  const message = {
    sum: h.sum, schema: h.schema ?? 0, zeroThreshold: h.zeroThreshold ?? 0, timestamp: h.ms, resetHint: h.resetHint ?? 0,
    positiveSpans: spans(h.positiveSpans), negativeSpans: spans(h.negativeSpans),
    positiveDeltas: h.positiveDeltas ?? [], negativeDeltas: h.negativeDeltas ?? [],
    positiveCounts: h.positiveCounts ?? [], negativeCounts: h.negativeCounts ?? [], customValues: h.customValues ?? [],
  };
  if (h.countFloat !== undefined) message.countFloat = h.countFloat; else message.countInt = h.count;
  if (h.zeroCountFloat !== undefined) message.zeroCountFloat = h.zeroCountFloat; else message.zeroCountInt = h.zeroCount ?? 0;
  return message;
}

function bitsOf(value) {
  if (value === 'stale') return { low: 0x00000002, high: 0x7ff00000 };
  if (value !== null && typeof value === 'object' && value.bits) {
    const hex = value.bits.padStart(16, '0');
    return { low: parseInt(hex.slice(8), 16) >>> 0, high: parseInt(hex.slice(0, 8), 16) >>> 0 };
  }
  const number = value === 'NaN' ? NaN : value === '+Inf' ? Infinity : value === '-Inf' ? -Infinity : Number(value);
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, number, true);
  return { low: view.getUint32(0, true), high: view.getUint32(4, true) };
}

// Sample { double value = 1; int64 timestamp = 2; } written by hand as field 2 of a TimeSeries.
function writeSamples(writer, samples) {
  for (const [ms, value] of samples ?? []) {
    writer.uint32((2 << 3) | 2).fork();
    writer.uint32((1 << 3) | 1).fixed64(bitsOf(value));
    if (ms !== 0) writer.uint32(2 << 3).int64(ms);
    writer.ldelim();
  }
}

function labelList(labels) {
  return Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, value]) => ({ name, value }));
}

function encodeV1(request) {
  const writer = protobuf.Writer.create();
  for (const series of request.series ?? []) {
    writer.uint32((1 << 3) | 2).fork();
    T('TimeSeries').encode({
      labels: labelList(series.labels),
      exemplars: (series.exemplars ?? []).map((e) => ({ labels: labelList(e.labels ?? {}), value: e.value, timestamp: e.ms })),
      histograms: (series.histograms ?? []).map(histogram),
    }, writer);
    writeSamples(writer, series.samples);
    writer.ldelim();
  }
  for (const m of request.metadata ?? []) {
    writer.uint32((3 << 3) | 2).fork();
    T('MetricMetadata').encode({ type: METRIC_TYPES[m.type] ?? 0, metricFamilyName: m.family, help: m.help ?? '', unit: m.unit ?? '' }, writer);
    writer.ldelim();
  }
  return writer.finish();
}

function encodeV2(request) {
  const symbols = [''];
  const index = new Map([['', 0]]);
  const ref = (s) => {
    if (!index.has(s)) { index.set(s, symbols.length); symbols.push(s); }
    return index.get(s);
  };
  const refs = (labels) => labelList(labels).flatMap(({ name, value }) => [ref(name), ref(value)]);
  const body = protobuf.Writer.create();
  for (const series of request.series ?? []) {
    body.uint32((5 << 3) | 2).fork();
    const message = {
      labelsRefs: refs(series.labels),
      exemplars: (series.exemplars ?? []).map((e) => ({ labelsRefs: refs(e.labels ?? {}), value: e.value, timestamp: e.ms })),
      histograms: (series.histograms ?? []).map(histogram),
    };
    if (series.metadata) {
      message.metadata = { type: METRIC_TYPES[series.metadata.type] ?? 0, helpRef: ref(series.metadata.help ?? ''), unitRef: ref(series.metadata.unit ?? '') };
    }
    T('V2TimeSeries').encode(message, body);
    writeSamples(body, series.samples);
    body.ldelim();
  }
  const seriesBytes = body.finish();
  const head = T('V2Request').encode({ symbols }).finish();
  const all = new Uint8Array(head.length + seriesBytes.length);
  all.set(head, 0);
  all.set(seriesBytes, head.length);
  return all;
}

const request = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const v2 = String(request.version) === '2';
const message = request.rawProtobufHex !== undefined
  ? Uint8Array.from(Buffer.from(request.rawProtobufHex, 'hex'))
  : (v2 ? encodeV2(request) : encodeV1(request));
const headers = {
  'Content-Encoding': 'snappy',
  'Content-Type': request.contentType ?? (v2 ? 'application/x-protobuf;proto=io.prometheus.write.v2.Request' : 'application/x-protobuf'),
  'X-Prometheus-Remote-Write-Version': v2 ? '2.0.0' : '0.1.0',
  'User-Agent': 'tsdb-interop-remote-write/1',
};
if (request.token) headers.Authorization = `Bearer ${request.token}`;
const response = await fetch(request.url, { method: 'POST', headers, body: snappy.compress(message) });
const out = { status: response.status, headers: Object.fromEntries(response.headers.entries()), body: await response.text() };
process.stdout.write(JSON.stringify(out));
