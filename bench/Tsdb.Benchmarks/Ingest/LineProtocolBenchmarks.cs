using BenchmarkDotNet.Attributes;
using Tsdb.LineProtocol;
using Tsdb.LoadGen;

namespace Tsdb.Benchmarks.Ingest;

/// <summary>Parsing TSBS cpu line protocol (5,000-line bodies, as the load generator sends). Throughput = body bytes / time.</summary>
[MemoryDiagnoser]
public class LineProtocolBenchmarks
{
    private byte[] _body = [];
    private readonly ParsedLine _line = new();

    [GlobalSetup]
    public void Setup()
    {
        _body = TsbsCpu.Bodies(5000, 5000, 1000, seed: 1)[0];
        Console.WriteLine($"// body bytes: {_body.Length:N0}");
    }

    [Benchmark(Description = "parse 5,000 TSBS cpu lines")]
    public int Parse()
    {
        var reader = new LineProtocolReader(_body);
        var fields = 0;
        while (reader.TryReadLine(_line, out var error))
        {
            if (error is null)
            {
                fields += _line.FieldCount;
            }
        }
        return fields;
    }
}
