namespace Tsdb.Arrow.Arrays;

/// <summary>An array of the Null type: every element is null and there are no buffers.</summary>
public sealed class NullArray : ArrowArray
{
    public NullArray(ArrayData data) : base(data) { }

    public NullArray(int length) : base(new ArrayData(Types.ArrowType.Null, length, length, [])) { }

    public override object? GetObject(int index)
    {
        _ = IsNull(index); // range check
        return null;
    }
}
