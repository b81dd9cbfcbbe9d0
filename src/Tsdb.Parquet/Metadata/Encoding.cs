namespace Tsdb.Parquet.Metadata;

/// <summary>parquet.thrift <c>Encoding</c> (1, GROUP_VAR_INT, was never used).</summary>
public enum Encoding
{
    Plain = 0,
    PlainDictionary = 2,
    Rle = 3,
    BitPacked = 4,
    DeltaBinaryPacked = 5,
    DeltaLengthByteArray = 6,
    DeltaByteArray = 7,
    RleDictionary = 8,
    ByteStreamSplit = 9,
}
