using Tsdb.Arrow.Arrays;
using Tsdb.Query.Execution;
using Tsdb.Query.Sql;

namespace Tsdb.Query.Tests;

public sealed class SpillDirectoryTests : IDisposable
{
    private const long S = 1_000_000_000L;
    private static readonly long T0 = 1_451_606_400L * S;

    private readonly string _root = Path.Combine(Path.GetTempPath(), "tsdb-spill-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public void It_is_named_and_made_only_when_created_and_deleted_with_its_files()
    {
        var spill = new SpillDirectory(_root);
        Assert.Null(spill.Path);
        spill.Delete();
        Assert.False(Directory.Exists(_root));

        var path = spill.Create();
        Assert.Equal(path, spill.Path);
        Assert.Equal(_root, Path.GetDirectoryName(path));
        Assert.True(Directory.Exists(path));
        Assert.Equal(path, spill.Create());
        Assert.NotEqual(path, new SpillDirectory(_root).Create());

        File.WriteAllText(Path.Combine(path, "run-0000.arrows"), "x");
        spill.Delete();
        Assert.False(Directory.Exists(path));
        spill.Delete();
    }

    [Fact]
    public async Task A_query_that_sorts_in_memory_touches_no_directory_and_one_that_spills_leaves_none_behind()
    {
        var source = new MemoryTableSource();
        var random = new Random(3);
        var batches = new List<RecordBatch>();
        for (var b = 0; b < 40; b++)
        {
            batches.Add(MemoryTableSource.Cpu([.. Enumerable.Range(0, 500).Select(i => ((string?)$"h{random.Next(100)}", T0 + (((b * 500) + i) * S), (double?)random.Next(1000), (long?)((b * 500) + i)))]));
        }
        source.Add("cpu", MemoryTableSource.CpuSchema, [.. batches]);

        var roomy = new SqlEngine(new QueryExecutor(source, TimeProvider.System, new QueryEngineOptions { SpillDirectory = _root }));
        var sorted = await roomy.ExecuteAsync("db", "SELECT n FROM cpu ORDER BY usage, n", CancellationToken.None);
        Assert.Equal(20_000, sorted.Batches.Sum(x => x.Length));
        Assert.False(Directory.Exists(_root));

        var tight = new SqlEngine(new QueryExecutor(source, TimeProvider.System, new QueryEngineOptions { MaxQueryMemoryBytes = 512 << 10, SpillDirectory = _root }));
        var analyzed = await tight.ExecuteAsync("db", "EXPLAIN ANALYZE SELECT * FROM cpu ORDER BY usage, n", CancellationToken.None);
        var plan = string.Join('\n', analyzed.Batches.SelectMany(x => Enumerable.Range(0, x.Length).Select(r => x.Columns[1].GetObject(r))));
        Assert.Matches(@"SortExec.*spills=[1-9]", plan);
        Assert.True(Directory.Exists(_root));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_root));
    }
}
