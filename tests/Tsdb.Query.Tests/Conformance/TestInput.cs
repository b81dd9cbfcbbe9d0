using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;
using Tsdb.Query.Execution;

namespace Tsdb.Query.Tests.Conformance;

/// <summary>
/// The input an operator under test reads: given batches of the cpu table, optionally repeated without end or
/// failing part way. It ignores the cancellation token on purpose, as a careless source would: an operator must
/// stop on cancellation itself, not rely on its input to.
/// </summary>
internal sealed class TestInput(IReadOnlyList<RecordBatch> batches, bool endless = false, int? failAfter = null) : ExecutionPlan
{
    /// <summary>An endless input stops here and fails, so an operator that never stops fails its test instead of hanging it.</summary>
    public const int RunawayLimit = 20_000;

    private int _yielded;

    public override Schema Schema => MemoryTableSource.CpuSchema;

    public override IReadOnlyList<ExecutionPlan> Children => [];

    public override string Describe() => "TestInput";

    /// <summary>Whether the input has thrown its <see cref="InputFailedException"/>.</summary>
    public bool Failed { get; private set; }

    /// <summary>Batches handed out so far, over every run.</summary>
    public int Yielded => Volatile.Read(ref _yielded);

    /// <summary>Called with the count after each batch is handed out (the cancellation test cancels from here).</summary>
    public Action<int>? OnYield { get; set; }

    protected override IAsyncEnumerable<RecordBatch> ExecuteCoreAsync(TaskContext context) => Stream();

    /// <summary>Batches this input has: its list's, or without end.</summary>
    public int Count => endless && batches.Count > 0 ? int.MaxValue : batches.Count;

    /// <summary>The batches as a plain stream (a scan's table source serves them from here).</summary>
    public async IAsyncEnumerable<RecordBatch> Stream()
    {
        for (var i = 0; i < Count; i++)
        {
            // Yields to the scheduler like a real source between batches, so a cancellation can land.
            await Task.Yield();
            yield return At(i);
        }
        if (failAfter is { } n && n >= Count)
        {
            Failed = true;
            throw new InputFailedException();
        }
    }

    /// <summary>Batch <paramref name="index"/> of the run, counted as handed out (a values list reads it from here).</summary>
    public RecordBatch At(int index)
    {
        if (failAfter is { } n && index >= n)
        {
            Failed = true;
            throw new InputFailedException();
        }
        if (index >= RunawayLimit)
        {
            throw new InvalidOperationException($"the operator read {RunawayLimit} batches of an endless input without stopping");
        }
        OnYield?.Invoke(Interlocked.Increment(ref _yielded));
        return batches[index % batches.Count];
    }
}
