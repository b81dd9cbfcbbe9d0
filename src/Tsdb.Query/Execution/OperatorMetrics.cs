using System.Diagnostics;
using System.Globalization;

namespace Tsdb.Query.Execution;

/// <summary>
/// What one operator did (EXPLAIN ANALYZE, system.queries progress): rows and batches out, time, memory and spills, and
/// for a scan the chunks it read by kind (how many Parquet files a query touched).
/// </summary>
public sealed class OperatorMetrics
{
    private long _rows;
    private long _batches;
    private long _elapsedTicks;

    public long OutputRows => Interlocked.Read(ref _rows);

    public long OutputBatches => Interlocked.Read(ref _batches);

    /// <summary>Time spent producing this operator's batches, its inputs' time included.</summary>
    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _elapsedTicks));

    /// <summary>The most bytes this operator held from the query's pool.</summary>
    public long PeakMemory { get; set; }

    public int Spills { get; set; }

    public long SpilledBytes { get; set; }

    private readonly Dictionary<string, long> _chunks = new(StringComparer.Ordinal);

    /// <summary>Chunks read by a scan after pruning, by kind ("parquet" for files, "buffer", ...), sorted by kind.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> ChunksRead
    {
        get
        {
            lock (_chunks)
            {
                return [.. _chunks.OrderBy(c => c.Key, StringComparer.Ordinal)];
            }
        }
    }

    internal void AddChunks(IReadOnlyList<Chunks.IQueryChunk> chunks)
    {
        lock (_chunks)
        {
            foreach (var chunk in chunks)
            {
                _chunks[chunk.Kind] = _chunks.GetValueOrDefault(chunk.Kind) + 1;
            }
        }
    }

    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);

    /// <summary>What an operator counts of its own (FirstPerKeyExec: chunks its first pass answered from statistics), sorted by name.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> Counts
    {
        get
        {
            lock (_counts)
            {
                return [.. _counts.OrderBy(c => c.Key, StringComparer.Ordinal)];
            }
        }
    }

    internal void Count(string name, long n)
    {
        lock (_counts)
        {
            _counts[name] = _counts.GetValueOrDefault(name) + n;
        }
    }

    internal void Add(long rows, long ticks)
    {
        Interlocked.Add(ref _rows, rows);
        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _elapsedTicks, ticks);
    }

    internal void AddTime(long ticks) => Interlocked.Add(ref _elapsedTicks, ticks);

    public override string ToString()
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"output_rows={OutputRows}, output_batches={OutputBatches}, elapsed={Elapsed.TotalMilliseconds:0.###}ms");
        if (PeakMemory > 0)
        {
            text += ", peak_mem=" + QueryMemoryPool.Format(PeakMemory);
        }
        if (ChunksRead is { Count: > 0 } read)
        {
            // Flat entries (no nested brackets): the web UI splits metrics=[...] at commas into chips.
            foreach (var (kind, count) in read)
            {
                text += string.Create(CultureInfo.InvariantCulture, $", chunks_{kind}={count}");
            }
        }
        foreach (var (name, count) in Counts)
        {
            text += string.Create(CultureInfo.InvariantCulture, $", {name}={count}");
        }
        if (Spills > 0)
        {
            text += string.Create(CultureInfo.InvariantCulture, $", spills={Spills}, spilled={QueryMemoryPool.Format(SpilledBytes)}");
        }
        return text;
    }
}
