namespace Tsdb.Core.Diagnostics;

/// <summary>Who asks <see cref="ProcessMemory"/> for bytes, lowest priority first.</summary>
public enum MemoryClaimant
{
    /// <summary>A request's body or answer held whole (a write body, a remote read's answer): the shared part only, never waits.</summary>
    Request,
    Query,
    Compaction,
    Persist,
}
