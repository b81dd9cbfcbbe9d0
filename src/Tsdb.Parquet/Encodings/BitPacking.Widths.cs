using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Tsdb.Parquet.Encodings;

internal static partial class BitPacking
{
    // One generic instantiation per width: the JIT compiles each with the width as a constant, so every shift,
    // mask and byte offset in Unpack8 folds away (8 unaligned loads, shifts and masks per group, no branches).
    private interface IWidth
    {
        static abstract int Bits { get; }
    }

    private static void UnpackSpecialised(ReadOnlySpan<byte> input, int bitWidth, Span<uint> output, int groups)
    {
        switch (bitWidth)
        {
            case 1: UnpackGroups<W1>(input, output, groups); break;
            case 2: UnpackGroups<W2>(input, output, groups); break;
            case 3: UnpackGroups<W3>(input, output, groups); break;
            case 4: UnpackGroups<W4>(input, output, groups); break;
            case 5: UnpackGroups<W5>(input, output, groups); break;
            case 6: UnpackGroups<W6>(input, output, groups); break;
            case 7: UnpackGroups<W7>(input, output, groups); break;
            case 8: UnpackGroups<W8>(input, output, groups); break;
            case 9: UnpackGroups<W9>(input, output, groups); break;
            case 10: UnpackGroups<W10>(input, output, groups); break;
            case 11: UnpackGroups<W11>(input, output, groups); break;
            case 12: UnpackGroups<W12>(input, output, groups); break;
            case 13: UnpackGroups<W13>(input, output, groups); break;
            case 14: UnpackGroups<W14>(input, output, groups); break;
            case 15: UnpackGroups<W15>(input, output, groups); break;
            case 16: UnpackGroups<W16>(input, output, groups); break;
            case 17: UnpackGroups<W17>(input, output, groups); break;
            case 18: UnpackGroups<W18>(input, output, groups); break;
            case 19: UnpackGroups<W19>(input, output, groups); break;
            case 20: UnpackGroups<W20>(input, output, groups); break;
            case 21: UnpackGroups<W21>(input, output, groups); break;
            case 22: UnpackGroups<W22>(input, output, groups); break;
            case 23: UnpackGroups<W23>(input, output, groups); break;
            case 24: UnpackGroups<W24>(input, output, groups); break;
            case 25: UnpackGroups<W25>(input, output, groups); break;
            case 26: UnpackGroups<W26>(input, output, groups); break;
            case 27: UnpackGroups<W27>(input, output, groups); break;
            case 28: UnpackGroups<W28>(input, output, groups); break;
            case 29: UnpackGroups<W29>(input, output, groups); break;
            case 30: UnpackGroups<W30>(input, output, groups); break;
            case 31: UnpackGroups<W31>(input, output, groups); break;
            default: throw new ArgumentOutOfRangeException(nameof(bitWidth), bitWidth, "1..31 expected");
        }
    }

    private static void UnpackGroups<TWidth>(ReadOnlySpan<byte> input, Span<uint> output, int groups)
        where TWidth : struct, IWidth
    {
        var width = TWidth.Bits;
        ref var src = ref MemoryMarshal.GetReference(input);
        ref var dst = ref MemoryMarshal.GetReference(output);
        // Group g reads 8-byte words up to byte g*w + w + 8, which must lie inside the input.
        var fast = input.Length >= 8 ? Math.Min(groups, (input.Length - 8) / width) : 0;
        for (var g = 0; g < fast; g++)
        {
            Unpack8<TWidth>(ref Unsafe.Add(ref src, g * width), ref Unsafe.Add(ref dst, g * 8));
        }
        if (fast < groups)
        {
            Span<byte> tail = stackalloc byte[32 + 8];
            for (var g = fast; g < groups; g++)
            {
                tail.Clear();
                input.Slice(g * width, width).CopyTo(tail);
                Unpack8<TWidth>(ref MemoryMarshal.GetReference(tail), ref Unsafe.Add(ref dst, g * 8));
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Unpack8<TWidth>(ref byte src, ref uint dst)
        where TWidth : struct, IWidth
    {
        var w = TWidth.Bits;
        var mask = (1UL << w) - 1;
        Unsafe.Add(ref dst, 0) = (uint)(Load64(ref src, 0) & mask);
        Unsafe.Add(ref dst, 1) = (uint)((Load64(ref src, w >> 3) >> (w & 7)) & mask);
        Unsafe.Add(ref dst, 2) = (uint)((Load64(ref src, (2 * w) >> 3) >> ((2 * w) & 7)) & mask);
        Unsafe.Add(ref dst, 3) = (uint)((Load64(ref src, (3 * w) >> 3) >> ((3 * w) & 7)) & mask);
        Unsafe.Add(ref dst, 4) = (uint)((Load64(ref src, (4 * w) >> 3) >> ((4 * w) & 7)) & mask);
        Unsafe.Add(ref dst, 5) = (uint)((Load64(ref src, (5 * w) >> 3) >> ((5 * w) & 7)) & mask);
        Unsafe.Add(ref dst, 6) = (uint)((Load64(ref src, (6 * w) >> 3) >> ((6 * w) & 7)) & mask);
        Unsafe.Add(ref dst, 7) = (uint)((Load64(ref src, (7 * w) >> 3) >> ((7 * w) & 7)) & mask);
    }

    private readonly struct W1 : IWidth { public static int Bits => 1; }
    private readonly struct W2 : IWidth { public static int Bits => 2; }
    private readonly struct W3 : IWidth { public static int Bits => 3; }
    private readonly struct W4 : IWidth { public static int Bits => 4; }
    private readonly struct W5 : IWidth { public static int Bits => 5; }
    private readonly struct W6 : IWidth { public static int Bits => 6; }
    private readonly struct W7 : IWidth { public static int Bits => 7; }
    private readonly struct W8 : IWidth { public static int Bits => 8; }
    private readonly struct W9 : IWidth { public static int Bits => 9; }
    private readonly struct W10 : IWidth { public static int Bits => 10; }
    private readonly struct W11 : IWidth { public static int Bits => 11; }
    private readonly struct W12 : IWidth { public static int Bits => 12; }
    private readonly struct W13 : IWidth { public static int Bits => 13; }
    private readonly struct W14 : IWidth { public static int Bits => 14; }
    private readonly struct W15 : IWidth { public static int Bits => 15; }
    private readonly struct W16 : IWidth { public static int Bits => 16; }
    private readonly struct W17 : IWidth { public static int Bits => 17; }
    private readonly struct W18 : IWidth { public static int Bits => 18; }
    private readonly struct W19 : IWidth { public static int Bits => 19; }
    private readonly struct W20 : IWidth { public static int Bits => 20; }
    private readonly struct W21 : IWidth { public static int Bits => 21; }
    private readonly struct W22 : IWidth { public static int Bits => 22; }
    private readonly struct W23 : IWidth { public static int Bits => 23; }
    private readonly struct W24 : IWidth { public static int Bits => 24; }
    private readonly struct W25 : IWidth { public static int Bits => 25; }
    private readonly struct W26 : IWidth { public static int Bits => 26; }
    private readonly struct W27 : IWidth { public static int Bits => 27; }
    private readonly struct W28 : IWidth { public static int Bits => 28; }
    private readonly struct W29 : IWidth { public static int Bits => 29; }
    private readonly struct W30 : IWidth { public static int Bits => 30; }
    private readonly struct W31 : IWidth { public static int Bits => 31; }
}
