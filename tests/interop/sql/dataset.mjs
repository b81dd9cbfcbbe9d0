// Deterministic TSBS-cpu-like data set for the SQL differential tests.
// The same generated rows are written as line protocol (for our database) and loaded into DuckDB (the oracle).
// usage: node dataset.mjs OUTDIR        -> writes OUTDIR/dataset.lp
// import { generate, toLineProtocol, load } from './dataset.mjs'
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const START_NS = 1451606400000000000n; // 2016-01-01T00:00:00Z
export const CPU_HOSTS = 20;
export const CPU_POINTS = 360; // 10 s apart: one hour, 00:00:00 .. 00:59:50 (plus the host offset below)
export const MEM_POINTS = 120; // 30 s apart, same offsets, so every third cpu row of a shared host joins a mem row
export const SEED = 20160101;

const REGIONS = ['us-east-1', 'us-west-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-1', 'ap-northeast-1', 'sa-east-1'];
// One value with a space and one with a comma so line-protocol escaping is exercised.
const OSES = ['Ubuntu16.10', 'Ubuntu16.04LTS', 'Ubuntu15.10', 'Debian 9', 'CentOS,7'];

/** mulberry32: small, well-known 32-bit PRNG; returns floats in [0, 1). */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A per-host offset with sub-microsecond digits (h * 1.000001 ms), far from any minute boundary. */
export const hostOffsetNs = (h) => BigInt(h) * 1000001n;

const round2 = (x) => Math.round(x * 100) / 100 + 0; // + 0 turns -0 into 0
const clamp = (x, lo, hi) => Math.min(hi, Math.max(lo, x));

/** Generates { cpu: [...], mem: [...] }; rows are plain objects, time as bigint ns, null for a missing field. */
export function generate(seed = SEED) {
  const rnd = prng(seed);
  const cpu = [];
  for (let h = 0; h < CPU_HOSTS; h++) {
    const region = REGIONS[Math.floor(rnd() * REGIONS.length)];
    const tags = {
      hostname: `host_${h}`,
      region,
      datacenter: `${region}${'abc'[Math.floor(rnd() * 3)]}`,
      os: OSES[Math.floor(rnd() * OSES.length)],
    };
    let user = rnd() * 100;
    let system = rnd() * 40;
    for (let i = 0; i < CPU_POINTS; i++) {
      user = clamp(user + (rnd() - 0.5) * 20, 0, 100);
      system = clamp(system + (rnd() - 0.5) * 10, 0, 60);
      const row = {
        time: START_NS + BigInt(i) * 10000000000n + hostOffsetNs(h),
        ...tags,
        usage_user: round2(user),
        usage_system: round2(system),
        usage_idle: round2(clamp(100 - user - system, 0, 100)),
      };
      for (const f of ['usage_user', 'usage_system', 'usage_idle']) if (rnd() < 0.02) row[f] = null;
      // A line needs at least one field: keep usage_idle when all three were dropped.
      if (row.usage_user === null && row.usage_system === null && row.usage_idle === null) {
        row.usage_idle = round2(clamp(100 - user - system, 0, 100));
      }
      cpu.push(row);
    }
  }
  const mem = [];
  const memHosts = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 20, 21]; // host_20/21 exist only in mem
  const TOTAL = 17179869184; // 16 GiB
  for (const h of memHosts) {
    let used = Math.floor((0.2 + rnd() * 0.6) * TOTAL);
    for (let i = 0; i < MEM_POINTS; i++) {
      used = clamp(used + Math.floor((rnd() - 0.5) * 268435456), 0, TOTAL);
      const cached = rnd() < 0.03 ? null : Math.round(rnd() * 10000000) / 10 + 0;
      mem.push({
        time: START_NS + BigInt(i) * 30000000000n + hostOffsetNs(h),
        hostname: `host_${h}`,
        used: BigInt(used),
        free: BigInt(TOTAL - used),
        cached,
      });
    }
  }
  return { cpu, mem };
}

const escTag = (s) => s.replace(/[,= ]/g, (c) => `\\${c}`);
const float = (x) => {
  const s = String(x); // shortest round-trip form
  if (!Number.isFinite(x)) throw new Error(`non-finite float ${x}`);
  return s;
};

/** Line protocol, nanosecond precision, one line per row; null fields are simply absent. */
export function toLineProtocol({ cpu, mem }) {
  const lines = [];
  for (const r of cpu) {
    const tags = `hostname=${escTag(r.hostname)},region=${escTag(r.region)},datacenter=${escTag(r.datacenter)},os=${escTag(r.os)}`;
    const fields = ['usage_user', 'usage_system', 'usage_idle'].filter((f) => r[f] !== null).map((f) => `${f}=${float(r[f])}`);
    lines.push(`cpu,${tags} ${fields.join(',')} ${r.time}`);
  }
  for (const r of mem) {
    const fields = [`used=${r.used}i`, `free=${r.free}i`];
    if (r.cached !== null) fields.push(`cached=${float(r.cached)}`);
    lines.push(`mem,hostname=${escTag(r.hostname)} ${fields.join(',')} ${r.time}`);
  }
  return lines.join('\n') + '\n';
}

/** Creates and fills tables cpu and mem in a @duckdb/node-api connection from the same generated rows. */
export async function load(connection, data = generate()) {
  const { DuckDBTimestampNanosecondsValue } = await import('@duckdb/node-api');
  await connection.run(`CREATE TABLE cpu (time TIMESTAMP_NS NOT NULL, hostname VARCHAR, region VARCHAR, datacenter VARCHAR, os VARCHAR,
    usage_user DOUBLE, usage_system DOUBLE, usage_idle DOUBLE)`);
  await connection.run(`CREATE TABLE mem (time TIMESTAMP_NS NOT NULL, hostname VARCHAR, used BIGINT, free BIGINT, cached DOUBLE)`);
  const dbl = (a, v) => (v === null ? a.appendNull() : a.appendDouble(v));
  const cpu = await connection.createAppender('cpu');
  for (const r of data.cpu) {
    cpu.appendTimestampNanoseconds(new DuckDBTimestampNanosecondsValue(r.time));
    cpu.appendVarchar(r.hostname); cpu.appendVarchar(r.region); cpu.appendVarchar(r.datacenter); cpu.appendVarchar(r.os);
    dbl(cpu, r.usage_user); dbl(cpu, r.usage_system); dbl(cpu, r.usage_idle);
    cpu.endRow();
  }
  cpu.closeSync();
  const mem = await connection.createAppender('mem');
  for (const r of data.mem) {
    mem.appendTimestampNanoseconds(new DuckDBTimestampNanosecondsValue(r.time));
    mem.appendVarchar(r.hostname); mem.appendBigInt(r.used); mem.appendBigInt(r.free); dbl(mem, r.cached);
    mem.endRow();
  }
  mem.closeSync();
  return data;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dir = process.argv[2];
  if (!dir) { console.error('usage: node dataset.mjs OUTDIR'); process.exit(2); }
  mkdirSync(dir, { recursive: true });
  const data = generate();
  writeFileSync(join(dir, 'dataset.lp'), toLineProtocol(data));
  console.log(`wrote ${join(dir, 'dataset.lp')}: ${data.cpu.length} cpu + ${data.mem.length} mem lines`);
}
