using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Memory;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Execution;

/// <summary>
/// Codes the key columns of both join sides into one 64-bit value per key and row, hashes rows of codes, and compares
/// a probe row with a build row. Codes are written column by column into arrays the caller keeps (no per-row
/// allocation or boxing); a row whose key is null is marked in the key's validity bitmap (null = all valid).
/// </summary>
internal sealed class JoinKeys
{
    private const ulong Seed = 0x9E3779B97F4A7C15UL;
    private const long CanonicalNaN = 0x7FF8000000000000L;
    private const double TwoTo63 = 9223372036854775808.0;
    private const double TwoTo64 = 18446744073709551616.0;

    private readonly int[] _probeColumns;
    private readonly int[] _buildColumns;
    private readonly JoinKeyClass[] _probeClass;
    private readonly JoinKeyClass[] _buildClass;
    private readonly JoinKeyMode[] _modes;
    private readonly long[] _probeScale;
    private readonly long[] _buildScale;
    private readonly JoinStringTable?[] _strings;
    private readonly ArrayData?[] _probeDictionary;   // the last probe dictionary seen per key, and its entries' build ids
    private readonly long[]?[] _probeDictionaryIds;

    public JoinKeys(Schema left, Schema right, IReadOnlyList<int> leftKeys, IReadOnlyList<int> rightKeys, JoinMemory memory)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        ArgumentNullException.ThrowIfNull(leftKeys);
        ArgumentNullException.ThrowIfNull(rightKeys);
        if (leftKeys.Count != rightKeys.Count)
        {
            throw new ArgumentException($"{leftKeys.Count} left keys but {rightKeys.Count} right keys");
        }
        if (leftKeys.Count == 0)
        {
            throw new ArgumentException("a hash join needs at least one key pair (use NestedLoopJoiner without one)");
        }
        var n = leftKeys.Count;
        _probeColumns = new int[n];
        _buildColumns = new int[n];
        _probeClass = new JoinKeyClass[n];
        _buildClass = new JoinKeyClass[n];
        _modes = new JoinKeyMode[n];
        _probeScale = new long[n];
        _buildScale = new long[n];
        _strings = new JoinStringTable?[n];
        _probeDictionary = new ArrayData?[n];
        _probeDictionaryIds = new long[]?[n];
        for (var k = 0; k < n; k++)
        {
            if ((uint)leftKeys[k] >= (uint)left.FieldCount || (uint)rightKeys[k] >= (uint)right.FieldCount)
            {
                throw new ArgumentOutOfRangeException(nameof(leftKeys), $"join key {k} ({leftKeys[k]}, {rightKeys[k]}) is outside the schemas");
            }
            _probeColumns[k] = leftKeys[k];
            _buildColumns[k] = rightKeys[k];
            var lt = left[leftKeys[k]].Type;
            var rt = right[rightKeys[k]].Type;
            _probeClass[k] = ClassOf(lt);
            _buildClass[k] = ClassOf(rt);
            _modes[k] = ModeOf(_probeClass[k], _buildClass[k], lt, rt);
            _probeScale[k] = 1;
            _buildScale[k] = 1;
            if (lt.Id == ArrowTypeId.Timestamp && rt.Id == ArrowTypeId.Timestamp && lt.Unit != rt.Unit)
            {
                // Both sides in the finer unit. Values past ±292 years in nanoseconds would wrap; such timestamps
                // do not exist in this database.
                if (lt.Unit < rt.Unit)
                {
                    _probeScale[k] = Pow1000(rt.Unit - lt.Unit);
                }
                else
                {
                    _buildScale[k] = Pow1000(lt.Unit - rt.Unit);
                }
            }
            if (_modes[k] == JoinKeyMode.Exact && _probeClass[k] == JoinKeyClass.String)
            {
                _strings[k] = new JoinStringTable(memory);
            }
        }
    }

    public int Count => _modes.Length;

    /// <summary>Drops the interned strings (they point into the build side) and the probe dictionary cache.</summary>
    public void Release()
    {
        for (var k = 0; k < Count; k++)
        {
            _strings[k] = null;
            _probeDictionary[k] = null;
            _probeDictionaryIds[k] = null;
        }
    }

    /// <summary>Codes the build side's key columns (once; strings are interned here).</summary>
    public void EncodeBuild(RecordBatch build, long[][] codes, byte[]?[] validity)
    {
        for (var k = 0; k < Count; k++)
        {
            validity[k] = Encode(build.Column(_buildColumns[k]).Data, k, build: true, codes[k]);
        }
    }

    /// <summary>Codes one probe batch's key columns into <paramref name="codes"/> (each at least the batch long).</summary>
    public void EncodeProbe(RecordBatch probe, long[][] codes, byte[]?[] validity)
    {
        for (var k = 0; k < Count; k++)
        {
            validity[k] = Encode(probe.Column(_probeColumns[k]).Data, k, build: false, codes[k]);
        }
    }

    /// <summary>Row hashes of <paramref name="length"/> rows; equal keys (by <see cref="RowEquals"/>) hash equal.</summary>
    public void Hash(long[][] codes, int length, bool build, ulong[] hashes)
    {
        var target = hashes.AsSpan(0, length);
        target.Fill(Seed);
        for (var k = 0; k < Count; k++)
        {
            var column = codes[k].AsSpan(0, length);
            if (_modes[k] is JoinKeyMode.Exact or JoinKeyMode.Never)
            {
                for (var i = 0; i < column.Length; i++)
                {
                    target[i] = Mix(target[i], column[i]);
                }
            }
            else
            {
                // Mixed numeric classes hash the value, so int64 1, uint64 1 and float64 1.0 land together.
                var cls = build ? _buildClass[k] : _probeClass[k];
                for (var i = 0; i < column.Length; i++)
                {
                    target[i] = Mix(target[i], Canonical(column[i], cls));
                }
            }
        }
        for (var i = 0; i < target.Length; i++)
        {
            target[i] = Finish(target[i]);
        }
    }

    /// <summary>Probe row <paramref name="p"/> and build row <paramref name="b"/> have equal keys (both non-null).</summary>
    public bool RowEquals(long[][] probeCodes, int p, long[][] buildCodes, int b)
    {
        for (var k = 0; k < _modes.Length; k++)
        {
            if (!KeyEquals(_modes[k], probeCodes[k][p], buildCodes[k][b]))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// NOT IN's test: no key is known to differ. A key null on either side could be equal; the others must be.
    /// </summary>
    public bool PossiblyEqual(long[][] probeCodes, byte[]?[] probeValidity, int p, long[][] buildCodes, byte[]?[] buildValidity, int b)
    {
        for (var k = 0; k < _modes.Length; k++)
        {
            if (!JoinColumns.IsValid(probeValidity[k], p) || !JoinColumns.IsValid(buildValidity[k], b))
            {
                continue;
            }
            if (!KeyEquals(_modes[k], probeCodes[k][p], buildCodes[k][b]))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Two rows of the same side have equal keys: codes of one class are equal exactly when values are.</summary>
    public static bool SameSideEquals(long[][] codes, int a, int b)
    {
        foreach (var column in codes)
        {
            if (column[a] != column[b])
            {
                return false;
            }
        }
        return true;
    }

    private static bool KeyEquals(JoinKeyMode mode, long probe, long build) => mode switch
    {
        JoinKeyMode.Exact => probe == build,
        JoinKeyMode.SignedUnsigned => probe >= 0 && probe == build,   // an unsigned past long.MaxValue codes negative
        JoinKeyMode.UnsignedSigned => build >= 0 && probe == build,
        JoinKeyMode.SignedFloat => FloatEqualsSigned(build, probe),
        JoinKeyMode.FloatSigned => FloatEqualsSigned(probe, build),
        JoinKeyMode.UnsignedFloat => FloatEqualsUnsigned(build, probe),
        JoinKeyMode.FloatUnsigned => FloatEqualsUnsigned(probe, build),
        _ => false,
    };

    private static bool FloatEqualsSigned(long floatBits, long value)
    {
        var d = BitConverter.Int64BitsToDouble(floatBits);
        return d >= -TwoTo63 && d < TwoTo63 && Math.Floor(d) == d && (long)d == value;
    }

    private static bool FloatEqualsUnsigned(long floatBits, long unsignedBits)
    {
        var d = BitConverter.Int64BitsToDouble(floatBits);
        return d >= 0 && d < TwoTo64 && Math.Floor(d) == d && (ulong)d == (ulong)unsignedBits;
    }

    /// <summary>The value a mixed-class key hashes: integral values as a long, others as the double's bits.</summary>
    private static long Canonical(long code, JoinKeyClass cls)
    {
        switch (cls)
        {
            case JoinKeyClass.Unsigned:
                return code >= 0 ? code : BitConverter.DoubleToInt64Bits((ulong)code);
            case JoinKeyClass.Float:
                var d = BitConverter.Int64BitsToDouble(code);
                return d >= -TwoTo63 && d < TwoTo63 && Math.Floor(d) == d ? (long)d : code;
            default:
                return code;
        }
    }

    private static ulong Mix(ulong h, long value)
    {
        h = (h ^ (ulong)value) * 0xFF51AFD7ED558CCDUL;
        return h ^ (h >> 32);
    }

    private static ulong Finish(ulong h)
    {
        h ^= h >> 33;
        h *= 0xC4CEB9FE1A85EC53UL;
        return h ^ (h >> 33);
    }

    private static long Pow1000(int steps)
    {
        long scale = 1;
        for (var i = 0; i < steps; i++)
        {
            scale *= 1000;
        }
        return scale;
    }

    private static JoinKeyClass ClassOf(ArrowType type) => type.Id switch
    {
        ArrowTypeId.Null => JoinKeyClass.Null,
        ArrowTypeId.Int8 or ArrowTypeId.Int16 or ArrowTypeId.Int32 or ArrowTypeId.Int64 or ArrowTypeId.Timestamp => JoinKeyClass.Signed,
        ArrowTypeId.UInt8 or ArrowTypeId.UInt16 or ArrowTypeId.UInt32 or ArrowTypeId.UInt64 => JoinKeyClass.Unsigned,
        ArrowTypeId.Float32 or ArrowTypeId.Float64 => JoinKeyClass.Float,
        ArrowTypeId.Boolean => JoinKeyClass.Boolean,
        ArrowTypeId.Utf8 or ArrowTypeId.LargeUtf8 or ArrowTypeId.Binary or ArrowTypeId.LargeBinary => JoinKeyClass.String,
        ArrowTypeId.Dictionary when type.ValueType!.IsVariableWidth => JoinKeyClass.String,
        _ => throw new QueryException($"cannot join on a key of type {type}"),
    };

    private static JoinKeyMode ModeOf(JoinKeyClass probe, JoinKeyClass build, ArrowType left, ArrowType right)
    {
        if (probe == JoinKeyClass.Null || build == JoinKeyClass.Null)
        {
            return JoinKeyMode.Never;
        }
        if (probe == build)
        {
            return JoinKeyMode.Exact;
        }
        return (probe, build) switch
        {
            (JoinKeyClass.Signed, JoinKeyClass.Unsigned) => JoinKeyMode.SignedUnsigned,
            (JoinKeyClass.Unsigned, JoinKeyClass.Signed) => JoinKeyMode.UnsignedSigned,
            (JoinKeyClass.Signed, JoinKeyClass.Float) => JoinKeyMode.SignedFloat,
            (JoinKeyClass.Float, JoinKeyClass.Signed) => JoinKeyMode.FloatSigned,
            (JoinKeyClass.Unsigned, JoinKeyClass.Float) => JoinKeyMode.UnsignedFloat,
            (JoinKeyClass.Float, JoinKeyClass.Unsigned) => JoinKeyMode.FloatUnsigned,
            _ => throw new QueryException($"cannot join {left} with {right}"),
        };
    }

    /// <summary>One key column's codes; returns its validity (bit 0 aligned, null when nothing is null).</summary>
    private byte[]? Encode(ArrayData data, int k, bool build, long[] codes)
    {
        var length = data.Length;
        if (_modes[k] == JoinKeyMode.Never)
        {
            // Either side all null: the key never matches, so every row of both sides counts as a null key.
            codes.AsSpan(0, length).Clear();
            return new byte[BitUtil.BytesFor(length)];
        }
        var validity = JoinColumns.Validity(data);
        var target = codes.AsSpan(0, length);
        switch (build ? _buildClass[k] : _probeClass[k])
        {
            case JoinKeyClass.Signed:
                ReadSigned(data, target, build ? _buildScale[k] : _probeScale[k]);
                break;
            case JoinKeyClass.Unsigned:
                ReadUnsigned(data, target);
                break;
            case JoinKeyClass.Float:
                ReadFloat(data, target);
                break;
            case JoinKeyClass.Boolean:
                var bits = data.Buffers[1].Span;
                for (var i = 0; i < length; i++)
                {
                    target[i] = BitUtil.GetBit(bits, data.Offset + i) ? 1 : 0;
                }
                break;
            default:
                validity = EncodeStrings(data, k, build, codes, validity);
                break;
        }
        return validity;
    }

    private static void ReadSigned(ArrayData data, Span<long> target, long scale)
    {
        switch (data.Type.Id)
        {
            case ArrowTypeId.Int8:
                var i8 = data.GetValues<sbyte>();
                for (var i = 0; i < i8.Length; i++)
                {
                    target[i] = i8[i];
                }
                break;
            case ArrowTypeId.Int16:
                var i16 = data.GetValues<short>();
                for (var i = 0; i < i16.Length; i++)
                {
                    target[i] = i16[i];
                }
                break;
            case ArrowTypeId.Int32:
                var i32 = data.GetValues<int>();
                for (var i = 0; i < i32.Length; i++)
                {
                    target[i] = i32[i];
                }
                break;
            default:
                data.GetValues<long>().CopyTo(target);
                break;
        }
        if (scale != 1)
        {
            for (var i = 0; i < target.Length; i++)
            {
                target[i] = unchecked(target[i] * scale);
            }
        }
    }

    private static void ReadUnsigned(ArrayData data, Span<long> target)
    {
        switch (data.Type.Id)
        {
            case ArrowTypeId.UInt8:
                var u8 = data.GetValues<byte>();
                for (var i = 0; i < u8.Length; i++)
                {
                    target[i] = u8[i];
                }
                break;
            case ArrowTypeId.UInt16:
                var u16 = data.GetValues<ushort>();
                for (var i = 0; i < u16.Length; i++)
                {
                    target[i] = u16[i];
                }
                break;
            case ArrowTypeId.UInt32:
                var u32 = data.GetValues<uint>();
                for (var i = 0; i < u32.Length; i++)
                {
                    target[i] = u32[i];
                }
                break;
            default:
                data.GetValues<long>().CopyTo(target);   // the bits; KeyEquals and Canonical read them as unsigned
                break;
        }
    }

    private static void ReadFloat(ArrayData data, Span<long> target)
    {
        if (data.Type.Id == ArrowTypeId.Float32)
        {
            var f = data.GetValues<float>();
            for (var i = 0; i < f.Length; i++)
            {
                target[i] = FloatCode(f[i]);
            }
            return;
        }
        var d = data.GetValues<double>();
        for (var i = 0; i < d.Length; i++)
        {
            target[i] = FloatCode(d[i]);
        }
    }

    /// <summary>Equal doubles get equal bits: -0.0 is 0.0, and NaN equals NaN (as PostgreSQL compares them).</summary>
    private static long FloatCode(double d) => d == 0 ? 0 : double.IsNaN(d) ? CanonicalNaN : BitConverter.DoubleToInt64Bits(d);

    private byte[]? EncodeStrings(ArrayData data, int k, bool build, long[] codes, byte[]? validity)
    {
        var table = _strings[k]!;
        var length = data.Length;
        if (data.Type.Id != ArrowTypeId.Dictionary)
        {
            var values = (VariableWidthArray)ArrowArray.Create(data);
            if (build)
            {
                table.Intern(values, codes.AsSpan(0, length));
            }
            else
            {
                table.Lookup(values, codes.AsSpan(0, length), validity);
            }
            return validity;
        }
        // Dictionary tags: each entry is looked up once, then rows read their entry's id through the index.
        var dictionary = data.Dictionary!;
        long[] ids;
        if (build)
        {
            ids = new long[dictionary.Length];
            table.Intern((VariableWidthArray)ArrowArray.Create(dictionary), ids);
        }
        else if (ReferenceEquals(_probeDictionary[k], dictionary))
        {
            ids = _probeDictionaryIds[k]!;
        }
        else
        {
            ids = new long[dictionary.Length];
            table.Lookup((VariableWidthArray)ArrowArray.Create(dictionary), ids, JoinColumns.Validity(dictionary));
            _probeDictionary[k] = dictionary;
            _probeDictionaryIds[k] = ids;
        }
        if (data.Type.IndexType!.Id == ArrowTypeId.Int32)
        {
            var indices = data.GetValues<int>();
            for (var i = 0; i < length; i++)
            {
                codes[i] = JoinColumns.IsValid(validity, i) ? ids[indices[i]] : JoinStringTable.NullValue;
            }
        }
        else
        {
            var array = (DictionaryArray)ArrowArray.Create(data);
            for (var i = 0; i < length; i++)
            {
                codes[i] = JoinColumns.IsValid(validity, i) ? ids[checked((int)array.GetIndex(i))] : JoinStringTable.NullValue;
            }
        }
        // A null dictionary entry makes its rows null keys.
        for (var i = 0; i < length; i++)
        {
            if (codes[i] == JoinStringTable.NullValue && JoinColumns.IsValid(validity, i))
            {
                validity ??= AllValid(length);
                BitUtil.ClearBit(validity, i);
            }
        }
        return validity;
    }

    private static byte[] AllValid(int length)
    {
        var bits = new byte[BitUtil.BytesFor(length)];
        bits.AsSpan().Fill(0xFF);
        return bits;
    }
}
