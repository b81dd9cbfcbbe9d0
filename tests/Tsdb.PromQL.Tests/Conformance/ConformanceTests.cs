using System.Globalization;
using System.Text;

namespace Tsdb.PromQL.Tests.Conformance;

/// <summary>
/// Prometheus' own PromQL test scripts, one theory row per eval block (file:line). Cases the engine cannot pass are
/// listed with a reason in skip-list.txt and reported as skipped; <see cref="Skip_list_is_exact"/> fails when a listed
/// case passes or no longer exists, so the list stays honest.
/// </summary>
public sealed class ConformanceTests
{
    [Theory]
    [ConformanceCases(listed: false)]
    public async Task Case(string id)
    {
        var failure = await ConformanceData.RunAsync(id);
        Assert.True(failure is null, $"{id}: {failure}");
    }

    [Theory]
    [ConformanceCases(listed: true)]
    public async Task Listed(string id, string reason)
    {
        // Never runs: every row is skipped by the attribute; the reason shows in the test's name.
        Assert.Fail($"{id} ({reason}) should have been skipped");
        await Task.CompletedTask;
    }

    /// <summary>
    /// Every skip-list entry names an existing eval that still fails. With TSDB_PROMQL_REPORT set to a path, also
    /// writes the per-file pass/skip table used in docs/promql.md.
    /// </summary>
    [ConformanceFact]
    public async Task Skip_list_is_exact()
    {
        var ids = ConformanceData.CaseIds();
        var known = ids.ToHashSet(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var (id, reason) in SkipList.Entries)
        {
            if (!known.Contains(id))
            {
                problems.Add($"{id} is listed but is not an eval in the test data");
            }
            else if (await ConformanceData.RunAsync(id) is null)
            {
                problems.Add($"{id} passes now; remove it from skip-list.txt (listed as: {reason})");
            }
        }
        var report = Environment.GetEnvironmentVariable("TSDB_PROMQL_REPORT");
        if (!string.IsNullOrEmpty(report))
        {
            await WriteReportAsync(ids, report);
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    private static async Task WriteReportAsync(List<string> ids, string path)
    {
        var perFile = new SortedDictionary<string, (int Passed, int Skipped, int Failed, int Total)>(StringComparer.Ordinal);
        var failures = new StringBuilder();
        foreach (var id in ids)
        {
            var file = ConformanceData.Split(id).File;
            var failure = await ConformanceData.RunAsync(id);
            var entry = perFile.GetValueOrDefault(file);
            entry.Total++;
            var listed = SkipList.Reason(id);
            if (failure is not null)
            {
                // The draft skip list: every failing case, with its listed reason or a first-cut one.
                failures.Append(id).Append('\t').Append(listed ?? ConformanceData.Classify(id, failure)).Append('\n');
            }
            if (listed is not null)
            {
                entry.Skipped++;
            }
            else if (failure is null)
            {
                entry.Passed++;
            }
            else
            {
                entry.Failed++;
            }
            perFile[file] = entry;
        }
        var table = new StringBuilder("| file | passed | skipped (listed) | failed | total |\n|---|---:|---:|---:|---:|\n");
        int p = 0, s = 0, f = 0, t = 0;
        foreach (var (file, c) in perFile)
        {
            table.Append(CultureInfo.InvariantCulture, $"| {file} | {c.Passed} | {c.Skipped} | {c.Failed} | {c.Total} |\n");
            p += c.Passed;
            s += c.Skipped;
            f += c.Failed;
            t += c.Total;
        }
        table.Append(CultureInfo.InvariantCulture, $"| **all** | {p} | {s} | {f} | {t} |\n");
        await File.WriteAllTextAsync(path, table.ToString() + "\n" + failures);
    }
}
