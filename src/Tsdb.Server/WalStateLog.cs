using Microsoft.Extensions.Logging;
using Tsdb.Wal;

namespace Tsdb.Server;

/// <summary>One log line per change of the WAL's state (category <c>tsdb.wal</c>), and one at start when it is not Ok.</summary>
internal static partial class WalStateLog
{
    public static void Attach(IWalHealth wal, ILogger logger)
    {
        wal.StateChanged += change => Log(logger, change.Previous, change.State, change.Message, change.At);
        var (state, message, since) = wal.Status;
        if (state != WalState.Ok)
        {
            Log(logger, WalState.Ok, state, message ?? "", since);
        }
    }

    private static void Log(ILogger logger, WalState previous, WalState state, string message, DateTimeOffset at)
    {
        var text = state == WalState.Ok ? (previous == WalState.DiskFull ? "space was freed" : previous.ToString()) : ServerReadiness.Describe(state, message, at);
        switch (state)
        {
            case WalState.DiskFull:
                DiskFull(logger, text);
                break;
            case WalState.Stopped:
                Stopped(logger, text);
                break;
            default:
                Resumed(logger, text);
                break;
        }
    }

    [LoggerMessage(EventId = 10, EventName = "wal_disk_full", Level = LogLevel.Warning, Message = "{state}")]
    private static partial void DiskFull(ILogger logger, string state);

    [LoggerMessage(EventId = 11, EventName = "wal_stopped", Level = LogLevel.Critical, Message = "{state}")]
    private static partial void Stopped(ILogger logger, string state);

    [LoggerMessage(EventId = 12, EventName = "wal_resumed", Level = LogLevel.Information, Message = "the WAL takes writes again ({reason})")]
    private static partial void Resumed(ILogger logger, string reason);
}
