using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Aggregation;

/// <summary>Boolean group values; false orders before true.</summary>
internal sealed class BooleanGroupValues : GroupValues
{
    private bool[] _values = [];
    private bool[] _valid = [];
    private BooleanArray? _batch;

    public override ArrowType OutputType => ArrowType.Boolean;

    public override long MemoryBytes => _values.Length * 2L;

    public override void Resize(int groups)
    {
        GroupRows.Grow(ref _values, groups);
        GroupRows.Grow(ref _valid, groups);
    }

    public override void Load(ArrowArray batch) =>
        _batch = batch as BooleanArray ?? throw new ArgumentException($"expected boolean, got {batch.Type}", nameof(batch));

    public override bool RowIsNull(int row) => _batch!.IsNull(row);

    public override bool IsNull(int group) => !_valid[group];

    public override int CompareRow(int row, int group) => _batch!.GetValue(row).CompareTo(_values[group]);

    public override void SetRow(int group, int row)
    {
        var isNull = _batch!.IsNull(row);
        _valid[group] = !isNull;
        _values[group] = !isNull && _batch.GetValue(row);
    }

    public override int CompareGroup(int group, GroupValues other, int otherGroup) =>
        _values[group].CompareTo(((BooleanGroupValues)other)._values[otherGroup]);

    public override void SetGroup(int group, GroupValues other, int otherGroup)
    {
        var that = (BooleanGroupValues)other;
        _values[group] = that._values[otherGroup];
        _valid[group] = that._valid[otherGroup];
    }

    public override ArrowArray Build(int groups)
    {
        var values = new bool?[groups];
        for (var g = 0; g < groups; g++)
        {
            values[g] = _valid[g] ? _values[g] : null;
        }
        return Columns.FromBools(values);
    }
}
