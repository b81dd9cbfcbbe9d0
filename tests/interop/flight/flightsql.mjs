// Replays the Flight SQL call sequences of the JDBC driver, ADBC and Grafana against a running server and checks
// the answers (decoded with apache-arrow). Prints a JSON report; exits non-zero on the first failed check.
// usage: node flight/flightsql.mjs HOST:PORT TOKEN DATABASE   (the database holds table 'cpu', see FlightSqlTests)
import assert from 'node:assert/strict';
import { Type, TimeUnit, UnionMode, tableFromArrays, Table, vectorFromArray, Dictionary, Utf8, Int32, Float64, Int64, TimestampNanosecond, Field, Schema, makeTable, makeData, makeVector } from 'apache-arrow';
import { FlightClient, pack, unpack, SQL, T } from './client.mjs';

const [address, token, database] = process.argv.slice(2);
const report = {};
const col = (table, name) => Array.from(table.getChild(name) ?? [], (v) => (typeof v === 'bigint' ? Number(v) : v));

async function grpcError(fn) {
  try { await fn(); return null; } catch (e) { return { code: e.code, details: e.details }; }
}

// --- JDBC driver (arrow-java ArrowFlightSqlClientHandler): handshake with user/password, prepared statements ---
{
  const jdbc = new FlightClient(address, { database });
  const hs = await jdbc.handshakeBasic('any-user', token);
  // With a `catalog` connection property the driver sets it as a session option (and closes the session at the end).
  const setOptions = T('arrow.flight.protocol.SetSessionOptionsRequest');
  const set = await jdbc.doAction('SetSessionOptions', setOptions.encode(setOptions.create({ session_options: { catalog: { string_value: 'public' } } })).finish());
  assert.deepEqual(T('arrow.flight.protocol.SetSessionOptionsResult').decode(set[0].body).errors, {});
  const bad = await jdbc.doAction('SetSessionOptions', setOptions.encode(setOptions.create({ session_options: { catalog: { string_value: 'other' }, color: { string_value: 'x' } } })).finish());
  const errors = T('arrow.flight.protocol.SetSessionOptionsResult').decode(bad[0].body).errors;
  assert.equal(errors.catalog.value, 2);
  assert.equal(errors.color.value, 1);
  report.handshakeBearer = jdbc.headers.authorization === `Bearer ${token}`;
  assert.equal(jdbc.headers.authorization, `Bearer ${token}`);
  assert.equal(Buffer.from(hs.messages[0].payload).toString(), token);

  const created = await jdbc.doAction('CreatePreparedStatement', pack(SQL + 'ActionCreatePreparedStatementRequest', { query: 'SELECT time, host, usage FROM cpu WHERE usage > $1 AND host = $host ORDER BY time' }));
  const prepared = unpack(created[0].body, SQL + 'ActionCreatePreparedStatementResult');
  assert.equal(prepared.is_update, false);
  // The answer's schema from the plan (parameters standing in as placeholders) and the parameters in order of first
  // appearance, typed as the plan constrains them ($1 is compared with the float field usage, $host with a tag).
  const { tableFromIPC } = await import('apache-arrow');
  report.preparedSchemas = {
    dataset: tableFromIPC(prepared.dataset_schema).schema.fields.map((f) => `${f.name}:${f.type}`),
    parameters: tableFromIPC(prepared.parameter_schema).schema.fields.map((f) => `${f.name}:${f.type}`),
  };
  assert.deepEqual(report.preparedSchemas.dataset, ['time:Timestamp<NANOSECOND>', 'host:Utf8', 'usage:Float64']);
  assert.deepEqual(report.preparedSchemas.parameters, ['1:Float64', 'host:Utf8']);
  const badPrepare = await grpcError(() => jdbc.doAction('CreatePreparedStatement', pack(SQL + 'ActionCreatePreparedStatementRequest', { query: 'SELECT nope FROM cpu WHERE host = $h' })));
  assert.equal(badPrepare.code, 3);
  assert.match(badPrepare.details, /^line 1, column 8: /);

  // Parameters bound through DoPut ($1 by position, $host by name), the returned handle adopted.
  const params = makeTable({ p: vectorFromArray([1.5], new Float64()), host: vectorFromArray(['a'], new Utf8()) });
  const putResults = await jdbc.doPut({ type: 2, cmd: pack(SQL + 'CommandPreparedStatementQuery', { prepared_statement_handle: prepared.prepared_statement_handle }) }, params);
  const bound = T(SQL + 'DoPutPreparedStatementResult').decode(putResults[0].app_metadata);
  assert.ok(bound.prepared_statement_handle.length > 0);
  const run = await jdbc.execute('CommandPreparedStatementQuery', { prepared_statement_handle: bound.prepared_statement_handle });
  report.prepared = { host: col(run.table, 'host'), usage: col(run.table, 'usage'), totalRecords: Number(run.info.total_records) };
  assert.deepEqual(report.prepared.host, ['a', 'a']);
  assert.deepEqual(report.prepared.usage, [2, 3]);
  const time = run.table.schema.fields.find((f) => f.name === 'time');
  assert.equal(time.typeId, Type.Timestamp);
  assert.equal(time.type.unit, TimeUnit.NANOSECOND);
  assert.equal(run.table.schema.fields.find((f) => f.name === 'host').typeId, Type.Utf8);
  assert.deepEqual(Array.from(run.table.getChild('time').data[0].values.slice(0, 2), String), ['1700000001000000000', '1700000002000000000']);

  // Without parameters the placeholders stay unbound: a clear INVALID_ARGUMENT.
  const unbound = await grpcError(() => jdbc.execute('CommandPreparedStatementQuery', { prepared_statement_handle: prepared.prepared_statement_handle }));
  report.unbound = unbound;
  assert.equal(unbound.code, 3);
  const closed = await jdbc.doAction('CloseSession', new Uint8Array(0));
  report.closeSession = T('arrow.flight.protocol.CloseSessionResult').decode(closed[0].body).status;
  assert.equal(report.closeSession, 1);
  await jdbc.doAction('ClosePreparedStatement', pack(SQL + 'ActionClosePreparedStatementRequest', { prepared_statement_handle: bound.prepared_statement_handle }));

  // DatabaseMetaData calls answered empty or from the catalog.
  const keys = await jdbc.execute('CommandGetPrimaryKeys', { table: 'cpu' });
  report.primaryKeys = col(keys.table, 'column_name');
  assert.deepEqual(report.primaryKeys, ['host', 'time']);
  for (const cmd of ['CommandGetExportedKeys', 'CommandGetImportedKeys']) {
    const r = await jdbc.execute(cmd, { table: 'cpu' });
    assert.equal(r.table.numRows, 0);
    assert.equal(r.table.schema.fields.length, 13);
  }
  const cross = await jdbc.execute('CommandGetCrossReference', { pk_table: 'cpu', fk_table: 'cpu' });
  assert.equal(cross.table.numRows, 0);
  const types = await jdbc.execute('CommandGetTableTypes', {});
  assert.deepEqual(col(types.table, 'table_type'), ['BASE TABLE', 'VIEW']);
  const xdbc = await jdbc.execute('CommandGetXdbcTypeInfo', {});
  report.xdbcTypes = col(xdbc.table, 'type_name');
  assert.ok(report.xdbcTypes.includes('VARCHAR') && report.xdbcTypes.includes('TIMESTAMP'));
  assert.equal(xdbc.table.schema.fields.find((f) => f.name === 'create_params').typeId, Type.List);
  const xdbcOne = await jdbc.execute('CommandGetXdbcTypeInfo', { data_type: 12 });
  assert.deepEqual(col(xdbcOne.table, 'type_name'), ['VARCHAR']);
  jdbc.close();
}

