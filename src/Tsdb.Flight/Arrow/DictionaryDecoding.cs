using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Types;

namespace Tsdb.Flight.Arrow;

/// <summary>Turns dictionary columns into their value type (utf8) for readers without dictionary support.</summary>
internal static class DictionaryDecoding
{
    public static RecordBatch Decode(RecordBatch batch, Schema schema) => Decode(batch, schema, null);

    /// <summary>Decodes the dictionary columns <paramref name="which"/> marks (all when null).</summary>
    public static RecordBatch Decode(RecordBatch batch, Schema schema, bool[]? which)
    {
        var columns = new ArrowArray[batch.ColumnCount];
        for (var c = 0; c < columns.Length; c++)
        {
            var column = batch.Column(c);
            columns[c] = column is DictionaryArray dictionary && (which is null || which[c]) ? Decode(dictionary) : column;
        }
        return new RecordBatch(schema, columns, batch.Length);
    }

    private static VariableWidthArray Decode(DictionaryArray array)
    {
        if (array.Dictionary is not VariableWidthArray values || values.Type.Id != ArrowTypeId.Utf8)
        {
            throw new NotSupportedException($"dictionary of {array.Dictionary.Type} cannot be decoded for Flight SQL");
        }
        using var builder = new VariableWidthArrayBuilder(ArrowType.Utf8);
        for (var i = 0; i < array.Length; i++)
        {
            if (array.IsNull(i))
            {
                builder.AppendNull();
                continue;
            }
            var index = (int)array.GetIndex(i);
            if (values.IsNull(index))
            {
                builder.AppendNull();
            }
            else
            {
                builder.Append(values.GetBytes(index));
            }
        }
        return builder.Build();
    }
}
