using Tsdb.Arrow.Types;

namespace Tsdb.Arrow.Arrays;

/// <summary>Equal-length columns under a schema. Disposing returns the columns' pooled buffers.</summary>
public sealed class RecordBatch : IDisposable
{
    private readonly ArrowArray[] _columns;
    private IDisposable? _owner;

    public RecordBatch(Schema schema, IReadOnlyList<ArrowArray> columns, int length, IDisposable? owner = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Count != schema.FieldCount)
        {
            throw new ArgumentException($"schema has {schema.FieldCount} fields but {columns.Count} columns were given", nameof(columns));
        }
        for (var i = 0; i < columns.Count; i++)
        {
            if (columns[i].Length != length)
            {
                throw new ArgumentException($"column '{schema[i].Name}' has {columns[i].Length} rows, the batch {length}", nameof(columns));
            }
            if (columns[i].Type != schema[i].Type)
            {
                throw new ArgumentException($"column '{schema[i].Name}' is {columns[i].Type}, the schema says {schema[i].Type}", nameof(columns));
            }
        }
        Schema = schema;
        _columns = [.. columns];
        Length = length;
        _owner = owner;
    }

    public Schema Schema { get; }

    public int Length { get; }

    public IReadOnlyList<ArrowArray> Columns => _columns;

    public int ColumnCount => _columns.Length;

    public ArrowArray Column(int index) => _columns[index];

    public ArrowArray? Column(string name)
    {
        var index = Schema.GetFieldIndex(name);
        return index < 0 ? null : _columns[index];
    }

    /// <summary>A zero-copy view of rows [offset, offset + length).</summary>
    public RecordBatch Slice(int offset, int length)
    {
        var sliced = new ArrowArray[_columns.Length];
        for (var i = 0; i < sliced.Length; i++)
        {
            sliced[i] = _columns[i].Slice(offset, length);
        }
        return new RecordBatch(Schema, sliced, length);
    }

    public void Dispose()
    {
        foreach (var column in _columns)
        {
            column.Dispose();
        }
        Interlocked.Exchange(ref _owner, null)?.Dispose();
    }
}