// --- ADBC (flightsql_database.go): GetSqlInfo on open, GetObjects via catalogs/schemas/tables ---
{
  const adbc = new FlightClient(address, { authorization: `Bearer ${token}`, database });
  const txn = await adbc.execute('CommandGetSqlInfo', { info: [8] });
  assert.deepEqual(col(txn.table, 'info_name'), [8]);
  const value = txn.table.schema.fields.find((f) => f.name === 'value');
  assert.equal(value.typeId, Type.Union);
  assert.equal(value.type.mode, UnionMode.Dense);
  assert.deepEqual(value.type.children.map((c) => c.name), ['string_value', 'bool_value', 'bigint_value', 'int32_bitmask', 'string_list', 'int32_to_int32_list_map']);
  assert.equal(txn.table.getChild('value').get(0), 0);
  const all = await adbc.execute('CommandGetSqlInfo', {});
  const info = Object.fromEntries(col(all.table, 'info_name').map((id, i) => [id, all.table.getChild('value').get(i)]));
  report.sqlInfo = { name: info[0], readOnly: info[3], quote: info[504], keywords: info[508] ? Array.from(info[508]).slice(0, 3) : null };
  assert.equal(info[0], 'tsdb');
  assert.equal(info[4], true);
  assert.equal(info[504], '"');
  assert.equal(Array.from(info[508])[0], 'SELECT');

  const catalogs = await adbc.execute('CommandGetCatalogs', {});
  assert.deepEqual(col(catalogs.table, 'catalog_name'), ['public']);
  const schemas = await adbc.execute('CommandGetDbSchemas', { catalog: 'public', db_schema_filter_pattern: 'i%' });
  report.dbSchemas = col(schemas.table, 'db_schema_name');
  assert.deepEqual(report.dbSchemas, ['information_schema', 'iox']);
  const tables = await adbc.execute('CommandGetTables', { catalog: 'public', include_schema: true });
  report.tables = col(tables.table, 'table_name');
  assert.ok(report.tables.includes('cpu') && report.tables.includes('parquet_files'));
  const cpuRow = report.tables.indexOf('cpu');
  const cpuSchema = (await import('apache-arrow')).tableFromIPC(tables.table.getChild('table_schema').get(cpuRow)).schema;
  report.cpuSchema = cpuSchema.fields.map((f) => `${f.name}:${f.type}:${f.metadata.get('iox::column::type')}`);
  assert.ok(report.cpuSchema.includes('host:Utf8:iox::column_type::tag'));
  assert.ok(report.cpuSchema.includes('usage:Float64:iox::column_type::field::float'));
  assert.ok(report.cpuSchema.includes('time:Timestamp<NANOSECOND>:iox::column_type::timestamp'));

  const statement = await adbc.execute('CommandStatementQuery', { query: 'SELECT host, count(*) AS n FROM cpu GROUP BY host ORDER BY host' });
  report.grouped = { host: col(statement.table, 'host'), n: col(statement.table, 'n') };
  assert.deepEqual(report.grouped, { host: ['a', 'b'], n: [3, 2] });
  // GetSchema answers the same schema without running a DoGet.
  const schemaOnly = await adbc.getSchema(pack(SQL + 'CommandStatementQuery', { query: 'SELECT host, usage FROM cpu' }));
  assert.deepEqual((await import('apache-arrow')).tableFromIPC(schemaOnly.schema).schema.fields.map((f) => f.name), ['host', 'usage']);
  adbc.close();
}

