using Tsdb.Arrow.Arrays;

namespace Tsdb.Query.Execution;

/// <summary>
/// Candidate pairs (probe row, build row) of one probe batch, produced in bounded chunks from a cursor: the pairs a
/// hash lookup finds, or every pair for a nested-loop join. The probe loop checks the residual condition and
/// cancellation between chunks.
/// </summary>
internal interface IJoinCandidates
{
    /// <summary>No pair of the current batch is left.</summary>
    bool Exhausted { get; }

    /// <summary>Starts on a probe batch (coding its keys, for a hash join).</summary>
    void BeginBatch(RecordBatch probe);

    /// <summary>
    /// Writes up to <paramref name="capacity"/> pairs from position <paramref name="at"/> and returns how many. Probe
    /// rows with <paramref name="skip"/> set lose their remaining candidates (already matched by a semi or anti join);
    /// <paramref name="firstOnly"/> gives at most one candidate per probe row. May return 0 before the batch is
    /// exhausted, after a bounded amount of work that found nothing, so the caller can check cancellation.
    /// </summary>
    int Fill(int[] probeRows, int[] buildRows, int at, int capacity, bool[]? skip, bool firstOnly);

    /// <summary>Drops the build-side state (the probe is over and its memory has been given back).</summary>
    void Release();
}
