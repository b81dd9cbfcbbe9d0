using Grpc.Core;
using Tsdb.Arrow.Ipc;
using Tsdb.Catalog;
using Tsdb.Core.Schema;
using Tsdb.Ingest;
using Tsdb.Storage;
using Tsdb.Wal;
using AA = Apache.Arrow;
using AI = Apache.Arrow.Ipc;
using AT = Apache.Arrow.Types;

namespace Tsdb.Flight.Tests;

/// <summary>
/// DoPut's write: batches written by Apache.Arrow (an independent implementation), read by our IPC reader and
/// written through the shared write path into a real catalog, WAL and write buffer; rows read back from the buffer.
/// </summary>
public sealed class ArrowIngestTests : IAsyncLifetime
{
    private const long T0 = 1_700_000_000_000_000_000;
    private readonly string _dir = Directory.CreateTempSubdirectory("tsdb-doput-").FullName;
    private readonly InMemoryCatalogStore _catalogStore = new();
    private Catalog.Catalog _catalog = null!;
    private WriteBuffer _buffer = null!;
    private WriteAheadLog _wal = null!;
    private ArrowIngest _ingest = null!;

    public Task InitializeAsync()
    {
        _catalog = new Catalog.Catalog(_catalogStore, new CatalogLimits { MaxColumnsPerTable = 8 });
        _buffer = new WriteBuffer(1L << 30);
        _wal = WriteAheadLog.Open(new WalOptions { Directory = _dir }, _buffer);
        _ingest = new ArrowIngest(new WritePath(_catalog, _wal, TimeProvider.System, () => _buffer.IsOverBudget));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _wal.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>Apache.Arrow's stream bytes for one batch, read back with our reader.</summary>
    private static Tsdb.Arrow.Arrays.RecordBatch ThroughIpc(AA.RecordBatch batch)
    {
        var stream = new MemoryStream();
        using (var writer = new AI.ArrowStreamWriter(stream, batch.Schema, leaveOpen: true))
        {
            writer.WriteRecordBatch(batch);
            writer.WriteEnd();
        }
        return Assert.Single(new ArrowStreamReader(stream.ToArray()).ReadAll());
    }

    private Task<int> Put(AA.RecordBatch batch, string table = "t", string db = "db") =>
        _ingest.WriteAsync(db, table, ThroughIpc(batch), 0, CancellationToken.None);

    private List<Dictionary<string, object?>> Rows(string table, string db = "db")
    {
        var rows = new List<Dictionary<string, object?>>();
        foreach (var chunk in _buffer.Snapshot(db, table))
        {
            for (var i = 0; i < chunk.Batch.Length; i++)
            {
                var row = new Dictionary<string, object?>();
                for (var c = 0; c < chunk.Batch.ColumnCount; c++)
                {
                    if (chunk.Batch.Column(c).GetObject(i) is { } value)
                    {
                        row[chunk.Batch.Schema[c].Name] = value;
                    }
                }
                rows.Add(row);
            }
        }
        return [.. rows.OrderBy(r => (long)r["time"]!)];
    }

    private static AA.TimestampArray Nanos(params long[] values)
    {
        // Raw values: the library's builder takes DateTimeOffset, which has no nanoseconds.
        var type = new AT.TimestampType(AT.TimeUnit.Nanosecond, (string?)null);
        return new AA.TimestampArray(type, new AA.ArrowBuffer.Builder<long>().AppendRange(values).Build(), AA.ArrowBuffer.Empty, values.Length, 0, 0);
    }

    private static AA.Schema Schema(params (string Name, AT.IArrowType Type, string? Kind)[] fields)
    {
        var builder = new AA.Schema.Builder();
        foreach (var (name, type, kind) in fields)
        {
            builder.Field(f =>
            {
                f.Name(name).DataType(type).Nullable(name != "time");
                if (kind is not null)
                {
                    f.Metadata(ColumnKindNames.IoxMetadataKey, kind);
                }
            });
        }
        return builder.Build();
    }

    [Fact]
    public async Task Every_column_kind_is_stored_with_its_type_and_nulls()
    {
        var dictionaryType = new AT.DictionaryType(AT.Int32Type.Default, AT.StringType.Default, false);
        var schema = Schema(
            ("time", new AT.TimestampType(AT.TimeUnit.Nanosecond, (string?)null), null),
            ("host", AT.StringType.Default, "iox::column_type::tag"),
            ("region", dictionaryType, null),
            ("usage", AT.DoubleType.Default, null),
            ("n", AT.Int64Type.Default, null),
            ("u", AT.UInt64Type.Default, null),
            ("ok", AT.BooleanType.Default, null),
            ("note", AT.StringType.Default, null));
        var region = new AA.DictionaryArray(dictionaryType, new AA.Int32Array.Builder().Append(1).Append(0).AppendNull().Build(),
            new AA.StringArray.Builder().Append("eu west").Append("us,east=1").Build());
        var batch = new AA.RecordBatch(schema,
        [
            Nanos(T0 + 1, T0 + 2, T0 + 3),
            new AA.StringArray.Builder().Append("a").Append("").Append("c d").Build(),
            region,
            new AA.DoubleArray.Builder().Append(0.5).AppendNull().Append(-1.5e300).Build(),
            new AA.Int64Array.Builder().Append(long.MinValue).Append(7).AppendNull().Build(),
            new AA.UInt64Array.Builder().Append(ulong.MaxValue).AppendNull().Append(0).Build(),
            new AA.BooleanArray.Builder().Append(true).AppendNull().Append(false).Build(),
            new AA.StringArray.Builder().Append("quote \" and \\").AppendNull().Append("ünï").Build(),
        ], 3);

        Assert.Equal(3, await Put(batch));

        var rows = Rows("t");
        Assert.Equal(new Dictionary<string, object?> { ["time"] = T0 + 1, ["host"] = "a", ["region"] = "us,east=1", ["usage"] = 0.5, ["n"] = long.MinValue, ["u"] = ulong.MaxValue, ["ok"] = true, ["note"] = "quote \" and \\" }, rows[0]);
        // An empty tag is no tag, as in line protocol.
        Assert.Equal(new Dictionary<string, object?> { ["time"] = T0 + 2, ["region"] = "eu west", ["n"] = 7L }, rows[1]);
        Assert.Equal(new Dictionary<string, object?> { ["time"] = T0 + 3, ["host"] = "c d", ["usage"] = -1.5e300, ["u"] = 0UL, ["ok"] = false, ["note"] = "ünï" }, rows[2]);
        var table = _catalog.Current.FindDatabase("db")!.FindTable("t")!;
        Assert.Equal(
            [("host", ColumnKind.Tag), ("n", ColumnKind.Integer), ("note", ColumnKind.String), ("ok", ColumnKind.Boolean), ("region", ColumnKind.Tag), ("time", ColumnKind.Time), ("u", ColumnKind.UInteger), ("usage", ColumnKind.Float)],
            table.Columns.Select(c => (c.Name, c.Kind)).OrderBy(c => c.Name, StringComparer.Ordinal));
    }

    [Fact]
    public async Task Narrow_types_widen_and_a_millisecond_timestamp_of_any_name_becomes_time()
    {
        var schema = Schema(
            ("ts", new AT.TimestampType(AT.TimeUnit.Millisecond, "UTC"), null),
            ("i32", AT.Int32Type.Default, null),
            ("u8", AT.UInt8Type.Default, null),
            ("f32", AT.FloatType.Default, null));
        var ts = new AA.TimestampArray.Builder(new AT.TimestampType(AT.TimeUnit.Millisecond, "UTC"))
            .Append(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_001)).Append(DateTimeOffset.FromUnixTimeMilliseconds(-1)).Build();
        var batch = new AA.RecordBatch(schema,
            [ts, new AA.Int32Array.Builder().Append(-5).Append(int.MaxValue).Build(), new AA.UInt8Array.Builder().Append(255).AppendNull().Build(), new AA.FloatArray.Builder().Append(0.25f).AppendNull().Build()], 2);

        Assert.Equal(2, await Put(batch));

        var rows = Rows("t");
        Assert.Equal(new Dictionary<string, object?> { ["time"] = -1_000_000L, ["i32"] = (long)int.MaxValue }, rows[0]);
        Assert.Equal(new Dictionary<string, object?> { ["time"] = 1_700_000_000_001_000_000L, ["i32"] = -5L, ["u8"] = 255UL, ["f32"] = 0.25 }, rows[1]);
    }

