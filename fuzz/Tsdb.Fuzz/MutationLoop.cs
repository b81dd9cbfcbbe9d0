using System.Diagnostics;
using System.Security.Cryptography;

namespace Tsdb.Fuzz;

/// <summary>
/// A libFuzzer-style loop without coverage feedback: mutates corpus inputs (bit flips, interesting integers, byte
/// insertions and deletions, block copies, splices of two inputs) and runs them in process. A contract violation is
/// written to the crash folder under its SHA-256 and the loop goes on. Cheaper to start than AFL++, and useful where
/// an input's structure matters more than coverage; the AFL++ campaigns are the ones the table in docs/fuzzing.md counts.
/// </summary>
internal static class MutationLoop
{
    private static readonly long[] Interesting = [0, 1, -1, 127, 128, 255, 256, 32767, 32768, 65535, 65536, int.MaxValue, int.MinValue, uint.MaxValue, long.MaxValue, long.MinValue];

    public static string Run(FuzzTarget target, TimeSpan duration, string corpus, string? crashes)
    {
        var inputs = Directory.Exists(corpus) ? Directory.GetFiles(corpus).Select(File.ReadAllBytes).ToList() : [];
        if (inputs.Count == 0)
        {
            inputs.Add([]);
        }
        var random = new Random(12345);
        var watch = Stopwatch.StartNew();
        long executions = 0;
        var found = 0;
        while (watch.Elapsed < duration)
        {
            var input = Mutate(random, inputs[random.Next(inputs.Count)], inputs[random.Next(inputs.Count)]);
            executions++;
            try
            {
                target.Execute(input);
            }
            catch (Exception e)
            {
                found++;
                var name = Convert.ToHexStringLower(SHA256.HashData(input));
                Console.WriteLine($"crash {name}: {e.GetType().Name}: {e.Message}");
                if (crashes is not null)
                {
                    Directory.CreateDirectory(crashes);
                    File.WriteAllBytes(Path.Combine(crashes, name), input);
                }
            }
        }
        var seconds = watch.Elapsed.TotalSeconds;
        return $"{target.Name}: {executions} executions in {seconds:F0} s ({executions / seconds:F0}/s), {found} contract violations";
    }

    private static byte[] Mutate(Random random, byte[] input, byte[] other)
    {
        var data = new List<byte>(input);
        var rounds = 1 + random.Next(8);
        for (var r = 0; r < rounds; r++)
        {
            switch (random.Next(7))
            {
                case 0 when data.Count > 0:
                    data[random.Next(data.Count)] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when data.Count > 0:
                    data[random.Next(data.Count)] = (byte)random.Next(256);
                    break;
                case 2:
                    data.Insert(random.Next(data.Count + 1), (byte)random.Next(256));
                    break;
                case 3 when data.Count > 0:
                {
                    var at = random.Next(data.Count);
                    data.RemoveRange(at, Math.Min(data.Count - at, 1 + random.Next(16)));
                    break;
                }
                case 4 when data.Count >= 8:
                {
                    var value = Interesting[random.Next(Interesting.Length)];
                    var width = 1 << random.Next(4);
                    var at = random.Next(data.Count - Math.Min(width, data.Count) + 1);
                    for (var i = 0; i < width && at + i < data.Count; i++)
                    {
                        data[at + i] = (byte)(value >> (8 * i));
                    }
                    break;
                }
                case 5 when data.Count > 0:
                {
                    var from = random.Next(data.Count);
                    var length = Math.Min(data.Count - from, 1 + random.Next(32));
                    var block = data.GetRange(from, length);
                    data.InsertRange(random.Next(data.Count + 1), block);
                    break;
                }
                case 6 when other.Length > 0:
                {
                    var cut = random.Next(data.Count + 1);
                    var from = random.Next(other.Length);
                    data.RemoveRange(cut, data.Count - cut);
                    data.AddRange(other.AsSpan(from).ToArray());
                    break;
                }
            }
        }
        return [.. data];
    }
}
