using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Tsdb.Catalog.Checkpoints;

/// <summary>
/// Reads what <see cref="CheckpointWriter"/> wrote. Every read checks the bytes left and every count is bounded by
/// them (an element takes at least one byte), so corrupt input ends in <see cref="InvalidDataException"/> naming the
/// byte offset, never in a huge allocation or an index out of range.
/// </summary>
internal ref struct CheckpointReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ReadOnlySpan<byte> _bytes;
    private readonly int _offset; // of _bytes within the whole checkpoint, for messages
    private readonly string _source;
    private string[] _strings = [];
    private int _position;

    public CheckpointReader(ReadOnlySpan<byte> bytes, int offset, string source)
    {
        _bytes = bytes;
        _offset = offset;
        _source = source;
    }

    public readonly bool AtEnd => _position == _bytes.Length;

    public readonly int Position => _offset + _position;

    public void ReadStringTable()
    {
        var count = ReadCount();
        var strings = new string[count];
        for (var i = 0; i < count; i++)
        {
            var length = ReadCount();
            try
            {
                strings[i] = StrictUtf8.GetString(_bytes.Slice(_position, length));
            }
            catch (DecoderFallbackException)
            {
                Fail($"string {i} of the string table is not valid UTF-8");
            }
            _position += length;
        }
        _strings = strings;
    }

    public byte ReadByte()
    {
        if (_position >= _bytes.Length)
        {
            Fail("the checkpoint ends in the middle of a value");
        }
        return _bytes[_position++];
    }

    public bool ReadBool() => ReadByte() switch
    {
        0 => false,
        1 => true,
        var b => Fail<bool>($"expected a boolean (0 or 1), got {b}"),
    };

    public ulong ReadUnsigned()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = ReadByte();
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                if (shift == 63 && b > 1)
                {
                    break;
                }
                return value;
            }
        }
        return Fail<ulong>("a number is longer than 64 bits");
    }

    public long ReadSigned()
    {
        var raw = ReadUnsigned();
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }

    public int ReadInt32()
    {
        var value = ReadSigned();
        return value is >= int.MinValue and <= int.MaxValue ? (int)value : Fail<int>($"{value} does not fit a 32-bit number");
    }

    /// <summary>A count of elements that each take at least one byte: no more than the bytes left.</summary>
    public int ReadCount()
    {
        var count = ReadUnsigned();
        return count <= (ulong)(_bytes.Length - _position) ? (int)count : Fail<int>($"a count of {count} is more than the {_bytes.Length - _position} bytes left");
    }

    public long? ReadOptional() => ReadBool() ? ReadSigned() : null;

    public double ReadDouble()
    {
        if (_bytes.Length - _position < 8)
        {
            Fail("the checkpoint ends in the middle of a value");
        }
        var value = BinaryPrimitives.ReadDoubleLittleEndian(_bytes[_position..]);
        _position += 8;
        return value;
    }

    public DateTimeOffset ReadTime()
    {
        var ticks = ReadSigned();
        var minutes = ReadSigned();
        if (minutes is < -14 * 60 or > 14 * 60 || ticks < DateTimeOffset.MinValue.Ticks || ticks > DateTimeOffset.MaxValue.Ticks)
        {
            Fail($"a time of {ticks} ticks at offset {minutes} minutes is out of range");
        }
        var offset = TimeSpan.FromMinutes(minutes);
        var utc = ticks - offset.Ticks;
        return utc < DateTimeOffset.MinValue.Ticks || utc > DateTimeOffset.MaxValue.Ticks
            ? Fail<DateTimeOffset>($"a time of {ticks} ticks at offset {minutes} minutes is out of range")
            : new DateTimeOffset(ticks, offset);
    }

    public DateTimeOffset? ReadOptionalTime() => ReadBool() ? ReadTime() : null;

    public string? ReadOptionalString() => StringAt(ReadStringId());

    /// <summary>A string as its id (0 for null, else 1 + its index in the table), checked; <see cref="StringAt"/> gives the string.</summary>
    public int ReadStringId()
    {
        var id = ReadUnsigned();
        return id <= (ulong)_strings.Length ? (int)id : Fail<int>($"string {id - 1} is not in the string table of {_strings.Length}");
    }

    public readonly string? StringAt(int id) => id == 0 ? null : _strings[id - 1];

    public string ReadString() => ReadOptionalString() ?? Fail<string>("a string that may not be null is null");

    public TEnum ReadEnum<TEnum>(string what)
        where TEnum : struct, Enum
    {
        var value = ReadByte();
        var parsed = (TEnum)Enum.ToObject(typeof(TEnum), value);
        return Enum.IsDefined(parsed) ? parsed : Fail<TEnum>($"{value} is not a {what}");
    }

    [DoesNotReturn]
    public readonly void Fail(string why) => throw new InvalidDataException($"the catalog checkpoint {_source} is not valid at byte {Position}: {why}");

    [DoesNotReturn]
    public readonly T Fail<T>(string why) => throw new InvalidDataException($"the catalog checkpoint {_source} is not valid at byte {Position}: {why}");
}
