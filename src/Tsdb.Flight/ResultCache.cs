using System.Collections.Concurrent;

namespace Tsdb.Flight;

/// <summary>
/// Results computed by GetFlightInfo (which must report the schema) held until their DoGet takes them, so a query
/// runs once. Each is taken at most once; unclaimed ones expire; when full, nothing more is held and DoGet
/// computes the result again from the ticket.
/// </summary>
internal sealed class ResultCache(FlightOptions options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, (IFlightResult Result, long ExpiresAt)> _held = new(StringComparer.Ordinal);

    public string? Hold(IFlightResult result)
    {
        var now = time.GetTimestamp();
        foreach (var (id, entry) in _held)
        {
            if (entry.ExpiresAt <= now)
            {
                _held.TryRemove(id, out _);
            }
        }
        if (_held.Count >= options.MaxHeldResults)
        {
            return null;
        }
        var key = Guid.NewGuid().ToString("N");
        var expires = now + (long)(options.ResultHoldTime.TotalSeconds * time.TimestampFrequency);
        _held[key] = (result, expires);
        return key;
    }

    public IFlightResult? Take(string? id) =>
        id is not null && _held.TryRemove(id, out var entry) && entry.ExpiresAt > time.GetTimestamp() ? entry.Result : null;
}
