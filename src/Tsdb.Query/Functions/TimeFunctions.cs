using System.Globalization;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;
using Tsdb.Query.Expressions;

namespace Tsdb.Query.Functions;

/// <summary>
/// Time functions over timestamp[ns] (no zone). Wherever a timestamp is taken, a string is read as RFC 3339
/// (or 'YYYY-MM-DD HH:MM:SS[.f]'), as DataFusion coerces it. Units, parts, origins and zones must be constants.
/// </summary>
internal static class TimeFunctions
{
    private const long NanosPerSecond = 1_000_000_000L;
    private const long NanosPerDay = 86_400 * NanosPerSecond;

    /// <summary>DateOnly's day number of 1970-01-01.</summary>
    private static readonly int EpochDay = DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;

    private const ArgKind TimeLike = ArgKind.Timestamp | ArgKind.String;

    public static void Register(List<ScalarFunction> into)
    {
        // now() is the statement's clock: the same in every call of a statement, so not volatile (foldable).
        foreach (var name in (string[])["now", "current_timestamp"])
        {
            into.Add(Define.Fixed(name, "", [], ArrowType.TimestampNanosecond, a => ColumnarValue.Constant(new TimestampScalar(a.NowNanos))));
        }
        foreach (var name in (string[])["date_bin", "time_bucket"])
        {
            // An INTERVAL constant may come typed as int64 (its ns); date_bin checks at run time that it is one.
            into.Add(Define.Function(name, "interval, timestamp[, origin]", 2, 3, [ArgKind.String | ArgKind.Integer, TimeLike, TimeLike], _ => ArrowType.TimestampNanosecond, a => DateBin(a, name), nullOnlyFromNullArguments: true));
        }
        into.Add(Define.Fixed("date_trunc", "unit, timestamp", [ArgKind.String, TimeLike], ArrowType.TimestampNanosecond, DateTrunc));
        foreach (var name in (string[])["date_part", "datepart"])
        {
            into.Add(Define.Fixed(name, "part, timestamp", [ArgKind.String, TimeLike], ArrowType.Float64, a => DatePart(a, name)));
        }
        into.Add(Define.Fixed("to_timestamp", "value", [ArgKind.Number | TimeLike], ArrowType.TimestampNanosecond, ToTimestamp));
        foreach (var (name, scale) in (ReadOnlySpan<(string, long)>)[("to_timestamp_seconds", NanosPerSecond), ("to_timestamp_millis", 1_000_000L), ("to_timestamp_micros", 1_000L), ("to_timestamp_nanos", 1L)])
        {
            var unit = scale;
            into.Add(Define.Fixed(name, "value", [ArgKind.Integer | TimeLike], ArrowType.TimestampNanosecond, a => ToTimestampIn(a, name, unit)));
        }
        into.Add(Define.Fixed("from_unixtime", "seconds", [ArgKind.Integer], ArrowType.TimestampNanosecond, a =>
            Kernel.Map(a, (r, i) => Scale(r[0].Long(i), NanosPerSecond, "from_unixtime"), Kernel.Timestamps)));
        into.Add(Define.Fixed("make_date", "year, month, day", [ArgKind.Integer, ArgKind.Integer, ArgKind.Integer], ArrowType.TimestampNanosecond, a =>
            Kernel.Map(a, (r, i) => MakeDate(r[0].Long(i), r[1].Long(i), r[2].Long(i)), Kernel.Timestamps)));
        into.Add(Define.Function("tz", "timestamp[, zone]", 1, 2, [TimeLike, ArgKind.String], _ => ArrowType.TimestampNanosecond, Tz));
    }

    /// <summary>Argument <paramref name="index"/>, which must not be a column.</summary>
    private static object? Constant(FunctionArguments a, int index, string what) =>
        a[index].IsScalar ? a[index].Scalar : throw new FunctionException($"{what} must be a constant, not a column", index);

    private static long FloorDiv(long x, long y)
    {
        var q = Math.DivRem(x, y, out var r);
        return r < 0 ? q - 1 : q;
    }

