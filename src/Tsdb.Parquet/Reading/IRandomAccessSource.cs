namespace Tsdb.Parquet.Reading;

/// <summary>
/// Random-access bytes: a file, a byte array, or an object in an object store read by ranges. The reader asks for
/// the footer and then for column chunks (or single pages), never for the whole file.
/// </summary>
public interface IRandomAccessSource
{
    long Length { get; }

    /// <summary>Fills <paramref name="destination"/> with the bytes at <paramref name="offset"/>.</summary>
    ValueTask ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken = default);

    /// <summary>
    /// Fills each destination with the bytes at its offset. A selective read asks for all the pages it needs at once,
    /// so a source that can serve several ranges together (one open file, one request) should.
    /// </summary>
    async ValueTask ReadAsync(IReadOnlyList<SourceRange> ranges, CancellationToken cancellationToken = default)
    {
        foreach (var (offset, destination) in ranges)
        {
            await ReadAsync(offset, destination, cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>Bytes to read at <see cref="Offset"/>, as many as <see cref="Destination"/> holds.</summary>
public readonly record struct SourceRange(long Offset, Memory<byte> Destination);

/// <summary>Bytes already in memory.</summary>
public sealed class MemoryRandomAccessSource(ReadOnlyMemory<byte> bytes) : IRandomAccessSource
{
    public long Length => bytes.Length;

    /// <summary>How many reads were made and how many bytes they asked for (tests check pruning with these).</summary>
    public int ReadCount { get; private set; }

    public long BytesRead { get; private set; }

    public ValueTask ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (offset < 0 || offset > bytes.Length - destination.Length)
        {
            throw new ParquetFormatException($"read of {destination.Length} bytes at {offset} is outside the {bytes.Length}-byte file");
        }
        ReadCount++;
        BytesRead += destination.Length;
        bytes.Span.Slice((int)offset, destination.Length).CopyTo(destination.Span);
        return ValueTask.CompletedTask;
    }
}

/// <summary>A local file, read with positioned reads (safe to share between concurrent readers).</summary>
public sealed class FileRandomAccessSource : IRandomAccessSource, IDisposable
{
    private readonly Microsoft.Win32.SafeHandles.SafeFileHandle _handle;

    public FileRandomAccessSource(string path)
    {
        _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        Length = RandomAccess.GetLength(_handle);
    }

    public long Length { get; }

    public async ValueTask ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (offset < 0 || offset > Length - destination.Length)
        {
            throw new ParquetFormatException($"read of {destination.Length} bytes at {offset} is outside the {Length}-byte file");
        }
        var done = 0;
        while (done < destination.Length)
        {
            var n = await RandomAccess.ReadAsync(_handle, destination[done..], offset + done, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                throw new ParquetFormatException($"the file ended at {offset + done} while reading {destination.Length} bytes at {offset}");
            }
            done += n;
        }
    }

    public void Dispose() => _handle.Dispose();
}
