using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Types;
using Tsdb.Core.Schema;

namespace Tsdb.Ingest;

/// <summary>
/// One column's values for one table partition of one write. Rows that leave the column out are padded with nulls
/// (by <see cref="StagedPartition.Column"/>). The builder is the one for the kind's stored type (<see cref="ColumnTypes"/>).
/// </summary>
public sealed class ColumnStage : IDisposable
{
    private readonly PrimitiveArrayBuilder<double>? _floats;
    private readonly PrimitiveArrayBuilder<long>? _longs;
    private readonly PrimitiveArrayBuilder<ulong>? _ulongs;
    private readonly BooleanArrayBuilder? _bools;
    private readonly VariableWidthArrayBuilder? _strings;
    private readonly DictionaryArrayBuilder? _tags;

    // Tags given as strings: the dictionary index each string object already has. Series labels mostly come interned
    // from the request reader, so a reference lookup (and before it a check against the previous value, which
    // consecutive series often repeat) replaces encoding and hashing the value per series.
    private Dictionary<string, int>? _tagIndices;
    private string? _lastTag;
    private int _lastTagIndex;

    internal ColumnStage(string name, ColumnKind kind)
    {
        Name = name;
        Kind = kind;
        var type = ColumnTypes.Of(kind);
        switch (kind)
        {
            case ColumnKind.Tag:
                _tags = new DictionaryArrayBuilder();
                break;
            case ColumnKind.Float:
                _floats = new PrimitiveArrayBuilder<double>(type);
                break;
            case ColumnKind.Time or ColumnKind.Integer:
                _longs = new PrimitiveArrayBuilder<long>(type);
                break;
            case ColumnKind.UInteger:
                _ulongs = new PrimitiveArrayBuilder<ulong>(type);
                break;
            case ColumnKind.String:
                _strings = new VariableWidthArrayBuilder(type);
                break;
            case ColumnKind.Boolean:
                _bools = new BooleanArrayBuilder();
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a column kind");
        }
    }

    public string Name { get; }

    public ColumnKind Kind { get; }

    public int Length { get; private set; }

    /// <summary>Appends nulls until the column has <paramref name="rows"/> values.</summary>
    public void PadTo(int rows)
    {
        var missing = rows - Length;
        for (var i = 0; i < missing; i++)
        {
            _tags?.AppendNull();
            _floats?.AppendNull();
            _longs?.AppendNull();
            _ulongs?.AppendNull();
            _strings?.AppendNull();
            _bools?.AppendNull();
        }
        if (missing > 0)
        {
            Length = rows;
        }
    }

    public void AppendNull()
    {
        PadTo(Length + 1);
    }

    public void AppendFloat(double value)
    {
        _floats!.Append(value);
        Length++;
    }

    public void AppendFloats(ReadOnlySpan<double> values)
    {
        _floats!.AppendRange(values);
        Length += values.Length;
    }

    /// <summary>A time or integer value.</summary>
    public void AppendLong(long value)
    {
        _longs!.Append(value);
        Length++;
    }

    public void AppendLongs(ReadOnlySpan<long> values)
    {
        _longs!.AppendRange(values);
        Length += values.Length;
    }

    public void AppendULong(ulong value)
    {
        _ulongs!.Append(value);
        Length++;
    }

    public void AppendBoolean(bool value)
    {
        _bools!.Append(value);
        Length++;
    }

    public void AppendString(ReadOnlySpan<byte> utf8)
    {
        _strings!.Append(utf8);
        Length++;
    }

    public void AppendTag(ReadOnlySpan<byte> utf8)
    {
        _tags!.Append(utf8);
        Length++;
    }

    /// <summary>One tag value on <paramref name="count"/> rows (a series' labels on each of its samples).</summary>
    public void AppendTag(string value, int count)
    {
        var tags = _tags!;
        if (ReferenceEquals(value, _lastTag))
        {
            tags.AppendIndexRepeated(_lastTagIndex, count);
        }
        else
        {
            _tagIndices ??= new Dictionary<string, int>(ReferenceEqualityComparer.Instance);
            if (_tagIndices.TryGetValue(value, out var index))
            {
                tags.AppendIndexRepeated(index, count);
            }
            else
            {
                index = tags.AppendRepeated(value, count);
                _tagIndices[value] = index;
            }
            _lastTag = value;
            _lastTagIndex = index;
        }
        Length += count;
    }

    public ArrowArray Build() => Kind switch
    {
        ColumnKind.Tag => _tags!.Build(),
        ColumnKind.Float => _floats!.Build(),
        ColumnKind.Time or ColumnKind.Integer => _longs!.Build(),
        ColumnKind.UInteger => _ulongs!.Build(),
        ColumnKind.String => _strings!.Build(),
        _ => _bools!.Build(),
    };

    /// <summary>Returns whatever pooled memory the builders still hold (the built arrays own theirs).</summary>
    public void Dispose()
    {
        _floats?.Dispose();
        _longs?.Dispose();
        _ulongs?.Dispose();
        _bools?.Dispose();
        _strings?.Dispose();
        _tags?.Dispose();
    }
}
