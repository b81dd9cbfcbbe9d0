using System.Text;

namespace Tsdb.Arrow.Arrays;

/// <summary>UTF-8 strings (Utf8 or LargeUtf8).</summary>
public sealed class StringArray : VariableWidthArray
{
    public StringArray(ArrayData data) : base(data) { }

    public string? GetString(int index) => IsNull(index) ? null : Encoding.UTF8.GetString(GetBytes(index));

    public override object? GetObject(int index) => GetString(index);
}
