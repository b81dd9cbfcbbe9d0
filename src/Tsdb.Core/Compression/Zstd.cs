using System.Runtime.InteropServices;

namespace Tsdb.Core.Compression;

/// <summary>
/// Zstandard through the system's libzstd (Debian <c>libzstd1</c>), for Arrow IPC bodies, Parquet pages and WAL
/// records alike. The managed port (ZstdSharp.Port) takes 1.09–1.48× its time on our pages (docs/dependencies.md).
/// </summary>
public static partial class Zstd
{
    private const string Lib = "libzstd.so.1";

    /// <summary>The level libzstd uses when asked for 0.</summary>
    public const int DefaultLevel = 3;

    /// <summary>Upper bound of the compressed size of <paramref name="sourceLength"/> bytes.</summary>
    public static int MaxCompressedLength(int sourceLength) => checked((int)ZSTD_compressBound((nuint)sourceLength));

    /// <summary>Compresses <paramref name="source"/> into <paramref name="destination"/>; returns the bytes written.</summary>
    public static unsafe int Compress(ReadOnlySpan<byte> source, Span<byte> destination, int level = DefaultLevel)
    {
        nuint written;
        var context = t_compression ??= Context.ForCompression();
        fixed (byte* src = source)
        fixed (byte* dst = destination)
        {
            written = ZSTD_compressCCtx(context.DangerousGetHandle(), dst, (nuint)destination.Length, src, (nuint)source.Length, level);
        }
        ThrowIfError(written, "compress");
        return (int)written;
    }

    /// <summary>
    /// Decompresses one or more frames; returns the bytes written. Throws <see cref="InvalidDataException"/> when the
    /// input is not valid zstd or does not fit <paramref name="destination"/>.
    /// </summary>
    public static unsafe int Decompress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        nuint written;
        var context = t_decompression ??= Context.ForDecompression();
        fixed (byte* src = source)
        fixed (byte* dst = destination)
        {
            written = ZSTD_decompressDCtx(context.DangerousGetHandle(), dst, (nuint)destination.Length, src, (nuint)source.Length);
        }
        ThrowIfError(written, "decompress");
        return (int)written;
    }

    /// <summary>The content size written in the first frame's header, or null when the frame does not say.</summary>
    public static unsafe long? GetFrameContentSize(ReadOnlySpan<byte> source)
    {
        ulong size;
        fixed (byte* src = source)
        {
            size = ZSTD_getFrameContentSize(src, (nuint)source.Length);
        }
        // ZSTD_CONTENTSIZE_UNKNOWN = -1, ZSTD_CONTENTSIZE_ERROR = -2.
        if (size == ulong.MaxValue - 1)
        {
            throw new InvalidDataException("zstd: not a valid frame header");
        }
        return size == ulong.MaxValue || size > long.MaxValue ? null : (long)size;
    }

    // One context per thread, kept: ZSTD_compress and ZSTD_decompress allocate and set up a fresh one on every call
    // (a decompression context is ~100 KiB; glibc hands blocks that large out by mmap, so each call faulted in fresh
    // pages), which for a 30 KiB page cost more than the decompression itself. A context serves one call at a time,
    // hence per thread; it is freed when its thread ends and the handle is finalized.
    [ThreadStatic]
    private static Context? t_compression;

    [ThreadStatic]
    private static Context? t_decompression;

    /// <summary>A libzstd context (compression or decompression), freed with the kind's own function.</summary>
    private sealed class Context : SafeHandle
    {
        private readonly bool _compression;

        private Context(bool compression) : base(IntPtr.Zero, ownsHandle: true)
        {
            _compression = compression;
            SetHandle(compression ? ZSTD_createCCtx() : ZSTD_createDCtx());
            if (IsInvalid)
            {
                throw new InvalidOperationException($"zstd: could not create a {(compression ? "" : "de")}compression context (out of memory)");
            }
        }

        public static Context ForCompression() => new(compression: true);

        public static Context ForDecompression() => new(compression: false);

        public override bool IsInvalid => handle == IntPtr.Zero;

        protected override bool ReleaseHandle()
        {
            _ = _compression ? ZSTD_freeCCtx(handle) : ZSTD_freeDCtx(handle);
            return true;
        }
    }

    private static void ThrowIfError(nuint code, string what)
    {
        if (ZSTD_isError(code) != 0)
        {
            throw new InvalidDataException($"zstd {what} failed: {Marshal.PtrToStringAnsi(ZSTD_getErrorName(code))}");
        }
    }

    [LibraryImport(Lib)]
    private static partial nint ZSTD_createCCtx();

    [LibraryImport(Lib)]
    private static partial nuint ZSTD_freeCCtx(nint cctx);

    [LibraryImport(Lib)]
    private static partial nint ZSTD_createDCtx();

    [LibraryImport(Lib)]
    private static partial nuint ZSTD_freeDCtx(nint dctx);

    [LibraryImport(Lib)]
    private static unsafe partial nuint ZSTD_compressCCtx(nint cctx, byte* dst, nuint dstCapacity, byte* src, nuint srcSize, int level);

    [LibraryImport(Lib)]
    private static unsafe partial nuint ZSTD_decompressDCtx(nint dctx, byte* dst, nuint dstCapacity, byte* src, nuint srcSize);

    [LibraryImport(Lib)]
    private static partial nuint ZSTD_compressBound(nuint srcSize);

    [LibraryImport(Lib)]
    private static partial uint ZSTD_isError(nuint code);

    [LibraryImport(Lib)]
    private static partial nint ZSTD_getErrorName(nuint code);

    [LibraryImport(Lib)]
    private static unsafe partial ulong ZSTD_getFrameContentSize(byte* src, nuint srcSize);
}