    private static ColumnarValue DateBin(FunctionArguments a, string name)
    {
        long stride;
        switch (Constant(a, 0, $"the interval of {name}"))
        {
            case null:
                return Kernel.Nulls(a, ArrowType.TimestampNanosecond);
            case IntervalScalar iv:
                stride = iv.Nanos;
                break;
            case string s:
                if (!IntervalText.TryParse(s, out stride, out var problem))
                {
                    throw new FunctionException($"{name}: invalid interval '{s}': {problem}", 0);
                }
                break;
            default:
                throw new FunctionException($"the interval of {name} must be an INTERVAL or an interval string such as '1 minute'", 0);
        }
        if (stride <= 0)
        {
            throw new FunctionException($"the interval of {name} must be positive", 0);
        }
        long origin = 0;
        if (a.Count == 3)
        {
            switch (Constant(a, 2, $"the origin of {name}"))
            {
                case null:
                    return Kernel.Nulls(a, ArrowType.TimestampNanosecond);
                case TimestampScalar t:
                    origin = t.Nanos;
                    break;
                case string s:
                    origin = TimeText.TryParseTimestamp(s, out var o) ? o : throw new FunctionException($"the origin of {name} is not a timestamp: '{s}'", 2);
                    break;
                default:
                    throw new FunctionException($"the origin of {name} must be a timestamp", 2);
            }
        }
        return Bins(a, 1, stride, origin);
    }

    /// <summary>Each timestamp of argument <paramref name="index"/> floored to origin + k·stride.</summary>
    private static ColumnarValue Bins(FunctionArguments a, int index, long stride, long origin)
    {
        if (a[index].Array is { } array && array.Type.Id == ArrowTypeId.Timestamp)
        {
            // Straight from the column's buffer. A series' times come in order, so most rows fall in the bin of the
            // row before: [lo, hi) is that bin, and a row inside it needs no division (3 M rows of a minute-binned
            // GROUP BY spent most of date_bin's time dividing).
            var input = array.Data.GetValues<long>();
            var output = new long[input.Length];
            long lo = 1, hi = 0;   // no bin yet: empty
            for (var i = 0; i < input.Length; i++)
            {
                var t = input[i];
                var exact = !SubtractionOverflows(t, origin);
                if (t >= lo && t < hi && exact)
                {
                    output[i] = lo;
                    continue;
                }
                var bin = Bin(t, stride, origin);
                output[i] = bin;
                if (exact && bin <= t && unchecked((ulong)(t - bin)) < (ulong)stride)
                {
                    // bin is t's exact floor, so every t' in [bin, bin + stride) bins to it (when t' - origin is exact).
                    lo = bin;
                    hi = bin > long.MaxValue - stride ? long.MaxValue : bin + stride;
                }
                else
                {
                    (lo, hi) = (1, 0);
                }
            }
            return ColumnarValue.Of(Columns.FromValues(ArrowType.TimestampNanosecond, output, Validity(array)));
        }
        return Kernel.Map(a, (r, i) => Bin(r[index].Nanos(i), stride, origin), Kernel.Timestamps);
    }

    private static bool SubtractionOverflows(long a, long b) => unchecked(((a ^ b) & (a ^ (a - b))) < 0);

    /// <summary>Floor division: times before the origin round down, not toward it.</summary>
    private static long Bin(long t, long stride, long origin) => unchecked(origin + (FloorDiv(t - origin, stride) * stride));

    private static bool[]? Validity(ArrowArray array)
    {
        if (array.NullCount == 0)
        {
            return null;
        }
        var valid = new bool[array.Length];
        for (var i = 0; i < valid.Length; i++)
        {
            valid[i] = !array.IsNull(i);
        }
        return valid;
    }

    /// <summary>
    /// date_trunc: fixed units (nanosecond … day, as TimeText spells them) are bins from the epoch; week starts on a
    /// Monday (ISO, as DataFusion); month, quarter and year go by the calendar.
    /// </summary>
    private static ColumnarValue DateTrunc(FunctionArguments a)
    {
        if (Constant(a, 0, "the unit of date_trunc") is not string unit)
        {
            return a[0].Scalar is null ? Kernel.Nulls(a, ArrowType.TimestampNanosecond) : throw new FunctionException("the unit of date_trunc must be a string", 0);
        }
        var u = unit.Trim().ToLowerInvariant();
        var months = u switch
        {
            "month" or "months" => 1,
            "quarter" or "quarters" => 3,
            "year" or "years" => 12,
            _ => 0,
        };
        if (months > 0)
        {
            return Kernel.Map(a, (r, i) => TruncateMonths(r[1].Nanos(i), months), Kernel.Timestamps);
        }
        var stride = TimeText.UnitNanos(u) ?? throw new FunctionException($"unsupported date_trunc unit '{unit}'", 0);
        // 1970-01-01 was a Thursday: weeks are bins of 7 days from Monday 1969-12-29.
        return Bins(a, 1, stride, stride == 7 * NanosPerDay ? -3 * NanosPerDay : 0);
    }