// --- Grafana FlightSQL data source: `select 1` health check, table list, columns of one table ---
{
  const grafana = new FlightClient(address, { authorization: `Bearer ${token}`, 'bucket-name': database });
  const health = await grafana.execute('CommandStatementQuery', { query: 'select 1' });
  assert.equal(health.info.endpoint.length, 1);
  assert.equal(health.table.numRows, 1);
  report.health = 'OK';
  const list = await grafana.execute('CommandGetTables', { table_types: ['BASE TABLE', 'table'] });
  report.grafanaTables = col(list.table, 'table_name');
  assert.deepEqual(report.grafanaTables, ['cpu']);
  const columns = await grafana.execute('CommandGetTables', { table_name_filter_pattern: 'cpu', include_schema: true });
  assert.equal(columns.table.numRows, 1);
  const series = await grafana.execute('CommandStatementQuery', { query: "SELECT time, host, usage FROM cpu WHERE host = 'b' ORDER BY time" });
  assert.deepEqual(col(series.table, 'usage'), [10, 20]);
  assert.equal(series.infoSchema.fields.find((f) => f.name === 'host').typeId, Type.Utf8);
  grafana.close();
}

// --- Plain Flight: ListFlights, a path descriptor, and DoGet of the Any(ReadInfo) ticket it hands out ---
{
  const plain = new FlightClient(address, { authorization: `Bearer ${token}`, database });
  const flights = await plain.serverStream('ListFlights', 'arrow.flight.protocol.Criteria', 'arrow.flight.protocol.FlightInfo', {});
  report.listFlights = flights.map((f) => f.flight_descriptor.path.join('/'));
  assert.deepEqual(report.listFlights, [`${database}/cpu`]);
  const byPath = await plain.unary('GetFlightInfo', 'arrow.flight.protocol.FlightDescriptor', 'arrow.flight.protocol.FlightInfo', { type: 1, path: [database, 'cpu'] });
  const rows = await plain.doGet(byPath.endpoint[0].ticket.ticket);
  assert.equal(rows.table.numRows, 5);
  // Plain Flight hydrates tags to utf8, as InfluxDB 3 sends them; the column kind stays in the field metadata.
  const host = rows.table.schema.fields.find((f) => f.name === 'host');
  assert.equal(host.typeId, Type.Utf8);
  assert.equal(host.metadata.get('iox::column::type'), 'iox::column_type::tag');
  assert.deepEqual([...new Set(col(rows.table, 'host'))].sort(), ['a', 'b']);
  // A client that reads dictionaries may ask for them.
  const keep = new FlightClient(address, { authorization: `Bearer ${token}`, database, 'tsdb-dictionaries': 'keep' });
  const keptRows = await keep.doGet(byPath.endpoint[0].ticket.ticket);
  assert.equal(keptRows.table.schema.fields.find((f) => f.name === 'host').typeId, Type.Dictionary);
  assert.deepEqual(col(keptRows.table, 'host'), col(rows.table, 'host'));
  const keptInfo = await keep.unary('GetFlightInfo', 'arrow.flight.protocol.FlightDescriptor', 'arrow.flight.protocol.FlightInfo', { type: 1, path: [database, 'cpu'] });
  assert.notDeepEqual(Buffer.from(keptInfo.schema), Buffer.from(byPath.schema));
  const badHandling = new FlightClient(address, { authorization: `Bearer ${token}`, database, 'tsdb-dictionaries': 'sometimes' });
  const refused = await grpcError(() => badHandling.doGet(byPath.endpoint[0].ticket.ticket));
  assert.equal(refused.code, 3);
  assert.match(refused.details, /tsdb-dictionaries/);
  keep.close();
  badHandling.close();
  // A plain ticket as a GetFlightInfo command: its own database counts, no header needed.
  const bare = new FlightClient(address, { authorization: `Bearer ${token}` });
  const jsonTicket = Buffer.from(JSON.stringify({ database, sql_query: 'SELECT count(*) AS n FROM cpu' }));
  const viaInfo = await bare.getFlightInfo(jsonTicket);
  assert.deepEqual(col((await bare.doGet(viaInfo.endpoint[0].ticket.ticket)).table, 'n'), [5]);
  bare.close();
  const missing = await grpcError(() => plain.unary('GetSchema', 'arrow.flight.protocol.FlightDescriptor', 'arrow.flight.protocol.SchemaResult', { type: 1, path: [database, 'nope'] }));
  assert.equal(missing.code, 5);
  plain.close();
}

