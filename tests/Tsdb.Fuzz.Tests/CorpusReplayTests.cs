using System.Diagnostics;

namespace Tsdb.Fuzz.Tests;

/// <summary>
/// Replays every seed of <c>fuzz/corpus/TARGET</c> and every saved crash of <c>fuzz/crashes/TARGET</c> through the
/// same target the campaigns run (docs/fuzzing.md), each input with a time limit: only the parser's own error type may
/// come out, and no input may hang. A crash found by a campaign is fixed in the product and its input saved under
/// <c>fuzz/crashes</c>, so it stays fixed.
/// </summary>
public sealed class CorpusReplayTests
{
    private static readonly TimeSpan PerInput = TimeSpan.FromSeconds(10);

    public static TheoryData<string> Targets()
    {
        var data = new TheoryData<string>();
        foreach (var target in FuzzTargets.All)
        {
            data.Add(target.Name);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Every_corpus_and_crash_input_keeps_the_contract(string name)
    {
        var target = FuzzTargets.Find(name)!;
        var inputs = Inputs(Path.Combine(FuzzRoot(), "corpus", name)).Concat(Inputs(Path.Combine(FuzzRoot(), "crashes", name))).ToList();
        Assert.NotEmpty(inputs);
        var failures = new List<string>();
        foreach (var file in inputs)
        {
            var bytes = File.ReadAllBytes(file);
            var watch = Stopwatch.StartNew();
            // A thread of its own with a deep stack: a hang is reported by its input instead of stalling the run.
            Exception? thrown = null;
            var thread = new Thread(() =>
            {
                try
                {
                    target.Execute(bytes);
                }
                catch (Exception e)
                {
                    thrown = e;
                }
            }, 16 << 20) { IsBackground = true };
            thread.Start();
            if (!thread.Join(PerInput))
            {
                failures.Add($"{Path.GetFileName(file)}: no answer after {PerInput.TotalSeconds} s");
                continue;
            }
            if (thrown is not null)
            {
                failures.Add($"{Path.GetFileName(file)}: {thrown.GetType().FullName}: {thrown.Message}\n{thrown.StackTrace}");
            }
        }
        Assert.True(failures.Count == 0, $"{target.Contract}\n{string.Join("\n", failures)}");
    }

    [Fact]
    public void Every_corpus_folder_names_a_target()
    {
        foreach (var kind in new[] { "corpus", "crashes" })
        {
            var root = Path.Combine(FuzzRoot(), kind);
            if (!Directory.Exists(root))
            {
                continue;
            }
            foreach (var directory in Directory.GetDirectories(root))
            {
                Assert.True(FuzzTargets.Find(Path.GetFileName(directory)) is not null, $"{directory} names no fuzz target");
            }
        }
    }

    private static IEnumerable<string> Inputs(string directory) =>
        Directory.Exists(directory) ? Directory.GetFiles(directory).Order(StringComparer.Ordinal) : [];

    private static string FuzzRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "fuzz", "corpus");
            if (Directory.Exists(candidate))
            {
                return Path.Combine(directory.FullName, "fuzz");
            }
        }
        throw new DirectoryNotFoundException($"no fuzz/corpus above {AppContext.BaseDirectory}");
    }
}