    [Fact]
    public async Task A_row_without_field_values_stores_nothing()
    {
        var schema = Schema(("time", new AT.TimestampType(AT.TimeUnit.Nanosecond, (string?)null), null), ("host", AT.StringType.Default, "iox::column_type::tag"), ("v", AT.DoubleType.Default, null));
        var batch = new AA.RecordBatch(schema, [Nanos(T0, T0 + 1), new AA.StringArray.Builder().Append("a").Append("b").Build(), new AA.DoubleArray.Builder().AppendNull().Append(1).Build()], 2);

        Assert.Equal(1, await Put(batch));
        Assert.Equal([new Dictionary<string, object?> { ["time"] = T0 + 1, ["host"] = "b", ["v"] = 1.0 }], Rows("t"));
    }

    public static TheoryData<string, AA.RecordBatch> BadBatches()
    {
        var time = ("time", (AT.IArrowType)new AT.TimestampType(AT.TimeUnit.Nanosecond, (string?)null), (string?)null);
        return new()
        {
            {
                "the batch has no time column (a timestamp column, or one named 'time')",
                new AA.RecordBatch(Schema(("v", AT.DoubleType.Default, null)), [new AA.DoubleArray.Builder().Append(1).Build()], 1)
            },
            {
                "columns 'time' and 'at' are both time columns; a table has one",
                new AA.RecordBatch(Schema(time, ("at", new AT.TimestampType(AT.TimeUnit.Second, (string?)null), null)), [Nanos(T0), Nanos(T0)], 1)
            },
            {
                "column 'blob' has type binary, which cannot be stored",
                new AA.RecordBatch(Schema(time, ("blob", AT.BinaryType.Default, null)), [Nanos(T0), new AA.BinaryArray.Builder().Append([1, 2]).Build()], 1)
            },
            {
                "column 'v' has type utf8, which cannot be stored as a float column",
                new AA.RecordBatch(Schema(time, ("v", AT.StringType.Default, "iox::column_type::field::float")), [Nanos(T0), new AA.StringArray.Builder().Append("x").Build()], 1)
            },
            {
                "column 'v' holds NaN, which cannot be stored",
                new AA.RecordBatch(Schema(time, ("v", AT.DoubleType.Default, null)), [Nanos(T0), new AA.DoubleArray.Builder().Append(double.NaN).Build()], 1)
            },
            {
                "row 1 has no time (column 'time' is null)",
                new AA.RecordBatch(Schema(time, ("v", AT.DoubleType.Default, null)),
                    [new AA.TimestampArray.Builder(new AT.TimestampType(AT.TimeUnit.Nanosecond, (string?)null)).Append(DateTimeOffset.UnixEpoch).AppendNull().Build(), new AA.DoubleArray.Builder().Append(1).Append(2).Build()], 2)
            },
            {
                "row 0: time 9223372036854775 in column 'at' is out of range (nanoseconds since the epoch must fit in 64 bits)",
                new AA.RecordBatch(Schema(("at", new AT.TimestampType(AT.TimeUnit.Second, (string?)null), null), ("v", AT.DoubleType.Default, null)),
                    [new AA.TimestampArray(new AT.TimestampType(AT.TimeUnit.Second, (string?)null), new AA.ArrowBuffer.Builder<long>().Append(9_223_372_036_854_775).Build(), AA.ArrowBuffer.Empty, 1, 0, 0), new AA.DoubleArray.Builder().Append(1).Build()], 1)
            },
        };
    }

