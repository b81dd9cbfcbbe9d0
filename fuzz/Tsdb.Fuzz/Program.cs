using System.Diagnostics;
using Tsdb.Fuzz;

// tsdb-fuzz: the entry point of every campaign (docs/fuzzing.md).
//   list                                  the targets and their contracts
//   afl TARGET                            run under afl-fuzz (SharpFuzz instrumentation and shared-memory feedback)
//   loop TARGET SECONDS CORPUS [CRASHES]  in-process random mutation of the corpus, without coverage feedback
//   replay TARGET PATH...                 run files (or every file of folders) once and report contract violations
//   seed CORPUS-ROOT                      write the binary seeds with the project's own writers
if (args.Length == 0)
{
    return Usage();
}
switch (args[0])
{
    case "list":
        foreach (var t in FuzzTargets.All)
        {
            Console.WriteLine($"{t.Name,-24} {t.Contract}");
        }
        return 0;
    case "seed" when args.Length == 2:
        Seeds.Write(args[1]);
        return 0;
    case "afl" when args.Length == 2:
    {
        var target = Target(args[1]);
        SharpFuzz.Fuzzer.OutOfProcess.Run(stream =>
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            target.Execute(buffer.ToArray());
        });
        return 0;
    }
    case "loop" when args.Length is 4 or 5:
    {
        var target = Target(args[1]);
        var seconds = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
        var report = MutationLoop.Run(target, TimeSpan.FromSeconds(seconds), args[3], args.Length == 5 ? args[4] : null);
        Console.WriteLine(report);
        return 0;
    }
    case "replay" when args.Length >= 3:
    {
        var target = Target(args[1]);
        var failures = 0;
        foreach (var file in args.Skip(2).SelectMany(p => Directory.Exists(p) ? Directory.GetFiles(p) : [p]).Order(StringComparer.Ordinal))
        {
            var watch = Stopwatch.StartNew();
            try
            {
                target.Execute(File.ReadAllBytes(file));
                Console.WriteLine($"ok    {watch.ElapsedMilliseconds,6} ms  {file}");
            }
            catch (Exception e)
            {
                failures++;
                Console.WriteLine($"CRASH {watch.ElapsedMilliseconds,6} ms  {file}\n{e}");
            }
        }
        return failures == 0 ? 0 : 1;
    }
    default:
        return Usage();
}

static FuzzTarget Target(string name) =>
    FuzzTargets.Find(name) ?? throw new ArgumentException($"unknown target '{name}'; `list` names them");

static int Usage()
{
    Console.Error.WriteLine("usage: Tsdb.Fuzz list | seed CORPUS-ROOT | afl TARGET | loop TARGET SECONDS CORPUS [CRASHES] | replay TARGET PATH...");
    return 2;
}
