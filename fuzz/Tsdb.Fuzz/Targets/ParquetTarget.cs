using Tsdb.Parquet;
using Tsdb.Parquet.Reading;

namespace Tsdb.Fuzz.Targets;

/// <summary>
/// Contract: a Parquet file (an upload to <c>tsdb write</c>, or a file on the object store) through
/// <see cref="ParquetReader.OpenAsync(ReadOnlyMemory{byte}, ParquetReadOptions?, CancellationToken)"/> (footer and
/// its Thrift metadata) and <see cref="ParquetReader.ReadAllAsync"/> (pages, codecs, encodings), every value touched.
/// Only <see cref="ParquetFormatException"/> may come out.
/// </summary>
internal sealed class ParquetTarget : FuzzTarget
{
    public override string Name => "parquet";

    public override string Contract => "ParquetReader.OpenAsync and ReadAllAsync, every value read: only ParquetFormatException";

    public override void Run(byte[] input)
    {
        var reader = ParquetReader.OpenAsync(input).GetAwaiter().GetResult();
        foreach (var batch in reader.ReadAllAsync().GetAwaiter().GetResult())
        {
            using (batch)
            {
                BatchToucher.Touch(batch);
            }
        }
    }

    public override bool IsExpected(Exception exception) => exception is ParquetFormatException;
}