// --- Errors and auth ---
{
  const wrongPassword = new FlightClient(address, { database });
  report.badHandshake = await grpcError(() => wrongPassword.handshakeBasic('user', 'apiv3_not_a_token'));
  assert.equal(report.badHandshake.code, 7);
  wrongPassword.close();
  const anonymous = new FlightClient(address, { database });
  report.noToken = await grpcError(() => anonymous.execute('CommandStatementQuery', { query: 'select 1' }));
  assert.equal(report.noToken.code, 16);
  anonymous.close();
  const noDb = new FlightClient(address, { authorization: `Bearer ${token}` });
  report.noDatabase = await grpcError(() => noDb.execute('CommandStatementQuery', { query: 'select 1' }));
  assert.equal(report.noDatabase.code, 3);
  report.unknownDatabase = await grpcError(() => noDb.execute('CommandStatementQuery', { query: 'select 1' }, { database: 'nope' }));
  assert.equal(report.unknownDatabase.code, 5);
  report.badSql = await grpcError(() => noDb.execute('CommandStatementQuery', { query: 'SELECT FROM' }, { database }));
  assert.equal(report.badSql.code, 3);
  report.unknownTable = await grpcError(() => noDb.execute('CommandStatementQuery', { query: 'SELECT * FROM nothere' }, { database }));
  assert.equal(report.unknownTable.code, 3);
  report.update = await grpcError(() => noDb.execute('CommandStatementUpdate', { query: 'DELETE FROM cpu' }, { database }));
  assert.equal(report.update.code, 12);
  // A command whose inner message is not valid protobuf (a field runs past its end): the client's error, not INTERNAL.
  const url = Buffer.from(`type.googleapis.com/${SQL}CommandStatementQuery`);
  const malformed = Buffer.concat([Buffer.from([0x0a, url.length]), url, Buffer.from([0x12, 2, 0x0a, 0xff])]);
  report.malformedCommand = await grpcError(() => noDb.getFlightInfo(malformed, { database }));
  assert.equal(report.malformedCommand.code, 3);
  noDb.close();
}

