using System.Buffers.Binary;

namespace Tsdb.Prometheus.Tests;

/// <summary>
/// A reader of Prometheus' HISTOGRAM and FLOAT_HISTOGRAM chunks written for the tests from the layout in Prometheus'
/// chunkenc (histogram.go, float_histogram.go, histogram_meta.go, varbit.go), apart from <see cref="HistogramChunk"/>
/// (it shares no code with it); the tests also check it against chunks Prometheus itself encoded.
/// </summary>
internal static class HistogramChunkReader
{
    /// <summary>One decoded sample: buckets absolute by index (the layout's zero-count buckets left out); Stale when the sum is the staleness marker.</summary>
    public sealed record Sample(long T, bool Stale, int Schema, double ZeroThreshold, double Count, double ZeroCount, ulong SumBits,
        SortedDictionary<int, double> Positive, SortedDictionary<int, double> Negative, double[] CustomValues)
    {
        public override string ToString() => Stale
            ? $"{T}: stale"
            : $"{T}: schema {Schema} zt {ZeroThreshold} count {Count} zero {ZeroCount} sum {BitConverter.UInt64BitsToDouble(SumBits)} +[{string.Join(",", Positive.Select(p => $"{p.Key}:{p.Value}"))}] -[{string.Join(",", Negative.Select(p => $"{p.Key}:{p.Value}"))}] cv[{string.Join(",", CustomValues)}]";
    }

    public const ulong StaleBits = 0x7FF0000000000002;

    /// <summary>The counter-reset header (top two bits of byte 2) and the samples.</summary>
    public static (int Header, List<Sample> Samples) Read(byte[] data, bool isFloat)
    {
        var count = BinaryPrimitives.ReadUInt16BigEndian(data);
        var header = data[2] >> 6;
        var bits = new ChunkBits(data, 24);
        var samples = new List<Sample>();
        int schema = 0;
        double zeroThreshold = 0;
        List<(int Offset, int Length)> positiveSpans = [], negativeSpans = [];
        var customValues = Array.Empty<double>();
        long t = 0, tDelta = 0;
        // Integer chunks: counts as deltas of deltas; buckets held as within-histogram deltas.
        long intCount = 0, intCountDelta = 0, intZero = 0, intZeroDelta = 0;
        long[] posDeltas = [], posDeltaDeltas = [], negDeltas = [], negDeltaDeltas = [];
        // Float chunks: every field XORed with its previous value.
        Xor sum = new(), floatCount = new(), floatZero = new();
        Xor[] posXor = [], negXor = [];
        for (var i = 0; i < count; i++)
        {
            if (i == 0)
            {
                var thresholdByte = bits.Read(8);
                zeroThreshold = thresholdByte switch
                {
                    0 => 0,
                    255 => BitConverter.UInt64BitsToDouble(bits.Read(64)),
                    _ => Math.ScaleB(0.5, (int)thresholdByte - 243),
                };
                schema = (int)bits.VarbitInt();
                positiveSpans = ReadSpans(bits);
                negativeSpans = ReadSpans(bits);
                if (schema == -53)
                {
                    customValues = new double[bits.VarbitUint()];
                    for (var c = 0; c < customValues.Length; c++)
                    {
                        var v = bits.VarbitUint();
                        customValues[c] = v == 0 ? BitConverter.UInt64BitsToDouble(bits.Read(64)) : (v - 1) / 1000.0;
                    }
                }
                var positiveCount = positiveSpans.Sum(s => s.Length);
                var negativeCount = negativeSpans.Sum(s => s.Length);
                t = bits.VarbitInt();
                if (isFloat)
                {
                    floatCount = new Xor { Value = bits.Read(64) };
                    floatZero = new Xor { Value = bits.Read(64) };
                    sum = new Xor { Value = bits.Read(64) };
                    posXor = [.. Enumerable.Range(0, positiveCount).Select(_ => new Xor { Value = bits.Read(64) })];
                    negXor = [.. Enumerable.Range(0, negativeCount).Select(_ => new Xor { Value = bits.Read(64) })];
                }
                else
                {
                    intCount = (long)bits.VarbitUint();
                    intZero = (long)bits.VarbitUint();
                    sum = new Xor { Value = bits.Read(64) };
                    posDeltas = [.. Enumerable.Range(0, positiveCount).Select(_ => bits.VarbitInt())];
                    negDeltas = [.. Enumerable.Range(0, negativeCount).Select(_ => bits.VarbitInt())];
                    posDeltaDeltas = new long[positiveCount];
                    negDeltaDeltas = new long[negativeCount];
                }
            }
            else
            {
                tDelta += bits.VarbitInt();
                t += tDelta;
                if (isFloat)
                {
                    floatCount.Read(bits);
                    floatZero.Read(bits);
                    sum.Read(bits);
                    if (sum.Value != StaleBits)
                    {
                        foreach (var x in posXor.Concat(negXor))
                        {
                            x.Read(bits);
                        }
                    }
                }
                else
                {
                    intCountDelta += bits.VarbitInt();
                    intCount += intCountDelta;
                    intZeroDelta += bits.VarbitInt();
                    intZero += intZeroDelta;
                    sum.Read(bits);
                    if (sum.Value != StaleBits)
                    {
                        for (var b = 0; b < posDeltas.Length; b++)
                        {
                            posDeltaDeltas[b] += bits.VarbitInt();
                            posDeltas[b] += posDeltaDeltas[b];
                        }
                        for (var b = 0; b < negDeltas.Length; b++)
                        {
                            negDeltaDeltas[b] += bits.VarbitInt();
                            negDeltas[b] += negDeltaDeltas[b];
                        }
                    }
                }
            }
            if (sum.Value == StaleBits)
            {
                samples.Add(new Sample(t, true, 0, 0, 0, 0, sum.Value, [], [], []));
                continue;
            }
            var positive = isFloat ? posXor.Select(x => BitConverter.UInt64BitsToDouble(x.Value)).ToArray() : Cumulative(posDeltas);
            var negative = isFloat ? negXor.Select(x => BitConverter.UInt64BitsToDouble(x.Value)).ToArray() : Cumulative(negDeltas);
            samples.Add(new Sample(t, false, schema, zeroThreshold,
                isFloat ? BitConverter.UInt64BitsToDouble(floatCount.Value) : intCount,
                isFloat ? BitConverter.UInt64BitsToDouble(floatZero.Value) : intZero,
                sum.Value, ByIndex(positiveSpans, positive), ByIndex(negativeSpans, negative), customValues));
        }
        return (header, samples);
    }

