using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Types;
using Tsdb.Core.Schema;

namespace Tsdb.Query.Chunks;

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
            fields.Add(ColumnTypes.Field(name, kind));
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

    /// <summary>These columns narrowed to <paramref name="asked"/> plus the sort key, in table order (all of them when none are asked).</summary>
    public TableColumns Only(IReadOnlyList<string>? asked) =>
        asked is null ? this : new([.. Columns.Where(c => c.Kind is ColumnKind.Tag or ColumnKind.Time || asked.Contains(c.Name))]);

    /// <summary>
    /// A batch of the table with exactly these columns in this order: a column the batch lacks (added after its data
    /// was written) becomes nulls, a tag held as plain strings becomes a dictionary, columns not listed are dropped.
    /// </summary>
    public RecordBatch Conform(RecordBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var same = batch.ColumnCount == Columns.Count;
        var arrays = new ArrowArray[Columns.Count];
        for (var c = 0; c < Columns.Count; c++)
        {
            var type = Schema[c].Type;
            var index = batch.Schema.GetFieldIndex(Columns[c].Name);
            if (index < 0)
            {
                arrays[c] = Query.Columns.NullOf(type, batch.Length);
                same = false;
                continue;
            }
            var array = batch.Column(index);
            same &= index == c && ReferenceEquals(batch.Schema[index], Schema[c]);
            if (array.Type == type)
            {
                arrays[c] = array;
            }
            else if (Columns[c].Kind == ColumnKind.Tag && array is StringArray strings)
            {
                using var builder = new DictionaryArrayBuilder();
                for (var i = 0; i < strings.Length; i++)
                {
                    builder.Append(strings.GetString(i));
                }
                arrays[c] = builder.Build();
                same = false;
            }
            else
            {
                throw new InvalidDataException($"column '{Columns[c].Name}' holds {array.Type} where the table has {type}");
            }
        }
        return same ? batch : new RecordBatch(Schema, arrays, batch.Length);
    }
}
