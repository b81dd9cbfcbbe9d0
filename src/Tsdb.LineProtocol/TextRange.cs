namespace Tsdb.LineProtocol;

/// <summary>
/// A range of bytes in the reader's input. <see cref="HasEscapes"/> is true when the range holds a backslash,
/// so its text must go through <see cref="LineProtocolText"/> rather than be used as is.
/// </summary>
public readonly record struct TextRange(int Start, int Length, bool HasEscapes)
{
    public int End => Start + Length;

    /// <summary>The raw (still escaped) bytes of this range in <paramref name="input"/>.</summary>
    public ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> input) => input.Slice(Start, Length);
}
