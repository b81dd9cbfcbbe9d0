using System.Numerics;
using System.Runtime.CompilerServices;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Memory;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Aggregation;

/// <summary>
/// Group values of a fixed-width numeric or timestamp type, stored in the input's own type (so min(int32) stays int32
/// and a timestamp keeps its unit and zone). Floats order NaN above every number and -0.0 equal to 0.0, as sorting does.
/// </summary>
internal sealed class FixedGroupValues<T> : GroupValues where T : unmanaged, INumber<T>
{
    private readonly ArrowType _type;
    private T[] _values = [];
    private bool[] _valid = [];
    private ArrayData? _batch;

    public FixedGroupValues(ArrowType type) => _type = type;

    public override ArrowType OutputType => _type;

    public override long MemoryBytes => (long)_values.Length * (Unsafe.SizeOf<T>() + 1);

    public override void Resize(int groups)
    {
        GroupRows.Grow(ref _values, groups);
        GroupRows.Grow(ref _valid, groups);
    }

    public override void Load(ArrowArray batch)
    {
        if (batch.Type != _type)
        {
            throw new ArgumentException($"expected {_type}, got {batch.Type}", nameof(batch));
        }
        _batch = batch.Data;
    }

    public override bool RowIsNull(int row) => _batch!.IsNull(row);

    public override bool IsNull(int group) => !_valid[group];

    public override int CompareRow(int row, int group) => Compare(_batch!.GetValues<T>()[row], _values[group]);

    public override void SetRow(int group, int row)
    {
        var isNull = _batch!.IsNull(row);
        _valid[group] = !isNull;
        _values[group] = isNull ? default : _batch.GetValues<T>()[row];
    }

    public override int CompareGroup(int group, GroupValues other, int otherGroup) =>
        Compare(_values[group], ((FixedGroupValues<T>)other)._values[otherGroup]);

    public override void SetGroup(int group, GroupValues other, int otherGroup)
    {
        var that = (FixedGroupValues<T>)other;
        _values[group] = that._values[otherGroup];
        _valid[group] = that._valid[otherGroup];
    }

    public override ArrowArray Build(int groups) => Columns.FromValues(_type, _values[..groups], _valid[..groups]);

    /// <summary>The hot path of min/max: one typed loop, no per-row virtual calls.</summary>
    public override void MinMax(ArrowArray batch, ReadOnlySpan<int> ids, bool max)
    {
        Load(batch);
        var data = batch.Data;
        var values = data.GetValues<T>();
        var validity = data.NullCount == 0 ? default : data.Validity;
        var offset = data.Offset;
        var best = _values;
        var valid = _valid;
        var sign = max ? 1 : -1;
        for (var i = 0; i < ids.Length; i++)
        {
            var g = ids[i];
            if (g < 0 || (!validity.IsEmpty && !BitUtil.GetBit(validity, offset + i)))
            {
                continue;
            }
            if (!valid[g] || sign * Compare(values[i], best[g]) > 0)
            {
                best[g] = values[i];
                valid[g] = true;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Compare(T a, T b)
    {
        // The type tests are constants per instantiation: the JIT keeps one branch.
        if (typeof(T) == typeof(double))
        {
            return CompareDouble(Unsafe.As<T, double>(ref a), Unsafe.As<T, double>(ref b));
        }
        if (typeof(T) == typeof(float))
        {
            return CompareDouble(Unsafe.As<T, float>(ref a), Unsafe.As<T, float>(ref b));
        }
        return a.CompareTo(b);
    }

    /// <summary>Sorting's total order: NaN equals NaN and is above every number; -0.0 equals 0.0.</summary>
    internal static int CompareDouble(double a, double b)
    {
        if (a < b)
        {
            return -1;
        }
        if (a > b)
        {
            return 1;
        }
        if (a == b)
        {
            return 0;
        }
        return double.IsNaN(a) ? (double.IsNaN(b) ? 0 : 1) : -1;
    }
}
