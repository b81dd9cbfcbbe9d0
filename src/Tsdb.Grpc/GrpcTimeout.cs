using System.Globalization;

namespace Tsdb.Grpc;

/// <summary>The <c>grpc-timeout</c> header: 1–8 ASCII digits and a unit (H, M, S, m, u, n) — PROTOCOL-HTTP2.md "Timeout".</summary>
internal static class GrpcTimeout
{
    public static bool TryParse(string? value, out TimeSpan timeout)
    {
        timeout = default;
        if (value is null || value.Length < 2 || value.Length > 9)
        {
            return false;
        }
        var digits = value.AsSpan(0, value.Length - 1);
        foreach (var c in digits)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }
        var amount = long.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        var ticks = value[^1] switch
        {
            'H' => amount * TimeSpan.TicksPerHour,
            'M' => amount * TimeSpan.TicksPerMinute,
            'S' => amount * TimeSpan.TicksPerSecond,
            'm' => amount * TimeSpan.TicksPerMillisecond,
            'u' => amount * 10,
            'n' => amount / 100,
            _ => -1,
        };
        if (ticks < 0)
        {
            return false;
        }
        timeout = TimeSpan.FromTicks(ticks);
        return true;
    }
}
