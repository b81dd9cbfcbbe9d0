using System.Text;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Types;
using Tsdb.Core.Schema;
using Grpc.Core;

namespace Tsdb.Flight.Tests;

public sealed class ArrowIngestTests
{
    [Fact]
    public void Batches_become_line_protocol_with_kinds_escapes_and_nulls()
    {
        using var batch = Batches.Cpu(8);
        var text = Encoding.UTF8.GetString(ArrowIngest.ToLineProtocol("my cpu", batch).Written.Span);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(8, lines.Length);
        Assert.Equal("my\\ cpu,host=h0 usage=0,count=0i 1700000000000000000", lines[0]);
        Assert.Equal("my\\ cpu count=4i 1700000000000000004", lines[4].Replace("usage=1,", "", StringComparison.Ordinal));
        Assert.Equal("my\\ cpu,host=h0 count=6i 1700000000000000006", lines[6]);
    }

    [Fact]
    public void Metadata_decides_kinds_and_strings_are_quoted()
    {
        using var tag = new VariableWidthArrayBuilder(ArrowType.Utf8);
        tag.Append("a,b=c d");
        using var note = new VariableWidthArrayBuilder(ArrowType.Utf8);
        note.Append("say \"hi\" \\ bye");
        using var flag = new BooleanArrayBuilder();
        flag.Append(true);
        using var big = new PrimitiveArrayBuilder<ulong>(ArrowType.UInt64);
        big.Append(ulong.MaxValue);
        using var ms = new PrimitiveArrayBuilder<long>(ArrowType.Timestamp(TimeUnit.Millisecond));
        ms.Append(1_700_000_000_123);
        var schema = new Schema(
        [
            new Field("region", ArrowType.Utf8, true, [new(ColumnKindNames.IoxMetadataKey, "iox::column_type::tag")]),
            new Field("note", ArrowType.Utf8),
            new Field("flag", ArrowType.Boolean),
            new Field("big", ArrowType.UInt64),
            new Field("t", ArrowType.Timestamp(TimeUnit.Millisecond), false),
        ]);
        using var batch = new RecordBatch(schema, [tag.Build(), note.Build(), flag.Build(), big.Build(), ms.Build()], 1);
        var text = Encoding.UTF8.GetString(ArrowIngest.ToLineProtocol("t1", batch).Written.Span);
        Assert.Equal("t1,region=a\\,b\\=c\\ d note=\"say \\\"hi\\\" \\\\ bye\",flag=true,big=18446744073709551615u 1700000000123000000\n", text);
    }

    [Fact]
    public void A_batch_without_a_time_column_is_refused()
    {
        using var value = new PrimitiveArrayBuilder<double>(ArrowType.Float64);
        value.Append(1);
        using var batch = new RecordBatch(new Schema([new Field("v", ArrowType.Float64)]), [value.Build()], 1);
        var e = Assert.Throws<RpcException>(() => ArrowIngest.ToLineProtocol("t", batch));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("the batch has no time column (a timestamp column, or one named 'time')", e.Status.Detail);
    }
}
