using System.Text;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Types;

namespace Tsdb.Arrow.Tests.Compute;

/// <summary>Array factories and a naive boxed-value model the kernels are checked against.</summary>
internal static class ComputeData
{
    public static readonly ArrowType[] AllTypes =
    [
        ArrowType.Int8, ArrowType.Int16, ArrowType.Int32, ArrowType.Int64,
        ArrowType.UInt8, ArrowType.UInt16, ArrowType.UInt32, ArrowType.UInt64,
        ArrowType.Float32, ArrowType.Float64, ArrowType.Boolean, ArrowType.Utf8, ArrowType.LargeUtf8,
        ArrowType.Binary, ArrowType.TimestampNanosecond, ArrowType.DictionaryUtf8,
    ];

    public static Int64Array Int64(params long?[] values) => (Int64Array)Primitive(ArrowType.Int64, values);

    public static UInt64Array UInt64(params ulong?[] values) => (UInt64Array)Primitive(ArrowType.UInt64, values);

    public static DoubleArray Float64(params double?[] values) => (DoubleArray)Primitive(ArrowType.Float64, values);

    public static ArrowArray Primitive<T>(ArrowType type, T?[] values) where T : unmanaged
    {
        var builder = new PrimitiveArrayBuilder<T>(type);
        foreach (var v in values)
        {
            builder.Append(v);
        }
        return ArrowArray.Create(builder.BuildData());
    }

    public static BooleanArray Bool(params bool?[] values)
    {
        var builder = new BooleanArrayBuilder();
        foreach (var v in values)
        {
            builder.Append(v);
        }
        return builder.Build();
    }

    public static StringArray Utf8(params string?[] values)
    {
        var builder = new VariableWidthArrayBuilder(ArrowType.Utf8);
        foreach (var v in values)
        {
            builder.Append(v);
        }
        return (StringArray)builder.Build();
    }

    public static DictionaryArray Dict(params string?[] values)
    {
        var builder = new DictionaryArrayBuilder();
        foreach (var v in values)
        {
            builder.Append(v);
        }
        return builder.Build();
    }

    /// <summary>A LargeUtf8 copy of a Utf8 array (no builder exists for it).</summary>
    public static StringArray Large(StringArray utf8)
    {
        var data = utf8.Data;
        var offsets = new byte[(data.Length + 1) * 8];
        for (var i = 0; i <= data.Length; i++)
        {
            BitConverter.TryWriteBytes(offsets.AsSpan(i * 8), (long)utf8.GetOffset(i));
        }
        return new StringArray(new ArrayData(ArrowType.LargeUtf8, data.Length, -1, [data.Buffers[0], offsets, data.Buffers[2]], data.Offset));
    }

    public static object?[] Objects(ArrowArray array)
    {
        var result = new object?[array.Length];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = array.GetObject(i);
        }
        return result;
    }

    /// <summary>A random array of <paramref name="type"/> with about 15% nulls, drawn from a small domain so that
    /// equal values (ties, groups) are common.</summary>
    public static ArrowArray Random(ArrowType type, int length, Random random)
    {
        bool Null() => random.Next(100) < 15;
        string Word() => random.Next(8) switch { 0 => "", 1 => "é", 2 => "Z", _ => "k" + random.Next(12) };
        switch (type.Id)
        {
            case ArrowTypeId.Int8: return Primitive(type, Gen(() => (sbyte)random.Next(-5, 5)));
            case ArrowTypeId.Int16: return Primitive(type, Gen(() => (short)random.Next(-300, 300)));
            case ArrowTypeId.Int32: return Primitive(type, Gen(() => random.Next(-50, 50)));
            case ArrowTypeId.Int64 or ArrowTypeId.Timestamp:
                return Primitive(type, Gen(() => random.Next(4) == 0 ? long.MinValue + random.Next(3) : random.NextInt64(-40, 40)));
            case ArrowTypeId.UInt8: return Primitive(type, Gen(() => (byte)random.Next(0, 20)));
            case ArrowTypeId.UInt16: return Primitive(type, Gen(() => (ushort)random.Next(0, 20)));
            case ArrowTypeId.UInt32: return Primitive(type, Gen(() => (uint)random.Next(0, 20)));
            case ArrowTypeId.UInt64: return Primitive(type, Gen(() => random.Next(4) == 0 ? ulong.MaxValue - (ulong)random.Next(3) : (ulong)random.Next(0, 40)));
            case ArrowTypeId.Float32: return Primitive(type, Gen(() => random.Next(10) == 0 ? float.NaN : random.Next(-10, 10) / 2f));
            case ArrowTypeId.Float64: return Primitive(type, Gen(() => random.Next(10) == 0 ? double.NaN : random.Next(10) == 0 ? -0.0 : random.Next(-10, 10) / 4.0));
            case ArrowTypeId.Boolean: return Bool(Gen(() => random.Next(2) == 0));
            case ArrowTypeId.Utf8: return Utf8(GenRef(Word));
            case ArrowTypeId.LargeUtf8: return Large(Utf8(GenRef(Word)));
            case ArrowTypeId.Binary:
                var builder = new VariableWidthArrayBuilder(ArrowType.Binary);
                for (var i = 0; i < length; i++)
                {
                    if (Null())
                    {
                        builder.AppendNull();
                    }
                    else
                    {
                        builder.Append(Encoding.UTF8.GetBytes(Word()));
                    }
                }
                return builder.Build();
            default: return Dict(GenRef(Word));
        }

        T?[] Gen<T>(Func<T> next) where T : struct
        {
            var values = new T?[length];
            for (var i = 0; i < length; i++)
            {
                values[i] = Null() ? null : next();
            }
            return values;
        }

        string?[] GenRef(Func<string> next)
        {
            var values = new string?[length];
            for (var i = 0; i < length; i++)
            {
                values[i] = Null() ? null : next();
            }
            return values;
        }
    }

    /// <summary>The naive model of comparison: SQL-style three-way compare of two non-null boxed values.</summary>
    public static int NaiveCompare(object a, object b)
    {
        switch (a, b)
        {
            case (string x, string y): return Math.Sign(Encoding.UTF8.GetBytes(x).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y)));
            case (byte[] x, byte[] y): return Math.Sign(x.AsSpan().SequenceCompareTo(y));
            case (bool x, bool y): return x.CompareTo(y);
        }
        if (a is float or double || b is float or double)
        {
            var x = Convert.ToDouble(a, System.Globalization.CultureInfo.InvariantCulture);
            var y = Convert.ToDouble(b, System.Globalization.CultureInfo.InvariantCulture);
            if (double.IsNaN(x) || double.IsNaN(y))
            {
                return double.IsNaN(x) && double.IsNaN(y) ? 0 : double.IsNaN(x) ? 1 : -1;
            }
            return x == y ? 0 : x < y ? -1 : 1;
        }
        return ToInt128(a).CompareTo(ToInt128(b));
    }

    public static Int128 ToInt128(object value) => value switch
    {
        sbyte v => v, short v => v, int v => v, long v => v,
        byte v => v, ushort v => v, uint v => v, ulong v => v,
        _ => throw new ArgumentException(value.GetType().Name),
    };

    /// <summary>A value the naive model treats as a group key (NaN and -0.0 canonicalised, byte arrays as strings).</summary>
    public static object? GroupKey(object? value) => value switch
    {
        double d when double.IsNaN(d) => "NaN",
        float f when float.IsNaN(f) => "NaN",
        double d when d == 0 => 0.0,
        float f when f == 0 => 0f,
        byte[] bytes => "b:" + Convert.ToHexString(bytes),
        _ => value,
    };
}
