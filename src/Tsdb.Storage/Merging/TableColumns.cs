using Tsdb.Arrow.Types;
using Tsdb.Core.Schema;

namespace Tsdb.Storage.Merging;

/// <summary>
/// The columns of a table as stored: their kinds, their Arrow types and the sort key (tags in catalog order, then
/// time). Files and merged batches always carry the columns in this order.
/// </summary>
public sealed class TableColumns
{
    public TableColumns(IReadOnlyList<(string Name, ColumnKind Kind)> columns)
    {
        Columns = columns;
        var fields = new List<Field>();
        var sortKey = new List<int>();
        for (var i = 0; i < columns.Count; i++)
        {
            var (name, kind) = columns[i];
            fields.Add(new Field(name, ArrowTypeOf(kind), kind != ColumnKind.Time, [new(ColumnKindNames.IoxMetadataKey, ColumnKindNames.IoxType(kind))]));
            if (kind == ColumnKind.Tag)
            {
                sortKey.Add(i);
            }
            if (kind == ColumnKind.Time)
            {
                TimeIndex = i;
            }
        }
        if (TimeIndex < 0)
        {
            throw new ArgumentException("a table has a time column", nameof(columns));
        }
        sortKey.Add(TimeIndex);
        Schema = new Schema(fields);
        SortKey = sortKey;
    }

    public IReadOnlyList<(string Name, ColumnKind Kind)> Columns { get; }

    public Schema Schema { get; }

    /// <summary>Column indices of the sort key: every tag, then time.</summary>
    public IReadOnlyList<int> SortKey { get; }

    public int TimeIndex { get; } = -1;

    public string SortKeyText => string.Join(',', SortKey.Select(i => Columns[i].Name));

    public static ArrowType ArrowTypeOf(ColumnKind kind) => kind switch
    {
        ColumnKind.Time => ArrowType.TimestampNanosecond,
        ColumnKind.Tag => ArrowType.DictionaryUtf8,
        ColumnKind.Float => ArrowType.Float64,
        ColumnKind.Integer => ArrowType.Int64,
        ColumnKind.UInteger => ArrowType.UInt64,
        ColumnKind.String => ArrowType.Utf8,
        _ => ArrowType.Boolean,
    };
}
