namespace Tsdb.Parquet.Tests.Encodings;

/// <summary>
/// An output array with sentinel-filled guard zones on both sides, to prove a decoder wrote only inside the span
/// it was given (the bit unpackers write through refs, where a span's own bounds checks do not help).
/// </summary>
internal sealed class Guarded<T>
    where T : unmanaged, IEquatable<T>
{
    private const int GuardLength = 72;
    private readonly T[] _array;
    private readonly T _sentinel;

    public Guarded(int length, T sentinel)
    {
        _array = new T[length + (2 * GuardLength)];
        _sentinel = sentinel;
        _array.AsSpan().Fill(sentinel);
        Length = length;
    }

    public int Length { get; }

    public Span<T> Span => _array.AsSpan(GuardLength, Length);

    public void AssertGuardsIntact()
    {
        for (var i = 0; i < GuardLength; i++)
        {
            Assert.True(_array[i].Equals(_sentinel), $"write before the output at guard {i}");
            Assert.True(_array[GuardLength + Length + i].Equals(_sentinel), $"write past the output at guard {i}");
        }
    }
}
