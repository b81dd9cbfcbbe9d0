// Records metrics with the OpenTelemetry JS SDK (@opentelemetry/sdk-metrics) and exports them once with its OTLP/HTTP
// exporter: JSON (@opentelemetry/exporter-metrics-otlp-http) or protobuf (@opentelemetry/exporter-metrics-otlp-proto).
// Usage: node otlp/send-metrics.mjs URL json|proto HOST_NAME [TOKEN]
// Prints {"logs": [...]}: what the SDK logged (a partial-success answer arrives as a warning there).
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader, AggregationType } from '@opentelemetry/sdk-metrics';
import { OTLPMetricExporter as JsonExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoExporter } from '@opentelemetry/exporter-metrics-otlp-proto';

const [url, protocol, hostName, token] = process.argv.slice(2);
const logs = [];
const keep = (level) => (...args) => logs.push(`${level}: ${args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}`);
diag.setLogger({ error: keep('error'), warn: keep('warn'), info: keep('info'), debug: () => {}, verbose: () => {} }, DiagLogLevel.INFO);

const Exporter = protocol === 'proto' ? ProtoExporter : JsonExporter;
const exporter = new Exporter({ url, headers: token ? { Authorization: `Bearer ${token}` } : {} });
const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
const provider = new MeterProvider({
  resource: resourceFromAttributes({
    'service.name': 'checkout',
    'service.namespace': 'shop',
    'service.instance.id': `node-${protocol}`,
    'host.name': hostName,
  }),
  readers: [reader],
  views: [{ instrumentName: 'payload.size', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
});
const meter = provider.getMeter('js.checkout', '1.2.3');

const orders = meter.createCounter('orders', { unit: '{order}', description: 'Orders placed.' });
orders.add(5, { shop: 'a' });
orders.add(2, { shop: 'b' });
orders.add(3, { shop: 'a' });
const queue = meter.createUpDownCounter('queue.depth', { unit: '{item}' });
queue.add(10);
queue.add(-4);
const temperature = meter.createGauge('room.temperature', { unit: 'Cel' });
temperature.record(21.5, { room: 'kitchen' });
const duration = meter.createHistogram('request.duration', { unit: 's', advice: { explicitBucketBoundaries: [0.1, 0.5, 1] } });
for (const v of [0.05, 0.3, 0.3, 2]) {
  duration.record(v, { route: '/pay' });
}
const payload = meter.createHistogram('payload.size', { unit: 'By' });
payload.record(100);
payload.record(2000);

// Shutting down exports what was recorded, once.
await provider.shutdown();
console.log(JSON.stringify({ logs }));
