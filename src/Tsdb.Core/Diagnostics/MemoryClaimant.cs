namespace Tsdb.Core.Diagnostics;

/// <summary>Who asks <see cref="ProcessMemory"/> for bytes, lowest priority first.</summary>
public enum MemoryClaimant
{
    Query,
    Compaction,
    Persist,
}
