using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;

namespace Tsdb.Ingest;

/// <summary>
/// The rows of one table and one UTC day in one write, as column builders indexed by the table's slots. A row is
/// appended column by column (<see cref="Column"/>, then <see cref="EndRow"/>), or many at once for one series
/// (<see cref="EndRows"/>); a column a row leaves out is null in it.
/// </summary>
public sealed class StagedPartition : IDisposable
{
    private readonly StagedTable _table;
    private readonly WriteStager _stager;
    private ColumnStage?[] _columns = new ColumnStage?[8];

    internal StagedPartition(StagedTable table, WriteStager stager, int day)
    {
        _table = table;
        _stager = stager;
        Day = day;
    }

    public int Day { get; }

    public int RowCount { get; private set; }

    /// <summary>The builder of a slot's column, padded with nulls to the rows before the current one.</summary>
    public ColumnStage Column(int slot)
    {
        if (slot >= _columns.Length)
        {
            Array.Resize(ref _columns, Math.Max(slot + 1, _columns.Length * 2));
        }
        if (_columns[slot] is not { } column)
        {
            var (name, kind) = _table.Slots[slot];
            _columns[slot] = column = new ColumnStage(name, kind);
        }
        column.PadTo(RowCount);
        return column;
    }

    public void EndRow() => EndRows(1);

    public void EndRows(int count)
    {
        RowCount += count;
        _stager.RowsStaged += count;
    }

    internal RecordBatch Build()
    {
        var fields = new List<Field>();
        var arrays = new List<ArrowArray>();
        foreach (var column in _columns)
        {
            if (column is null)
            {
                continue;
            }
            column.PadTo(RowCount);
            fields.Add(ColumnTypes.Field(column.Name, column.Kind));
            arrays.Add(column.Build());
        }
        return new RecordBatch(new Schema(fields), arrays, RowCount);
    }

    public void Dispose()
    {
        foreach (var column in _columns)
        {
            column?.Dispose();
        }
    }
}
