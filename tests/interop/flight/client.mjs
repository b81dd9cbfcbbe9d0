// A small Arrow Flight / Flight SQL client on @grpc/grpc-js, with messages from this repository's .proto files
// (src/Tsdb.Flight/Protos) loaded by protobufjs and Arrow data decoded by apache-arrow.
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { Message, tableFromIPC, tableToIPC } from 'apache-arrow';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const protoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../src/Tsdb.Flight/Protos');
const root = new protobuf.Root();
root.resolvePath = (_origin, target) => (target.startsWith('google/') ? target : path.join(protoDir, target));
await root.load(['Flight.proto', 'FlightSql.proto', 'IoxFlight.proto'], { keepCase: true });
export const T = (name) => root.lookupType(name);
const Any = new protobuf.Type('Any').add(new protobuf.Field('type_url', 1, 'string')).add(new protobuf.Field('value', 2, 'bytes'));
new protobuf.Root().define('google.protobuf').add(Any).root.resolveAll();

const SQL = 'arrow.flight.protocol.sql.';
const SERVICE = '/arrow.flight.protocol.FlightService/';

export function pack(typeName, fields) {
  const type = T(typeName);
  const value = type.encode(type.create(fields)).finish();
  return Any.encode(Any.create({ type_url: `type.googleapis.com/${typeName}`, value })).finish();
}

export function unpack(bytes, typeName) {
  const any = Any.decode(bytes);
  if (!any.type_url.endsWith('/' + typeName)) throw new Error(`expected Any of ${typeName}, got ${any.type_url}`);
  return T(typeName).decode(any.value);
}

const codec = (typeName) => ({
  serialize: (obj) => Buffer.from(T(typeName).encode(T(typeName).create(obj)).finish()),
  deserialize: (buf) => T(typeName).decode(buf),
});

/** Concatenates FlightData messages into an IPC stream apache-arrow can read. */
export function toIpcStream(messages) {
  const parts = [];
  for (const m of messages) {
    const header = m.data_header ?? new Uint8Array(0);
    if (header.length === 0) continue;
    const padded = (header.length + 7) & ~7;
    const prefix = Buffer.alloc(8 + padded);
    prefix.writeUInt32LE(0xffffffff, 0);
    prefix.writeInt32LE(padded, 4);
    Buffer.from(header).copy(prefix, 8);
    parts.push(prefix, Buffer.from(m.data_body ?? new Uint8Array(0)));
  }
  parts.push(Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]));
  return Buffer.concat(parts);
}

/** Splits an IPC stream (as apache-arrow writes it) into FlightData {data_header, data_body} messages. */
export function fromIpcStream(bytes) {
  const buf = Buffer.from(bytes);
  const messages = [];
  let pos = 0;
  while (pos < buf.length) {
    let len = buf.readInt32LE(pos);
    pos += 4;
    if (len === -1) { len = buf.readInt32LE(pos); pos += 4; }
    if (len === 0) break;
    const header = buf.subarray(pos, pos + len);
    pos += len;
    const bodyLength = Number(Message.decode(header).bodyLength);
    messages.push({ data_header: header, data_body: buf.subarray(pos, pos + bodyLength) });
    pos += bodyLength;
  }
  return messages;
}

export class FlightClient {
  constructor(address, headers = {}) {
    this.client = new grpc.Client(address, grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': 16 << 20 });
    this.headers = { ...headers };
  }

  metadata(extra = {}) {
    const md = new grpc.Metadata();
    for (const [k, v] of Object.entries({ ...this.headers, ...extra })) md.set(k, v);
    return md;
  }

  unary(method, reqType, resType, request, extra) {
    const c = codec(reqType), r = codec(resType);
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(SERVICE + method, c.serialize, r.deserialize, request, this.metadata(extra), {}, (err, res) => (err ? reject(err) : resolve(res)));
    });
  }

  serverStream(method, reqType, resType, request, extra) {
    const c = codec(reqType), r = codec(resType);
    const call = this.client.makeServerStreamRequest(SERVICE + method, c.serialize, r.deserialize, request, this.metadata(extra), {});
    return new Promise((resolve, reject) => {
      const out = [];
      call.on('data', (d) => out.push(d));
      call.on('error', reject);
      call.on('end', () => resolve(out));
    });
  }

  bidi(method, reqType, resType, requests, extra) {
    const c = codec(reqType), r = codec(resType);
    const call = this.client.makeBidiStreamRequest(SERVICE + method, c.serialize, r.deserialize, this.metadata(extra), {});
    return new Promise((resolve, reject) => {
      const out = [];
      let headers = null;
      call.on('metadata', (md) => { headers = md.getMap(); });
      call.on('data', (d) => out.push(d));
      call.on('error', reject);
      call.on('status', (s) => { if (s.code === 0) resolve({ messages: out, headers, trailers: s.metadata.getMap() }); });
      for (const req of requests) call.write(req);
      call.end();
    });
  }

  /** Handshake the way arrow-go/arrow-java do with user and password: Basic in the authorization header. */
  async handshakeBasic(user, password) {
    const basic = Buffer.from(`${user}:${password}`).toString('base64').replace(/=+$/, '');
    const res = await this.bidi('Handshake', 'arrow.flight.protocol.HandshakeRequest', 'arrow.flight.protocol.HandshakeResponse', [{ protocol_version: 0 }], { authorization: `Basic ${basic}` });
    const auth = (res.headers && res.headers.authorization) || (res.trailers && res.trailers.authorization);
    if (!auth) throw new Error('no authorization header on the handshake response');
    this.headers.authorization = String(auth);
    return res;
  }

  getFlightInfo(cmdBytes, extra) {
    return this.unary('GetFlightInfo', 'arrow.flight.protocol.FlightDescriptor', 'arrow.flight.protocol.FlightInfo', { type: 2, cmd: cmdBytes }, extra);
  }

  getSchema(cmdBytes, extra) {
    return this.unary('GetSchema', 'arrow.flight.protocol.FlightDescriptor', 'arrow.flight.protocol.SchemaResult', { type: 2, cmd: cmdBytes }, extra);
  }

  async doGet(ticket, extra) {
    const messages = await this.serverStream('DoGet', 'arrow.flight.protocol.Ticket', 'arrow.flight.protocol.FlightData', { ticket }, extra);
    return { messages, table: tableFromIPC(toIpcStream(messages)) };
  }

  doAction(type, body, extra) {
    return this.serverStream('DoAction', 'arrow.flight.protocol.Action', 'arrow.flight.protocol.Result', { type, body }, extra);
  }

  async doPut(descriptor, table, extra) {
    const messages = fromIpcStream(tableToIPC(table, 'stream'));
    messages[0].flight_descriptor = descriptor;
    const res = await this.bidi('DoPut', 'arrow.flight.protocol.FlightData', 'arrow.flight.protocol.PutResult', messages, extra);
    return res.messages;
  }

  /** Execute a Flight SQL command the way the Go and Java clients do: GetFlightInfo, then DoGet of its one endpoint. */
  async execute(typeName, fields, extra) {
    const info = await this.getFlightInfo(pack(SQL + typeName, fields), extra);
    if (info.endpoint.length !== 1) throw new Error(`unsupported endpoint count ${info.endpoint.length}`);
    const result = await this.doGet(info.endpoint[0].ticket.ticket, extra);
    return { info, ...result, infoSchema: tableFromIPC(info.schema).schema };
  }

  close() { this.client.close(); }
}

export { SQL };
