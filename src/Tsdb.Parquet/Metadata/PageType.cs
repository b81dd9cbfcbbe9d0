namespace Tsdb.Parquet.Metadata;

/// <summary>parquet.thrift <c>PageType</c>.</summary>
public enum PageType
{
    DataPage = 0,
    IndexPage = 1,
    DictionaryPage = 2,
    DataPageV2 = 3,
}
