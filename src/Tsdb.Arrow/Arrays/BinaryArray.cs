namespace Tsdb.Arrow.Arrays;

/// <summary>Opaque byte strings (Binary or LargeBinary).</summary>
public sealed class BinaryArray : VariableWidthArray
{
    public BinaryArray(ArrayData data) : base(data) { }

    public override object? GetObject(int index) => IsNull(index) ? null : GetBytes(index).ToArray();
}