// --- DoPut bulk write of Arrow batches (dictionary tag, timestamp, fields), then read back ---
{
  const writer = new FlightClient(address, { authorization: `Bearer ${token}` });
  const n = 1000;
  const schema = new Schema([
    new Field('time', new TimestampNanosecond(), false),
    new Field('host', new Dictionary(new Utf8(), new Int32()), true),
    new Field('usage', new Float64(), true),
    new Field('count', new Int64(), true),
  ]);
  const t0 = 1700001000000000000n;
  const table = makeTable({
    // Exact nanoseconds (the builders take milliseconds).
    time: makeVector(makeData({ type: new TimestampNanosecond(), length: n, nullCount: 0, data: BigInt64Array.from({ length: n }, (_, i) => t0 + BigInt(i) * 1000n) })),
    host: vectorFromArray(Array.from({ length: n }, (_, i) => `p${i % 3}`), new Dictionary(new Utf8(), new Int32())),
    usage: vectorFromArray(Array.from({ length: n }, (_, i) => i / 4), new Float64()),
    count: vectorFromArray(Array.from({ length: n }, (_, i) => BigInt(i)), new Int64()),
  });
  assert.equal(table.schema.fields.length, schema.fields.length);
  const acks = await writer.doPut({ type: 1, path: [database, 'bulk'] }, table);
  report.putAcks = acks.map((a) => Number(T(SQL + 'DoPutUpdateResult').decode(a.app_metadata).record_count));
  assert.equal(report.putAcks.reduce((a, b) => a + b, 0), n);
  const first = await writer.execute('CommandStatementQuery', { query: 'SELECT time FROM bulk ORDER BY time LIMIT 2' }, { database });
  report.bulkTimes = Array.from(first.table.getChild('time').data[0].values, String);
  assert.deepEqual(report.bulkTimes, [String(t0), String(t0 + 1000n)]);
  const back = await writer.execute('CommandStatementQuery', { query: "SELECT count(*) AS rows, sum(usage) AS s, max(count) AS m FROM bulk WHERE host = 'p1'" }, { database });
  report.bulk = { rows: col(back.table, 'rows')[0], sum: col(back.table, 's')[0], max: col(back.table, 'm')[0] };
  const expected = Array.from({ length: n }, (_, i) => i).filter((i) => i % 3 === 1);
  assert.deepEqual(report.bulk, { rows: expected.length, sum: expected.reduce((a, i) => a + i / 4, 0), max: expected.at(-1) });
  writer.close();
}

process.stdout.write(JSON.stringify(report));
