using System.Collections.Concurrent;
using System.Diagnostics;

namespace Tsdb.Query;

/// <summary>
/// The statements running now and the last <see cref="Capacity"/> that finished, for <c>system.queries</c> (as
/// IOx keeps a per-database query log): who is slow, what failed, what a client abandoned.
/// </summary>
public sealed class QueryLog(TimeProvider time)
{
    public const int Capacity = 100;

    private readonly ConcurrentDictionary<long, QueryLogEntry> _running = new();
    private readonly ConcurrentQueue<QueryLogEntry> _finished = new();
    private long _nextId;

    internal QueryLogEntry Start(string database, string text, string queryType = "sql")
    {
        var id = Interlocked.Increment(ref _nextId);
        return _running[id] = new QueryLogEntry(id, database, text, time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000L, Stopwatch.GetTimestamp()) { QueryType = queryType };
    }

    internal void Finish(QueryLogEntry entry, QueryOutcome outcome, string? error)
    {
        entry.Complete(outcome, error);
        _running.TryRemove(entry.Id, out _);
        _finished.Enqueue(entry);
        while (_finished.Count > Capacity && _finished.TryDequeue(out _))
        {
        }
    }

    /// <summary>Running and recent statements of <paramref name="database"/>, oldest first (one that finishes while this runs is listed once).</summary>
    public IReadOnlyList<QueryLogEntry> Entries(string database) =>
        [.. _running.Values.ToArray().Concat(_finished.ToArray()).Where(e => e.Database == database).DistinctBy(e => e.Id).OrderBy(e => e.Id)];
}

public enum QueryOutcome
{
    Running,
    Success,
    Failed,
    Cancelled,
}

/// <summary>One statement in the <see cref="QueryLog"/>.</summary>
public sealed class QueryLogEntry(long id, string database, string text, long issueTimeNs, long startTimestamp)
{
    private long _endTimestamp;

    public long Id { get; } = id;

    public string Database { get; } = database;

    public string Text { get; } = text;

    /// <summary>The language of the statement ("sql", "influxql", "flightsql").</summary>
    public string QueryType { get; init; } = "sql";

    /// <summary>While it runs: what its plan has done so far (rows and batches per operator), for system.queries.</summary>
    public Func<string>? Progress { get; set; }

    public long IssueTimeNs { get; } = issueTimeNs;

    public QueryOutcome Outcome { get; private set; } = QueryOutcome.Running;

    public string? Error { get; private set; }

    /// <summary>Time from start to end, or to now while running.</summary>
    public TimeSpan Duration => Stopwatch.GetElapsedTime(startTimestamp, Outcome == QueryOutcome.Running ? Stopwatch.GetTimestamp() : _endTimestamp);

    internal void Complete(QueryOutcome outcome, string? error)
    {
        _endTimestamp = Stopwatch.GetTimestamp();
        Error = error;
        Outcome = outcome;
        Progress = null;   // the plan it describes is done with; do not keep it alive in the log
    }
}
