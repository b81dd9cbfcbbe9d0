using Tsdb.Wal;

namespace Tsdb.Server;

/// <summary>
/// What the probes answer: ready once the catalog is loaded, the WAL replayed and the port accepting, and no
/// longer once shutdown has begun or while the WAL cannot take writes (its disk is full, or it stopped).
/// </summary>
public sealed class ServerReadiness
{
    private volatile bool _ready;

    /// <summary>The WAL whose state the probes report; null in servers without one (tests).</summary>
    public IWalHealth? Wal { get; init; }

    /// <summary>Started and not stopping (the WAL's state aside: see <see cref="WalProblem"/>).</summary>
    public bool IsReady => _ready;

    public void SetReady(bool ready) => _ready = ready;

    /// <summary>Why writes cannot be taken now, or null: the WAL's disk is full, or the WAL stopped.</summary>
    public string? WalProblem => Wal?.Status is { State: not WalState.Ok } status ? Describe(status.State, status.Message, status.Since) : null;

    /// <summary>Only a restart helps: the WAL stopped after an I/O error.</summary>
    public bool NeedsRestart => Wal?.State == WalState.Stopped;

    internal static string Describe(WalState state, string? message, DateTimeOffset since) => state switch
    {
        WalState.DiskFull => $"the WAL's disk is full since {since:yyyy-MM-ddTHH:mm:ssZ} ({message}): writes are refused with 507 until space is freed",
        WalState.Stopped => $"the WAL stopped after an I/O error at {since:yyyy-MM-ddTHH:mm:ssZ} ({message}): writes are refused until the server is restarted",
        _ => "the WAL takes writes",
    };
}
