using System.Buffers.Text;

namespace Tsdb.YearWrite;

/// <summary>
/// The line protocol of a narrow table in time order: body <c>b</c> holds time steps
/// <c>[b × stepsPerBody, (b + 1) × stepsPerBody)</c>, each as one line per series, so any body can be made on its own.
/// Values are Tsdb.HistoryLoad's walk for field 0, written as exact cents (the text parses to the same double).
/// </summary>
internal sealed class NarrowLines
{
    // "m,series=s00042 v=" + up to 20 digits, '.', 2 digits + ' ' + up to 20 digits + '\n'
    private const int MaxLineBytes = 18 + 24 + 1 + 21;
    private readonly byte[][] _prefixes;
    private readonly long _startMs;
    private readonly long _intervalMs;
    private readonly long _steps;
    private readonly int _stepsPerBody;
    private readonly bool _seconds;

    public NarrowLines(int series, long startMs, long intervalMs, long steps, int stepsPerBody)
    {
        if (series is < 1 or > 99_999 || intervalMs < 1 || steps < 1 || stepsPerBody < 1)
        {
            throw new ArgumentException("series must be 1..99,999, the interval, steps and steps per body positive");
        }
        _prefixes = new byte[series][];
        for (var s = 0; s < series; s++)
        {
            _prefixes[s] = System.Text.Encoding.ASCII.GetBytes($"m,series=s{s:D5} v=");
        }
        (_startMs, _intervalMs, _steps, _stepsPerBody) = (startMs, intervalMs, steps, stepsPerBody);
        // Whole seconds are written as seconds: 3 bytes a line fewer for the server to read.
        _seconds = startMs % 1000 == 0 && intervalMs % 1000 == 0;
    }

    public string Precision => _seconds ? "s" : "ms";

    public long Bodies => (_steps + _stepsPerBody - 1) / _stepsPerBody;

    public int MaxBodyBytes => _stepsPerBody * _prefixes.Length * MaxLineBytes;

    /// <summary>Writes body <paramref name="body"/> into <paramref name="buffer"/>; returns its length and rows.</summary>
    public (int Length, int Rows) Format(long body, byte[] buffer)
    {
        var span = buffer.AsSpan();
        var at = 0;
        var rows = 0;
        var last = Math.Min(_steps, (body + 1) * _stepsPerBody);
        Span<byte> time = stackalloc byte[24];
        for (var step = body * _stepsPerBody; step < last; step++)
        {
            var ms = _startMs + (step * _intervalMs);
            time[0] = (byte)' ';
            Utf8Formatter.TryFormat(_seconds ? ms / 1000 : ms, time[1..], out var digits);
            time[digits + 1] = (byte)'\n';
            var timeText = time[..(digits + 2)];
            var walkStep = ms / _intervalMs;
            for (var s = 0; s < _prefixes.Length; s++)
            {
                _prefixes[s].CopyTo(span[at..]);
                at += _prefixes[s].Length;
                var cents = (long)Math.Round(Walk(s, walkStep) * 100.0);
                Utf8Formatter.TryFormat(cents / 100, span[at..], out digits);
                at += digits;
                var fraction = (int)(cents % 100);
                span[at] = (byte)'.';
                span[at + 1] = (byte)('0' + (fraction / 10));
                span[at + 2] = (byte)('0' + (fraction % 10));
                at += 3;
                timeText.CopyTo(span[at..]);
                at += timeText.Length;
                rows++;
            }
        }
        return (at, rows);
    }

    /// <summary>Tsdb.HistoryLoad's walk for field 0 (keep the two equal: the benchmarks compare their answers).</summary>
    public static double Walk(int series, long step)
    {
        var h = Mix(((ulong)series << 40) ^ (ulong)step);
        var slow = Math.Sin((step / 360.0) + series) * 40.0;
        return Math.Round(50.0 + slow + ((double)(h % 1000) / 100.0), 2);
    }

    private static ulong Mix(ulong x)
    {
        x ^= x >> 30;
        x *= 0xBF58476D1CE4E5B9UL;
        x ^= x >> 27;
        x *= 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