    [Theory]
    [MemberData(nameof(BadBatches))]
    public async Task A_batch_that_can_never_be_stored_is_refused_with_the_reason(string message, AA.RecordBatch batch)
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => Put(batch));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(message, e.Status.Detail);
        Assert.Null(_catalog.Current.FindDatabase("db"));
    }

    [Fact]
    public async Task A_type_conflict_refuses_the_whole_batch_at_the_first_row_using_the_column()
    {
        var schema = Schema(("time", new AT.TimestampType(AT.TimeUnit.Nanosecond, (string?)null), null), ("a", AT.Int64Type.Default, null), ("v", AT.DoubleType.Default, null));
        Assert.Equal(1, await Put(new AA.RecordBatch(schema, [Nanos(T0), new AA.Int64Array.Builder().Append(1).Build(), new AA.DoubleArray.Builder().Append(1).Build()], 1)));

        var conflicting = Schema(("time", new AT.TimestampType(AT.TimeUnit.Nanosecond, (string?)null), null), ("a", AT.Int64Type.Default, null), ("v", AT.StringType.Default, null));
        var batch = new AA.RecordBatch(conflicting, [Nanos(T0 + 1, T0 + 2, T0 + 3), new AA.Int64Array.Builder().Append(2).Append(3).Append(4).Build(), new AA.StringArray.Builder().AppendNull().AppendNull().Append("x").Build()], 3);
        var e = await Assert.ThrowsAsync<RpcException>(() => Put(batch));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("row 2 of the batch was refused (nothing of the batch was written): invalid column type for column 'v' in table 't', expected iox::column_type::field::float, got iox::column_type::field::string", e.Status.Detail);
        Assert.Single(Rows("t"));
    }

    [Fact]
    public async Task The_column_limit_refuses_the_batch_as_resource_exhausted()
    {
        // The table may have 8 columns (time + 7); this batch brings 9.
        var fields = new List<(string, AT.IArrowType, string?)> { ("time", new AT.TimestampType(AT.TimeUnit.Nanosecond, (string?)null), null) };
        var arrays = new List<AA.IArrowArray> { Nanos(T0) };
        for (var i = 0; i < 8; i++)
        {
            fields.Add(($"f{i}", AT.Int64Type.Default, null));
            arrays.Add(new AA.Int64Array.Builder().Append(i).Build());
        }
        var e = await Assert.ThrowsAsync<RpcException>(() => Put(new AA.RecordBatch(Schema([.. fields]), arrays, 1)));
        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
        Assert.StartsWith("row 0 of the batch was refused (nothing of the batch was written): column limit reached: table 't' in database 'db' already has 8 columns, cannot add column 'f7'", e.Status.Detail, StringComparison.Ordinal);
        Assert.Empty(Rows("t"));
    }

    [Fact]
    public async Task A_row_outside_the_retention_refuses_the_batch_naming_the_row()
    {
        await _catalog.UpdateAsync(editor =>
        {
            editor.EnsureDatabase("db", out _);
            editor.SetRetention("db", TimeSpan.FromHours(1));
            return 0;
        });
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        var schema = Schema(("time", new AT.TimestampType(AT.TimeUnit.Nanosecond, (string?)null), null), ("v", AT.Int64Type.Default, null));
        var e = await Assert.ThrowsAsync<RpcException>(() => Put(new AA.RecordBatch(schema, [Nanos(now, now - 7_200_000_000_000), new AA.Int64Array.Builder().Append(1).Append(2).Build()], 2)));
        Assert.StartsWith("row 1 of the batch was refused (nothing of the batch was written): point time ", e.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("is outside the retention period of database 'db' (1h)", e.Status.Detail, StringComparison.Ordinal);
        Assert.Empty(Rows("t"));
    }
}
