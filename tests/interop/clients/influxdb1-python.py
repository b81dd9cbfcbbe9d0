# InfluxQL through Debian's python3-influxdb (the InfluxDB 1.x Python client, 5.3.1): its InfluxDBClient sends
# GET /query?q=&db=[&epoch=][&chunked=true] with Basic auth and "Accept: application/x-msgpack", and reads JSON.
# Reports what the client decoded as JSON. usage: /usr/bin/python3 influxdb1-python.py HOST PORT TOKEN DATABASE
import json
import sys

from influxdb import InfluxDBClient
from influxdb.exceptions import InfluxDBClientError

host, port, token, database = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
client = InfluxDBClient(host=host, port=port, username='python', password=token, database=database)
result = {}

rs = client.query('SELECT mean("value") FROM "cpu" WHERE time >= \'2023-11-14T22:14:00Z\' AND time < \'2023-11-14T22:16:00Z\' GROUP BY time(1m), "host"')
result['keys'] = [[name, tags] for (name, tags) in rs.keys()]
result['meanA'] = list(rs.get_points(tags={'host': 'a'}))
result['meanB'] = list(rs.get_points(measurement='cpu', tags={'host': 'b'}))

result['databases'] = client.get_list_database()
result['measurements'] = client.get_list_measurements()

# Several statements: one ResultSet per statement, in order.
many = client.query('SELECT "value" FROM "cpu" WHERE "host" = \'b\'; SELECT count("used") FROM "mem"; SHOW TAG KEYS FROM "cpu"', epoch='s')
result['many'] = [list(r.get_points()) for r in many]

result['epochMs'] = list(client.query('SELECT "value", "n" FROM "cpu" WHERE "host" = \'a\' LIMIT 2', epoch='ms').get_points())
result['rfc3339'] = list(client.query('SELECT "value" FROM "cpu" WHERE "host" = \'a\' LIMIT 1').get_points())

# Chunked: one ResultSet per chunk of 2 rows.
chunks = client.query('SELECT "value" FROM "cpu" WHERE "host" = \'a\'', epoch='s', chunked=True, chunk_size=2)
result['chunks'] = [list(c.get_points()) for c in chunks]

# Bound parameters travel as params={"host":"b"}.
result['bound'] = list(client.query('SELECT "value" FROM "cpu" WHERE "host" = $host', bind_params={'host': 'b'}, epoch='s').get_points())

# Its own writes (JSON points turned into line protocol for POST /write?db=&precision=s) read back.
client.write_points([{'measurement': 'py', 'tags': {'k': 'x'}, 'time': 1700000100, 'fields': {'f': 2.5, 'i': 7}}], time_precision='s', database='pyw')
result['written'] = list(client.query('SELECT * FROM "py"', epoch='s', database='pyw').get_points())

result['series'] = client.get_list_series(measurement='cpu')
result['policies'] = client.get_list_retention_policies()
result['post'] = list(client.query('SELECT "value" FROM "cpu" WHERE "host" = \'b\' LIMIT 1', method='POST', epoch='ns').get_points())

# gzip=True: "Accept-Encoding: gzip" on queries and a gzip-compressed write body.
zipped = InfluxDBClient(host=host, port=port, username='python', password=token, database=database, gzip=True)
zipped.write_points([{'measurement': 'gz', 'fields': {'v': 1.25}, 'time': 1700000000}], time_precision='s', database='pyw')
result['gzip'] = list(zipped.query('SELECT "v" FROM "gz"', database='pyw', epoch='s').get_points())

# InfluxDB 3 takes no InfluxQL DDL: create_database raises the statement's error.
try:
    client.create_database('pynew')
    result['createDatabase'] = None
except InfluxDBClientError as e:
    result['createDatabase'] = {'code': e.code, 'content': e.content}

try:
    client.query('SELECT FROM cpu')
    result['parseError'] = None
except InfluxDBClientError as e:
    result['parseError'] = {'code': e.code, 'content': e.content}

try:
    client.query('SELECT "value" FROM "cpu"', database='no_such_db')
    result['unknownDb'] = None
except InfluxDBClientError as e:
    result['unknownDb'] = {'code': e.code, 'content': e.content}

wrong = InfluxDBClient(host=host, port=port, username='python', password='apiv3_wrong', database=database)
try:
    wrong.query('SHOW MEASUREMENTS')
    result['wrongToken'] = None
except InfluxDBClientError as e:
    result['wrongToken'] = {'code': e.code, 'content': e.content}

print(json.dumps(result))
