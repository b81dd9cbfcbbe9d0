using System.Text;

namespace Tsdb.LineProtocol.Tests;

public sealed class RoundTripTests
{
    // Every character with a meaning somewhere in a line, plus multi-byte text.
    private const string Awkward = " ,=\"\\#\t\ri'tfu-.e0\u00e9\u4e2d\U0001F680";

    private sealed record Point(string Measurement, List<(string Key, string Value)> Tags, List<(string Key, object Value)> Fields, long? Timestamp);

    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int>();
        for (var seed = 1; seed <= 25; seed++)
        {
            data.Add(seed);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Random_points_survive_writer_then_reader(int seed)
    {
        var random = new Random(seed);
        var points = new List<Point>();
        var writer = new LineProtocolWriter(16);
        for (var i = 0; i < 200; i++)
        {
            var point = NextPoint(random);
            points.Add(point);
            Write(writer, point);
        }

        var input = writer.ToArray();
        var line = new ParsedLine();
        var reader = new LineProtocolReader(input);
        var index = 0;
        while (reader.TryReadLine(line, out var error))
        {
            Assert.Null(error);
            AssertSame(points[index], input, line);
            Assert.Equal(index + 1, line.LineNumber);
            index++;
        }
        Assert.Equal(points.Count, index);
    }

    private static void Write(LineProtocolWriter writer, Point point)
    {
        writer.Measurement(point.Measurement);
        foreach (var (key, value) in point.Tags)
        {
            writer.Tag(key, value);
        }
        foreach (var (key, value) in point.Fields)
        {
            switch (value)
            {
                case double d:
                    writer.Field(key, d);
                    break;
                case long l:
                    writer.Field(key, l);
                    break;
                case ulong u:
                    writer.Field(key, u);
                    break;
                case bool b:
                    writer.Field(key, b);
                    break;
                case string s:
                    writer.Field(key, s);
                    break;
            }
        }
        if (point.Timestamp is { } timestamp)
        {
            writer.Timestamp(timestamp);
        }
        writer.EndLine();
    }

    private static void AssertSame(Point expected, byte[] input, ParsedLine line)
    {
        Assert.Equal(expected.Measurement, LineProtocolText.GetString(input, line.Measurement, EscapeContext.Measurement));
        Assert.True(LineProtocolText.Equals(input, line.Measurement, EscapeContext.Measurement, Encoding.UTF8.GetBytes(expected.Measurement)));
        Assert.Equal(expected.Tags.Count, line.TagCount);
        for (var i = 0; i < line.TagCount; i++)
        {
            Assert.Equal(expected.Tags[i].Key, LineProtocolText.GetString(input, line.GetTagKey(i), EscapeContext.TagKey));
            Assert.Equal(expected.Tags[i].Value, LineProtocolText.GetString(input, line.GetTagValue(i), EscapeContext.TagValue));
            Assert.True(LineProtocolText.Equals(input, line.GetTagValue(i), EscapeContext.TagValue, Encoding.UTF8.GetBytes(expected.Tags[i].Value)));
        }
        Assert.Equal(expected.Fields.Count, line.FieldCount);
        for (var i = 0; i < line.FieldCount; i++)
        {
            var (key, value) = expected.Fields[i];
            Assert.Equal(key, LineProtocolText.GetString(input, line.GetFieldKey(i), EscapeContext.FieldKey));
            object actual = line.GetFieldKind(i) switch
            {
                FieldKind.Float => line.GetFloat(i),
                FieldKind.Integer => line.GetInteger(i),
                FieldKind.UInteger => line.GetUInteger(i),
                FieldKind.Boolean => line.GetBoolean(i),
                _ => LineProtocolText.GetString(input, line.GetStringValue(i), EscapeContext.StringFieldValue),
            };
            if (value is double d)
            {
                Assert.Equal(BitConverter.DoubleToInt64Bits(d), BitConverter.DoubleToInt64Bits((double)actual));
            }
            else
            {
                Assert.Equal(value, actual);
            }
        }
        Assert.Equal(expected.Timestamp.HasValue, line.HasTimestamp);
        Assert.Equal(expected.Timestamp ?? 0, line.Timestamp);
    }

    private static Point NextPoint(Random random)
    {
        string measurement;
        do
        {
            measurement = NextText(random, 1);
        }
        while (measurement[0] is '#' or '\t');

        // Keys are unique within a line and across tags and fields (repeats have their own tests).
        var used = new HashSet<string>(StringComparer.Ordinal);
        var tags = new List<(string, string)>();
        var tagCount = random.Next(0, 6);
        for (var i = 0; i < tagCount; i++)
        {
            var key = NextText(random, 1);
            if (used.Add(key))
            {
                tags.Add((key, NextText(random, 1)));
            }
        }
        var fields = new List<(string, object)>();
        var fieldCount = random.Next(1, 8);
        while (fields.Count < fieldCount)
        {
            var key = NextText(random, 1);
            if (used.Add(key))
            {
                fields.Add((key, NextValue(random)));
            }
        }
        long? timestamp = random.Next(3) switch
        {
            0 => null,
            1 => random.NextInt64(long.MinValue, long.MaxValue),
            _ => random.Next(2) == 0 ? long.MinValue : long.MaxValue,
        };
        return new Point(measurement, tags, fields, timestamp);
    }

    private static object NextValue(Random random)
    {
        switch (random.Next(9))
        {
            case 0:
                double d;
                do
                {
                    d = BitConverter.Int64BitsToDouble(random.NextInt64(long.MinValue, long.MaxValue));
                }
                while (!double.IsFinite(d));
                return d;
            case 1:
                return Math.Round((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-5, 12)), random.Next(0, 8));
            case 2:
                return (double)random.Next(-1000, 1000);
            case 3:
                return random.NextInt64(long.MinValue, long.MaxValue);
            case 4:
                return random.Next(3) switch { 0 => long.MinValue, 1 => long.MaxValue, _ => 0L };
            case 5:
                return (ulong)random.NextInt64() * 2 + (ulong)random.Next(2);
            case 6:
                return random.Next(2) == 0;
            case 7:
                return random.Next(4) == 0 ? ulong.MaxValue : 0UL;
            default:
                return NextText(random, 0);
        }
    }

    private static string NextText(Random random, int minLength)
    {
        var length = random.Next(minLength, 12);
        var text = new StringBuilder();
        for (var i = 0; i < length; i++)
        {
            if (random.Next(3) == 0)
            {
                text.Append((char)('a' + random.Next(26)));
                continue;
            }
            var at = random.Next(Awkward.Length);
            if (char.IsHighSurrogate(Awkward[at]))
            {
                text.Append(Awkward, at, 2);
            }
            else if (char.IsLowSurrogate(Awkward[at]))
            {
                text.Append(Awkward, at - 1, 2);
            }
            else
            {
                text.Append(Awkward[at]);
            }
        }
        return text.ToString();
    }
}
