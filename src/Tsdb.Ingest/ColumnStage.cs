using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Types;
using Tsdb.Core.Schema;

namespace Tsdb.Ingest;

/// <summary>One column's values for one table partition of one request. Rows a line leaves out are padded with nulls.</summary>
internal sealed class ColumnStage : IDisposable
{
    private readonly PrimitiveArrayBuilder<double>? _floats;
    private readonly PrimitiveArrayBuilder<long>? _longs;
    private readonly PrimitiveArrayBuilder<ulong>? _ulongs;
    private readonly BooleanArrayBuilder? _bools;
    private readonly VariableWidthArrayBuilder? _strings;
    private readonly DictionaryArrayBuilder? _tags;

    public ColumnStage(string name, ColumnKind kind)
    {
        Name = name;
        Kind = kind;
        switch (kind)
        {
            case ColumnKind.Time:
                _longs = new PrimitiveArrayBuilder<long>(ArrowType.TimestampNanosecond);
                break;
            case ColumnKind.Tag:
                _tags = new DictionaryArrayBuilder();
                break;
            case ColumnKind.Float:
                _floats = new PrimitiveArrayBuilder<double>(ArrowType.Float64);
                break;
            case ColumnKind.Integer:
                _longs = new PrimitiveArrayBuilder<long>(ArrowType.Int64);
                break;
            case ColumnKind.UInteger:
                _ulongs = new PrimitiveArrayBuilder<ulong>(ArrowType.UInt64);
                break;
            case ColumnKind.String:
                _strings = new VariableWidthArrayBuilder(ArrowType.Utf8);
                break;
            default:
                _bools = new BooleanArrayBuilder();
                break;
        }
    }

    public string Name { get; }

    public ColumnKind Kind { get; }

    public int Length { get; private set; }

    public static ArrowType ArrowTypeOf(ColumnKind kind) => kind switch
    {
        ColumnKind.Time => ArrowType.TimestampNanosecond,
        ColumnKind.Tag => ArrowType.DictionaryUtf8,
        ColumnKind.Float => ArrowType.Float64,
        ColumnKind.Integer => ArrowType.Int64,
        ColumnKind.UInteger => ArrowType.UInt64,
        ColumnKind.String => ArrowType.Utf8,
        _ => ArrowType.Boolean,
    };

    /// <summary>Appends nulls until the column has <paramref name="rows"/> values.</summary>
    public void PadTo(int rows)
    {
        while (Length < rows)
        {
            switch (Kind)
            {
                case ColumnKind.Tag:
                    _tags!.AppendNull();
                    break;
                case ColumnKind.Float:
                    _floats!.AppendNull();
                    break;
                case ColumnKind.Time or ColumnKind.Integer:
                    _longs!.AppendNull();
                    break;
                case ColumnKind.UInteger:
                    _ulongs!.AppendNull();
                    break;
                case ColumnKind.String:
                    _strings!.AppendNull();
                    break;
                default:
                    _bools!.AppendNull();
                    break;
            }
            Length++;
        }
    }

    public void AppendFloat(double value)
    {
        _floats!.Append(value);
        Length++;
    }

    public void AppendLong(long value)
    {
        _longs!.Append(value);
        Length++;
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