    private static double[] Cumulative(long[] deltas)
    {
        var result = new double[deltas.Length];
        long current = 0;
        for (var i = 0; i < deltas.Length; i++)
        {
            current += deltas[i];
            result[i] = current;
        }
        return result;
    }

    private static SortedDictionary<int, double> ByIndex(List<(int Offset, int Length)> spans, double[] counts)
    {
        var result = new SortedDictionary<int, double>();
        var index = 0;
        var k = 0;
        foreach (var (offset, length) in spans)
        {
            index += offset;
            for (var j = 0; j < length; j++, index++, k++)
            {
                if (counts[k] != 0)
                {
                    result[index] = counts[k];
                }
            }
        }
        return result;
    }

    private static List<(int, int)> ReadSpans(ChunkBits bits)
    {
        var spans = new List<(int, int)>();
        var n = bits.VarbitUint();
        for (ulong s = 0; s < n; s++)
        {
            var length = (int)bits.VarbitUint();
            var offset = (int)bits.VarbitInt();
            spans.Add((offset, length));
        }
        return spans;
    }

    private sealed class Xor
    {
        private int _leading = -1;
        private int _trailing;

        public ulong Value { get; set; }

        public void Read(ChunkBits bits)
        {
            if (bits.Read(1) == 0)
            {
                return;
            }
            if (bits.Read(1) == 1)
            {
                _leading = (int)bits.Read(5);
                var significant = (int)bits.Read(6);
                _trailing = 64 - _leading - (significant == 0 ? 64 : significant);
            }
            Value ^= bits.Read(64 - _leading - _trailing) << _trailing;
        }
    }
}
