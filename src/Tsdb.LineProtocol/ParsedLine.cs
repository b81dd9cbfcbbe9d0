using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Tsdb.LineProtocol;

/// <summary>
/// One parsed line: ranges into the reader's input plus decoded numbers. The same instance is refilled for every
/// line (its arrays grow to the widest line seen and are kept), so steady-state parsing allocates nothing. The
/// ranges are only meaningful together with the input the line was read from.
/// </summary>
public sealed class ParsedLine
{
    private const int InitialCapacity = 16;

    private TextRange[] _tagKeys = new TextRange[InitialCapacity];
    private TextRange[] _tagValues = new TextRange[InitialCapacity];
    private FieldEntry[] _fields = new FieldEntry[InitialCapacity];
    private KeyTable? _wideKeys;

    /// <summary>The 1-based line number in the request body.</summary>
    public int LineNumber { get; private set; }

    /// <summary>The whole line without its line break.</summary>
    public TextRange LineRange { get; private set; }

    public TextRange Measurement { get; private set; }

    public int TagCount { get; private set; }

    /// <summary>Fields in the order written; their keys are distinct (a line that repeats one is refused).</summary>
    public int FieldCount { get; private set; }

    public bool HasTimestamp { get; private set; }

    /// <summary>The timestamp exactly as written (not scaled by any precision); 0 when there is none.</summary>
    public long Timestamp { get; private set; }

    public TextRange GetTagKey(int index) => _tagKeys[CheckTag(index)];

    public TextRange GetTagValue(int index) => _tagValues[CheckTag(index)];

    public TextRange GetFieldKey(int index) => _fields[CheckField(index)].Key;

    public FieldKind GetFieldKind(int index) => _fields[CheckField(index)].Kind;

    public double GetFloat(int index) => BitConverter.Int64BitsToDouble(Value(index, FieldKind.Float));

    public long GetInteger(int index) => Value(index, FieldKind.Integer);

    public ulong GetUInteger(int index) => unchecked((ulong)Value(index, FieldKind.UInteger));

    public bool GetBoolean(int index) => Value(index, FieldKind.Boolean) != 0;

    /// <summary>The content between the quotes, still escaped when <see cref="TextRange.HasEscapes"/>.</summary>
    public TextRange GetStringValue(int index)
    {
        ref readonly var field = ref _fields[CheckField(index)];
        if (field.Kind != FieldKind.String)
        {
            ThrowWrongKind(index, FieldKind.String, field.Kind);
        }
        return field.StringValue;
    }

    internal void Reset(int lineNumber, TextRange lineRange)
    {
        LineNumber = lineNumber;
        LineRange = lineRange;
        Measurement = default;
        TagCount = 0;
        FieldCount = 0;
        HasTimestamp = false;
        Timestamp = 0;
    }

    internal void SetMeasurement(TextRange measurement) => Measurement = measurement;

    internal void MarkEscaped() => LineRange = LineRange with { HasEscapes = true };

    internal void SetTimestamp(long timestamp)
    {
        HasTimestamp = true;
        Timestamp = timestamp;
    }

    internal void AddTag(TextRange key, TextRange value)
    {
        if (TagCount == _tagKeys.Length)
        {
            Array.Resize(ref _tagKeys, _tagKeys.Length * 2);
            Array.Resize(ref _tagValues, _tagValues.Length * 2);
        }
        _tagKeys[TagCount] = key;
        _tagValues[TagCount] = value;
        TagCount++;
    }

    /// <summary>Appends a field; <paramref name="bits"/> is the value (double bits, integer, or 0/1).</summary>
    internal void AddField(TextRange key, FieldKind kind, long bits, TextRange stringValue)
    {
        if (FieldCount == _fields.Length)
        {
            Array.Resize(ref _fields, _fields.Length * 2);
        }
        _fields[FieldCount++] = new FieldEntry(key, kind, bits, stringValue);
    }

    /// <summary>The key set of lines too wide for the parser's key filter; made the first time one comes.</summary>
    internal KeyTable WideKeys => _wideKeys ??= new KeyTable();

    internal ReadOnlySpan<TextRange> TagKeys => _tagKeys.AsSpan(0, TagCount);

    internal ReadOnlySpan<FieldEntry> Fields => _fields.AsSpan(0, FieldCount);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long Value(int index, FieldKind kind)
    {
        ref readonly var field = ref _fields[CheckField(index)];
        if (field.Kind != kind)
        {
            ThrowWrongKind(index, kind, field.Kind);
        }
        return field.Bits;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int CheckTag(int index)
    {
        if ((uint)index >= (uint)TagCount)
        {
            ThrowIndex(index, TagCount);
        }
        return index;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int CheckField(int index)
    {
        if ((uint)index >= (uint)FieldCount)
        {
            ThrowIndex(index, FieldCount);
        }
        return index;
    }

    [DoesNotReturn]
    private static void ThrowIndex(int index, int count) =>
        throw new ArgumentOutOfRangeException(nameof(index), index, $"The line has {count} of these.");

    [DoesNotReturn]
    private static void ThrowWrongKind(int index, FieldKind wanted, FieldKind actual) =>
        throw new InvalidOperationException($"Field {index} is {actual}, not {wanted}.");

    internal readonly record struct FieldEntry(TextRange Key, FieldKind Kind, long Bits, TextRange StringValue);
}
