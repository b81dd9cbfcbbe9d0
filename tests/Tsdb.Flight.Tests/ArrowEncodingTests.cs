using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Ipc;
using Tsdb.Arrow.Types;
using Tsdb.Core.Schema;
using Tsdb.Flight.Arrow;
using Tsdb.Flight.Protocol;

namespace Tsdb.Flight.Tests;

public sealed class ArrowEncodingTests
{
    [Fact]
    public void FlightData_written_by_hand_parses_with_protobuf_and_decodes_to_the_same_rows()
    {
        using var batch = Batches.Cpu(1000);
        var slice = batch.Slice(8, 500);
        var encoder = new IpcEncoder(batch.Schema);
        var decoder = new IpcDecoder();
        var messages = new List<EncodedMessage> { encoder.EncodeSchema() };
        messages.AddRange(encoder.EncodeBatch(slice));
        RecordBatch? decoded = null;
        foreach (var message in messages)
        {
            var parts = FlightDataEncoding.Parts(message);
            var bytes = parts.SelectMany(p => p.ToArray()).ToArray();
            var data = FlightData.Parser.ParseFrom(bytes);
            Assert.Equal(message.Metadata, data.DataHeader.ToByteArray());
            Assert.Equal(message.GetBodyBytes(), data.DataBody.ToByteArray());
            decoded = decoder.Decode(data.DataHeader.Memory, data.DataBody.Memory) ?? decoded;
        }
        Assert.NotNull(decoded);
        Assert.Equal(500, decoded.Length);
        for (var i = 0; i < 500; i++)
        {
            for (var c = 0; c < 4; c++)
            {
                Assert.Equal(slice.Column(c).GetObject(i), decoded.Column(c).GetObject(i));
            }
        }
    }

    [Fact]
    public void Result_schemas_carry_column_kinds_and_decode_dictionaries_for_flight_sql()
    {
        var schema = Batches.Cpu(1).Schema;
        var influx = ResultSchemas.For(schema, decodeDictionaries: false);
        var sql = ResultSchemas.For(schema, decodeDictionaries: true);
        Assert.Equal(ArrowTypeId.Dictionary, influx[1].Type.Id);
        Assert.Equal(ArrowTypeId.Utf8, sql[1].Type.Id);
        Assert.Equal(
            ["iox::column_type::timestamp", "iox::column_type::tag", "iox::column_type::field::float", "iox::column_type::field::integer"],
            sql.Fields.Select(f => f.GetMetadata(ColumnKindNames.IoxMetadataKey)!).ToArray());
    }

    [Fact]
    public void Dictionary_decoding_keeps_values_and_nulls()
    {
        using var batch = Batches.Cpu(20);
        var schema = ResultSchemas.For(batch.Schema, decodeDictionaries: true);
        var decoded = DictionaryDecoding.Decode(batch.Slice(3, 10), schema);
        var host = Assert.IsType<StringArray>(decoded.Column(1));
        for (var i = 0; i < 10; i++)
        {
            var row = i + 3;
            Assert.Equal(row % 5 == 4 ? null : $"h{row % 3}", host.GetString(i));
        }
    }

    [Fact]
    public void Schema_stream_is_an_ipc_stream_with_the_schema_and_an_end_marker()
    {
        var schema = ResultSchemas.For(Batches.Cpu(1).Schema, decodeDictionaries: true);
        var bytes = FlightDataEncoding.SchemaStream(new IpcEncoder(schema).EncodeSchema().Metadata);
        Assert.Equal(0, bytes.Length % 8);
        Assert.Equal([0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0], bytes[^8..]);
        using var reader = new ArrowStreamReader(bytes);
        Assert.True(reader.Schema.IsEquivalentTo(schema));
        Assert.Equal("iox::column_type::tag", reader.Schema[1].GetMetadata(ColumnKindNames.IoxMetadataKey));
        Assert.Null(reader.ReadNextBatch());
    }

    [Fact]
    public void Plain_flight_keeps_small_dictionaries_and_decodes_one_too_large_for_a_message()
    {
        using var batch = Batches.Cpu(100);
        var small = new ArrowFlightResult(batch.Schema, [batch], decodeDictionaries: false, targetBytes: 1 << 20);
        Assert.Equal(ArrowTypeId.Dictionary, small.Schema[1].Type.Id);
        // The three host names take a few bytes; a 4-byte target makes that dictionary "too large".
        var large = new ArrowFlightResult(batch.Schema, [batch], decodeDictionaries: false, targetBytes: 4);
        Assert.Equal(ArrowTypeId.Utf8, large.Schema[1].Type.Id);
        Assert.Equal("iox::column_type::tag", large.Schema[1].GetMetadata(ColumnKindNames.IoxMetadataKey));
        Assert.Equal(100, large.TotalRecords);
    }
}
