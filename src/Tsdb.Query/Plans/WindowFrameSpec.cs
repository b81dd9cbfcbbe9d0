namespace Tsdb.Query.Plans;

/// <summary>
/// Which rows of its partition a row's window function sees. With <see cref="Rows"/> the bounds are row offsets from
/// the current row (-2 is 2 PRECEDING, 0 CURRENT ROW, 1 1 FOLLOWING); otherwise (RANGE) 0 means the current row's
/// peers (rows with equal ORDER BY keys), the only offset supported. A null <see cref="Start"/> is UNBOUNDED
/// PRECEDING, a null <see cref="End"/> UNBOUNDED FOLLOWING.
/// </summary>
public sealed record WindowFrameSpec(bool Rows, long? Start, long? End)
{
    /// <summary>The SQL default with ORDER BY: the partition up to the current row's last peer.</summary>
    public static WindowFrameSpec RunningWithPeers { get; } = new(false, null, 0);

    /// <summary>The SQL default without ORDER BY (and UNBOUNDED both ways): the whole partition.</summary>
    public static WindowFrameSpec WholePartition { get; } = new(false, null, null);

    public override string ToString() =>
        $"{(Rows ? "ROWS" : "RANGE")} BETWEEN {Bound(Start, "UNBOUNDED PRECEDING")} AND {Bound(End, "UNBOUNDED FOLLOWING")}";

    private static string Bound(long? offset, string unbounded) => offset switch
    {
        null => unbounded,
        0 => "CURRENT ROW",
        < 0 => $"{-offset} PRECEDING",
        _ => $"{offset} FOLLOWING",
    };
}
