using System.Text;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Aggregation;

/// <summary>
/// Group values of strings or bytes, kept as UTF-8 byte arrays (copied when a group takes a row, so no batch is held).
/// Rows may come from a plain or a dictionary-encoded array (a tag): a dictionary row reads its entry's bytes, and is
/// NULL when its index or its entry is. Strings order by UTF-8 bytes (code point order, as sorting does) or, for
/// min/max, by UTF-16 code units as today's string.CompareOrdinal does; the two differ only between U+E000–U+FFFF and
/// characters past U+FFFF.
/// </summary>
internal sealed class BytesGroupValues : GroupValues
{
    private readonly ArrowType _type;
    private readonly bool _utf16Order;
    private byte[]?[] _values = [];
    private long _bytes;
    private VariableWidthArray? _plain;
    private DictionaryArray? _dictionary;
    private VariableWidthArray? _entries;

    public BytesGroupValues(ArrowType type, bool utf16Order)
    {
        _type = type;
        _utf16Order = utf16Order;
    }

    public override ArrowType OutputType => _type;

    public override long MemoryBytes => ((long)_values.Length * 8) + _bytes;

    public override void Resize(int groups) => GroupRows.Grow(ref _values, groups);

    public override void Load(ArrowArray batch)
    {
        switch (batch)
        {
            case VariableWidthArray plain:
                _plain = plain;
                _dictionary = null;
                _entries = null;
                break;
            case DictionaryArray { Dictionary: VariableWidthArray entries } dictionary:
                _plain = null;
                _dictionary = dictionary;
                _entries = entries;
                break;
            default:
                throw new ArgumentException($"expected strings, got {batch.Type}", nameof(batch));
        }
    }

    public override bool RowIsNull(int row)
    {
        if (_plain is not null)
        {
            return _plain.IsNull(row);
        }
        return _dictionary!.IsNull(row) || _entries!.IsNull(checked((int)_dictionary.GetIndex(row)));
    }

    public override bool IsNull(int group) => _values[group] is null;

    public override int CompareRow(int row, int group) => Compare(Row(row), _values[group]);

    public override void SetRow(int group, int row) => Set(group, RowIsNull(row) ? null : Row(row).ToArray());

    public override int CompareGroup(int group, GroupValues other, int otherGroup) =>
        Compare(_values[group], ((BytesGroupValues)other)._values[otherGroup]);

    public override void SetGroup(int group, GroupValues other, int otherGroup) => Set(group, ((BytesGroupValues)other)._values[otherGroup]);

    public override ArrowArray Build(int groups)
    {
        using var builder = new VariableWidthArrayBuilder(_type);
        for (var g = 0; g < groups; g++)
        {
            if (_values[g] is { } value)
            {
                builder.Append(value);
            }
            else
            {
                builder.AppendNull();
            }
        }
        return ArrowArray.Create(builder.BuildData());
    }

    private ReadOnlySpan<byte> Row(int row) =>
        _plain is not null ? _plain.GetBytes(row) : _entries!.GetBytes(checked((int)_dictionary!.GetIndex(row)));

    private void Set(int group, byte[]? value)
    {
        _bytes += (value is null ? 0 : value.Length + 24) - (_values[group] is { } old ? old.Length + 24 : 0);
        _values[group] = value;   // never mutated after this, so sharing another accumulator's array is safe
    }

    private int Compare(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var common = a.CommonPrefixLength(b);
        if (common == a.Length || common == b.Length)
        {
            return a.Length.CompareTo(b.Length);
        }
        if (_utf16Order && a[common] >= 0x80 && b[common] >= 0x80)
        {
            // Both differ inside a multi-byte character: UTF-16 may order it differently from the bytes (surrogates
            // sort below U+E000), so compare as today's engine did, on the decoded strings.
            return Math.Sign(string.CompareOrdinal(Encoding.UTF8.GetString(a), Encoding.UTF8.GetString(b)));
        }
        return a[common].CompareTo(b[common]);
    }
}
