namespace Tsdb.Query.Execution;

/// <summary>
/// The bytes one join holds in its <see cref="MemoryReservation"/>. The reservation belongs to the caller (and may be
/// shared with the operator's other state), so the join gives back only what it took.
/// </summary>
internal sealed class JoinMemory(MemoryReservation reservation)
{
    public MemoryReservation Reservation { get; } = reservation;

    public long Held { get; private set; }

    /// <summary>Reserves <paramref name="bytes"/> more or fails the query naming the reservation's consumer.</summary>
    public void Grow(long bytes)
    {
        if (bytes <= 0)
        {
            return;
        }
        Reservation.Grow(bytes);
        Held += bytes;
    }

    public void Shrink(long bytes)
    {
        bytes = Math.Min(bytes, Held);
        if (bytes <= 0)
        {
            return;
        }
        Reservation.Shrink(bytes);
        Held -= bytes;
    }

    public void Free() => Shrink(Held);
}
