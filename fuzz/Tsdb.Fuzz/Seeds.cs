using System.IO.Compression;
using System.Text;
using Google.Protobuf;
using Any = Google.Protobuf.WellKnownTypes.Any;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Ipc;
using Tsdb.Arrow.Types;
using Tsdb.Catalog;
using Tsdb.Catalog.Log;
using Tsdb.Core.Compression;
using Tsdb.Core.Schema;
using Tsdb.Flight;
using Tsdb.Flight.Protocol.Iox;
using Tsdb.Flight.Protocol.Sql;
using Tsdb.Flight.Protocol.Tsdb;
using CompressionCodec = Tsdb.Parquet.Metadata.CompressionCodec;
using Tsdb.Parquet.Writing;
using Tsdb.Wal;
using V1 = Tsdb.Prometheus.Protocol.V1;
using V2 = Tsdb.Prometheus.Protocol.V2;

namespace Tsdb.Fuzz;

/// <summary>
/// Writes the binary seeds of <c>fuzz/corpus</c> with the project's own writers (Arrow IPC, Parquet, WAL, remote
/// write, Flight, catalog), so the fuzzer starts from inputs the server really receives and writes. The text seeds
/// (queries, line protocol, JSON bodies) are taken from the test suites and kept as files.
/// </summary>
internal static class Seeds
{
    public static void Write(string root)
    {
        var batch = SampleBatch();
        Save(root, "arrow-stream", "batch.arrows", ArrowStreamWriter.ToBytes(batch.Schema, [batch]));
        Save(root, "arrow-stream", "batch-zstd.arrows", ArrowStreamWriter.ToBytes(batch.Schema, [batch], new IpcWriteOptions { Compression = IpcCompression.Zstd }));
        Save(root, "arrow-stream", "batch-lz4.arrows", ArrowStreamWriter.ToBytes(batch.Schema, [batch], new IpcWriteOptions { Compression = IpcCompression.Lz4Frame }));
        Save(root, "arrow-stream", "two-batches.arrows", ArrowStreamWriter.ToBytes(batch.Schema, [batch, batch.Slice(1, 2)]));
        Save(root, "arrow-file", "batch.arrow", ArrowFileWriter.ToBytes(batch.Schema, [batch]));
        Save(root, "arrow-file", "two-batches.arrow", ArrowFileWriter.ToBytes(batch.Schema, [batch, batch.Slice(0, 1)]));

        Save(root, "parquet", "zstd.parquet", ParquetWriter.ToBytes(batch.Schema, [batch]));
        Save(root, "parquet", "snappy-v2-pages.parquet", ParquetWriter.ToBytes(batch.Schema, [batch], new ParquetWriterOptions { Compression = CompressionCodec.Snappy, DataPageVersion = 2 }));
        Save(root, "parquet", "plain-uncompressed.parquet", ParquetWriter.ToBytes(batch.Schema, [batch], new ParquetWriterOptions { Compression = CompressionCodec.Uncompressed, DictionaryEnabled = false }));

        var record = WalRecordCodec.Encode("db", [new WalTableWrite("cpu", batch), new WalTableWrite("mem", batch.Slice(0, 1))]);
        Save(root, "wal-record", "two-tables.bin", record);
        Save(root, "wal-segment", "one-record.wal", Segment([record]));
        Save(root, "wal-segment", "two-records.wal", Segment([record, WalRecordCodec.Encode("db2", [new WalTableWrite("t", batch.Slice(2, 1))])]));

        var v1 = RemoteWriteV1();
        var v2 = RemoteWriteV2();
        Save(root, "remote-write-v1-proto", "write-request.bin", v1);
        Save(root, "remote-write-v2-proto", "request.bin", v2);
        Save(root, "remote-write-v1", "write-request.snappy", Snappy.Compress(v1));
        Save(root, "remote-write-v2", "request.snappy", Snappy.Compress(v2));
        Save(root, "snappy", "write-request.snappy", Snappy.Compress(v1));
        Save(root, "snappy", "text.snappy", Snappy.Compress(Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("cpu,host=a usage=0.5 1700000000000000000\n", 20)))));

        Save(root, "gzip-body", "lines.gz", Gzip("cpu,host=a usage=0.5 1700000000000000000\nmem,host=b free=1i 1700000000000000001\n"u8));
        Save(root, "gzip-body", "empty.gz", Gzip([]));

        var statement = Any.Pack(new CommandStatementQuery { Query = "SELECT * FROM cpu WHERE host = 'a'" });
        var parameters = ArrowStreamWriter.ToBytes(batch.Schema, [batch.Slice(0, 1)]);
        var prepared = Any.Pack(new CommandPreparedStatementQuery { PreparedStatementHandle = PreparedStatements.Encode("SELECT * FROM cpu WHERE host = $host", parameters) });
        Save(root, "flight-command", "statement-query.bin", statement.ToByteArray());
        Save(root, "flight-command", "prepared-statement.bin", prepared.ToByteArray());
        Save(root, "flight-command", "get-tables.bin", Any.Pack(new CommandGetTables { IncludeSchema = true }).ToByteArray());
        Save(root, "flight-ticket", "json-sql.json", """{"database":"db","sql_query":"SELECT 1","query_type":"sql","params":{"a":1,"b":"x"}}"""u8.ToArray());
        Save(root, "flight-ticket", "json-influxql.json", """{"database":"db","sql_query":"SELECT * FROM cpu","query_type":"influxql"}"""u8.ToArray());
        Save(root, "flight-ticket", "read-info.bin", Any.Pack(new ReadInfo { Database = "db", SqlQuery = "SELECT 1", QueryType = ReadInfo.Types.QueryType.Sql }).ToByteArray());
        Save(root, "flight-ticket", "read-info-flightsql.bin", Any.Pack(new ReadInfo { Database = "db", QueryType = ReadInfo.Types.QueryType.FlightSqlMessage, FlightsqlCommand = statement.ToByteString() }).ToByteArray());
        Save(root, "flight-ticket", "statement-ticket.bin", Any.Pack(new StatementTicket { Database = "db", Command = prepared.ToByteString() }).ToByteArray());

        var snapshot = SampleCatalog();
        Save(root, "catalog-snapshot", "catalog.json", CatalogSerializer.Serialize(snapshot));
        Save(root, "catalog-snapshot", "empty.json", CatalogSerializer.Serialize(CatalogSnapshot.Empty));
        Save(root, "catalog-snapshot", "catalog.bin", CatalogCheckpoint.Serialize(snapshot));
        Save(root, "catalog-snapshot", "empty.bin", CatalogCheckpoint.Serialize(CatalogSnapshot.Empty));
        Save(root, "catalog-record", "create-all.json", CatalogRecords.Serialize(CatalogRecords.Diff(CatalogSnapshot.Empty, snapshot)));
    }

    private static void Save(string root, string target, string name, byte[] bytes)
    {
        var directory = Path.Combine(root, target);
        Directory.CreateDirectory(directory);
        File.WriteAllBytes(Path.Combine(directory, name), bytes);
    }

    private static RecordBatch SampleBatch()
    {
        var schema = new Schema([
            new Field("host", ArrowType.DictionaryUtf8),
            new Field("usage", ArrowType.Float64),
            new Field("count", ArrowType.Int64),
            new Field("message", ArrowType.Utf8),
            new Field("up", ArrowType.Boolean),
            new Field("time", ArrowType.TimestampNanosecond, false),
        ]);
        using var host = new DictionaryArrayBuilder();
        using var usage = new PrimitiveArrayBuilder<double>(ArrowType.Float64);
        using var count = new PrimitiveArrayBuilder<long>(ArrowType.Int64);
        using var message = new VariableWidthArrayBuilder(ArrowType.Utf8);
        using var up = new BooleanArrayBuilder();
        using var time = new PrimitiveArrayBuilder<long>(ArrowType.TimestampNanosecond);
        string?[] hosts = ["a", "b", null, "a"];
        for (var i = 0; i < hosts.Length; i++)
        {
            host.Append(hosts[i]);
            if (i == 1)
            {
                usage.AppendNull();
            }
            else
            {
                usage.Append(0.5 * i);
            }
            count.Append(i * 1000);
            message.Append(i == 2 ? null : $"m{i}");
            up.Append(i % 2 == 0);
            time.Append(1_700_000_000_000_000_000 + i);
        }
        return new RecordBatch(schema, [host.Build(), usage.Build(), count.Build(), message.Build(), up.Build(), time.Build()], hosts.Length);
    }

    private static byte[] Segment(IReadOnlyList<byte[]> records)
    {
        using var stream = new MemoryStream();
        stream.Write(WalSegmentFormat.Header());
        var frame = new byte[WalSegmentFormat.FrameLength];
        for (var i = 0; i < records.Count; i++)
        {
            WalSegmentFormat.WriteFrame(frame, i + 1, records[i]);
            stream.Write(frame);
            stream.Write(records[i]);
        }
        return stream.ToArray();
    }

    private static byte[] RemoteWriteV1()
    {
        var request = new V1.WriteRequest();
        var series = new V1.TimeSeries();
        series.Labels.Add(new V1.Label { Name = "__name__", Value = "http_requests_total" });
        series.Labels.Add(new V1.Label { Name = "job", Value = "api" });
        series.Samples.Add(new V1.Sample { Value = 1.5, Timestamp = 1_700_000_000_000 });
        series.Samples.Add(new V1.Sample { Value = double.NaN, Timestamp = 1_700_000_015_000 });
        request.Timeseries.Add(series);
        request.Metadata.Add(new V1.MetricMetadata { MetricFamilyName = "http_requests_total", Help = "requests", Type = V1.MetricMetadata.Types.MetricType.Counter });
        return request.ToByteArray();
    }

    private static byte[] RemoteWriteV2()
    {
        var request = new V2.Request();
        request.Symbols.Add("");
        request.Symbols.Add("__name__");
        request.Symbols.Add("up");
        request.Symbols.Add("job");
        request.Symbols.Add("node");
        var series = new V2.TimeSeries();
        series.LabelsRefs.Add([1, 2, 3, 4]);
        series.Samples.Add(new V2.Sample { Value = 1, Timestamp = 1_700_000_000_000 });
        series.Metadata = new V2.Metadata { Type = V2.Metadata.Types.MetricType.Gauge, HelpRef = 2 };
        request.Timeseries.Add(series);
        return request.ToByteArray();
    }

    private static byte[] Gzip(ReadOnlySpan<byte> raw)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(raw);
        }
        return output.ToArray();
    }

    private static CatalogSnapshot SampleCatalog()
    {
        var table = new TableDefinition("cpu", [
            new ColumnDefinition("host", ColumnKind.Tag),
            new ColumnDefinition("usage", ColumnKind.Float),
            new ColumnDefinition("time", ColumnKind.Time),
        ], TimeSpan.FromDays(7));
        var database = new DatabaseDefinition("db", [table], TimeSpan.FromDays(30));
        var created = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var token = new TokenDefinition("writer", new string('a', 64), false, created)
        {
            Permissions = [new TokenPermission("db", DatabaseActions.Read | DatabaseActions.Write)],
            ExpiresAt = created.AddDays(30),
        };
        var file = new ParquetFileEntry(1, "db", "cpu", 20454, "db/cpu/2026-01-01/1.parquet", 1, 2, 10, 1234, 5, 0, created);
        return new CatalogSnapshot(3, [database], [token], [file], 5, 2, []);
    }
}
