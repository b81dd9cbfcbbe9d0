using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Aggregation;

/// <summary>Group values of the Null type (first_value(NULL)): every value is NULL, so nothing is stored.</summary>
internal sealed class NullGroupValues : GroupValues
{
    public override ArrowType OutputType => ArrowType.Null;

    public override long MemoryBytes => 0;

    public override void Resize(int groups)
    {
    }

    public override void Load(ArrowArray batch)
    {
    }

    public override bool RowIsNull(int row) => true;

    public override bool IsNull(int group) => true;

    public override int CompareRow(int row, int group) => 0;

    public override void SetRow(int group, int row)
    {
    }

    public override int CompareGroup(int group, GroupValues other, int otherGroup) => 0;

    public override void SetGroup(int group, GroupValues other, int otherGroup)
    {
    }

    public override ArrowArray Build(int groups) => new NullArray(groups);
}