    private static long TruncateMonths(long t, int months)
    {
        var date = DateOnly.FromDayNumber(checked((int)(EpochDay + FloorDiv(t, NanosPerDay))));
        var month = (date.Month - 1) / months * months;
        return (new DateOnly(date.Year, month + 1, 1).DayNumber - EpochDay) * NanosPerDay;
    }

    private enum Part
    {
        Year,
        Quarter,
        Month,
        Week,
        Day,
        Hour,
        Minute,
        Second,
        Millisecond,
        Microsecond,
        Nanosecond,
        DayOfWeek,
        DayOfYear,
        Epoch,
    }

    /// <summary>date_part as DataFusion: float64; second, millisecond, … include the fraction of the second.</summary>
    private static ColumnarValue DatePart(FunctionArguments a, string name)
    {
        if (Constant(a, 0, $"the part of {name}") is not string text)
        {
            return a[0].Scalar is null ? Kernel.Nulls(a, ArrowType.Float64) : throw new FunctionException($"the part of {name} must be a string", 0);
        }
        Part part = text.Trim().ToLowerInvariant() switch
        {
            "year" or "years" => Part.Year,
            "quarter" or "quarters" => Part.Quarter,
            "month" or "months" => Part.Month,
            "week" or "weeks" => Part.Week,
            "day" or "days" => Part.Day,
            "hour" or "hours" => Part.Hour,
            "minute" or "minutes" => Part.Minute,
            "second" or "seconds" => Part.Second,
            "millisecond" or "milliseconds" => Part.Millisecond,
            "microsecond" or "microseconds" => Part.Microsecond,
            "nanosecond" or "nanoseconds" => Part.Nanosecond,
            "dow" => Part.DayOfWeek,
            "doy" => Part.DayOfYear,
            "epoch" => Part.Epoch,
            _ => throw new FunctionException($"{name}: unsupported part '{text}'", 0),
        };
        return Kernel.Map(a, (r, i) => PartOf(r[1].Nanos(i), part), Kernel.Float64s);
    }

    private static double PartOf(long t, Part part)
    {
        if (part == Part.Epoch)
        {
            return t / (double)NanosPerSecond;
        }
        var days = FloorDiv(t, NanosPerDay);
        var ofDay = t - (days * NanosPerDay);
        var date = DateOnly.FromDayNumber(checked((int)(EpochDay + days)));
        var second = ofDay / NanosPerSecond % 60;
        var fraction = ofDay % NanosPerSecond;
        return part switch
        {
            Part.Year => date.Year,
            Part.Quarter => ((date.Month - 1) / 3) + 1,
            Part.Month => date.Month,
            Part.Week => ISOWeek.GetWeekOfYear(date.ToDateTime(TimeOnly.MinValue)),
            Part.Day => date.Day,
            Part.Hour => ofDay / (3600 * NanosPerSecond),
            Part.Minute => ofDay / (60 * NanosPerSecond) % 60,
            Part.DayOfWeek => (int)date.DayOfWeek,
            Part.DayOfYear => date.DayOfYear,
            // DataFusion's formula: (seconds + nanoseconds / 1e9) · ticks per second.
            Part.Second => second + (fraction / 1e9),
            Part.Millisecond => (second + (fraction / 1e9)) * 1e3,
            Part.Microsecond => (second + (fraction / 1e9)) * 1e6,
            _ => (second + (fraction / 1e9)) * 1e9,
        };
    }

    private static long Scale(long value, long scale, string function)
    {
        try
        {
            return checked(value * scale);
        }
        catch (OverflowException)
        {
            throw new FunctionException($"{function}: {value} is out of the timestamp range", 0);
        }
    }

