using Tsdb.LineProtocol;

namespace Tsdb.Fuzz.Targets;

/// <summary>
/// Contract: <see cref="LineProtocolReader.TryReadLine"/> over the whole body, then every name, tag, field and string
/// value unescaped and the timestamp scaled, as ingestion does. The reader documents that nothing in the input makes
/// it throw (a bad line is a <see cref="LineError"/> value), so no exception at all is expected. The same input is also
/// read in two blocks split in the middle, as a body read in pieces is.
/// </summary>
internal sealed class LineProtocolTarget : FuzzTarget
{
    public override string Name => "line-protocol";

    public override string Contract => "LineProtocolReader.TryReadLine and LineProtocolText.GetString: no exception at all; bad lines are LineError values";

    public override void Run(byte[] input)
    {
        var line = new ParsedLine();
        ReadAll(input, line);

        // Split as a streamed body is: the first block not final, its unread tail carried over to the second.
        var half = input.Length / 2;
        var first = new LineProtocolReader(input.AsSpan(0, half), isFinalBlock: false);
        while (first.TryReadLine(line, out _))
        {
        }
        var rest = input.AsSpan(first.Position).ToArray();
        var second = new LineProtocolReader(rest, first.LineNumber);
        while (second.TryReadLine(line, out _))
        {
        }
    }

    private static void ReadAll(byte[] input, ParsedLine line)
    {
        var reader = new LineProtocolReader(input);
        while (reader.TryReadLine(line, out var error))
        {
            if (error is not null)
            {
                _ = error.ToString();
                continue;
            }
            _ = LineProtocolText.GetString(input, line.Measurement, EscapeContext.Measurement);
            for (var t = 0; t < line.TagCount; t++)
            {
                _ = LineProtocolText.GetString(input, line.GetTagKey(t), EscapeContext.TagKey);
                _ = LineProtocolText.GetString(input, line.GetTagValue(t), EscapeContext.TagValue);
            }
            for (var f = 0; f < line.FieldCount; f++)
            {
                _ = LineProtocolText.GetString(input, line.GetFieldKey(f), EscapeContext.FieldKey);
                switch (line.GetFieldKind(f))
                {
                    case FieldKind.String:
                        _ = LineProtocolText.GetString(input, line.GetStringValue(f), EscapeContext.StringFieldValue);
                        break;
                    case FieldKind.Float:
                        _ = line.GetFloat(f);
                        break;
                    case FieldKind.Integer:
                        _ = line.GetInteger(f);
                        break;
                    case FieldKind.UInteger:
                        _ = line.GetUInteger(f);
                        break;
                    case FieldKind.Boolean:
                        _ = line.GetBoolean(f);
                        break;
                }
            }
            if (line.HasTimestamp)
            {
                _ = Timestamps.TryToNanoseconds(line.Timestamp, Timestamps.GuessPrecision(line.Timestamp), out _);
                _ = Timestamps.TryToNanoseconds(line.Timestamp, Precision.Second, out _);
            }
        }
    }

    public override bool IsExpected(Exception exception) => false;
}