    /// <summary>to_timestamp: strings parsed, integers as seconds, floats as seconds with a fraction, timestamps as they are.</summary>
    private static ColumnarValue ToTimestamp(FunctionArguments a)
    {
        var type = a.Types[0];
        if (FunctionTypes.IsTimestamp(type))
        {
            return a[0];
        }
        if (FunctionTypes.IsFloat(type))
        {
            return Kernel.Map(a, (r, i) =>
            {
                var ns = Math.Truncate(r[0].Double(i) * NanosPerSecond);
                return ns is >= long.MinValue and < 9.2233720368547758E18
                    ? (long)ns
                    : throw new FunctionException($"to_timestamp: {r[0].Double(i).ToString(CultureInfo.InvariantCulture)} is out of the timestamp range", 0);
            }, Kernel.Timestamps);
        }
        if (type.IsInteger)
        {
            return Kernel.Map(a, (r, i) => Scale(r[0].Long(i), NanosPerSecond, "to_timestamp"), Kernel.Timestamps);
        }
        return Kernel.Map(a, (r, i) => r[0].Nanos(i), Kernel.Timestamps);
    }

    /// <summary>
    /// to_timestamp_seconds/millis/micros/nanos: integers count that unit; strings and timestamps are truncated to it
    /// (toward zero, as arrow's cast). We have only timestamp[ns], so the result is ns at that precision.
    /// </summary>
    private static ColumnarValue ToTimestampIn(FunctionArguments a, string name, long unit)
    {
        if (a.Types[0].IsInteger)
        {
            return Kernel.Map(a, (r, i) => Scale(r[0].Long(i), unit, name), Kernel.Timestamps);
        }
        return Kernel.Map(a, (r, i) => r[0].Nanos(i) is var ns ? ns - (ns % unit) : 0, Kernel.Timestamps);
    }

    /// <summary>
    /// make_date(year, month, day): DataFusion returns a date32; we have no date type, so this is the timestamp of
    /// that day's midnight (UTC).
    /// </summary>
    private static long MakeDate(long year, long month, long day)
    {
        if (year is < 1 or > 9999 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth((int)year, (int)month))
        {
            throw new FunctionException($"make_date: {year}-{month}-{day} is not a date");
        }
        var days = new DateOnly((int)year, (int)month, (int)day).DayNumber - EpochDay;
        return days is >= -106_751 and <= 106_750
            ? days * NanosPerDay
            : throw new FunctionException($"make_date: {year}-{month:D2}-{day:D2} is out of the timestamp range (1677-09-22 to 2262-04-11)");
    }

    /// <summary>
    /// InfluxDB's tz(time, 'Zone'): the local wall-clock time in that zone. We have no zoned timestamp type, so the
    /// answer is that wall-clock time as a timestamp[ns] (what a zoned timestamp prints as, without the offset).
    /// </summary>
    private static ColumnarValue Tz(FunctionArguments a)
    {
        if (a.Count == 1)
        {
            return FunctionTypes.IsTimestamp(a.Types[0]) ? a[0] : Kernel.Map(a, (r, i) => r[0].Nanos(i), Kernel.Timestamps);
        }
        switch (Constant(a, 1, "the zone of tz"))
        {
            case null:
                return Kernel.Nulls(a, ArrowType.TimestampNanosecond);
            case string name:
                if (!TimeZones.TryFind(name, out var zone))
                {
                    throw new FunctionException($"unknown time zone '{name}'", 1);
                }
                var offsets = new OffsetCache(zone);
                return Kernel.Map(a, (r, i) => r[0].Nanos(i) is var t ? t + offsets.At(t) : 0, Kernel.Timestamps);
            default:
                throw new FunctionException("the zone of tz must be a string", 1);
        }
    }

    /// <summary>
    /// A zone's offset, remembered for the last minute asked about: offsets change only at transitions, so a
    /// column of nearby times costs one TimeZoneInfo lookup per minute, not per row.
    /// </summary>
    private sealed class OffsetCache(TimeZoneInfo zone)
    {
        private const long NanosPerMinute = 60 * NanosPerSecond;
        private long _minute = long.MinValue;
        private long _offset;

        public long At(long t)
        {
            var minute = FloorDiv(t, NanosPerMinute);
            if (minute == _minute)
            {
                return _offset;
            }
            var start = minute * NanosPerMinute;
            var offset = TimeZones.OffsetNanos(zone, start);
            if (offset != TimeZones.OffsetNanos(zone, start + NanosPerMinute - 1))
            {
                // A transition inside this minute: exact for this row, nothing cached.
                return TimeZones.OffsetNanos(zone, t);
            }
            _minute = minute;
            _offset = offset;
            return offset;
        }
    }
}
