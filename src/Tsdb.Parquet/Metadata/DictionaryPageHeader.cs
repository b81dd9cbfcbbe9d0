using Tsdb.Parquet.Thrift;

namespace Tsdb.Parquet.Metadata;

/// <summary>parquet.thrift <c>DictionaryPageHeader</c>: at most one per column chunk, before its data pages.</summary>
public sealed class DictionaryPageHeader
{
    /// <summary>1: required.</summary>
    public int NumValues { get; set; }

    /// <summary>2: required; PLAIN (or the deprecated PLAIN_DICTIONARY).</summary>
    public Encoding Encoding { get; set; }

    /// <summary>3: optional.</summary>
    public bool? IsSorted { get; set; }

    internal static DictionaryPageHeader Read(ref ThriftCompactReader reader)
    {
        var result = new DictionaryPageHeader();
        bool hasNumValues = false, hasEncoding = false;
        reader.ReadStructBegin();
        for (var field = reader.ReadFieldHeader(); !field.IsStop; field = reader.ReadFieldHeader())
        {
            switch (field.Id)
            {
                case 1:
                    reader.Expect(field, ThriftType.I32, "DictionaryPageHeader.num_values");
                    result.NumValues = reader.ReadI32();
                    hasNumValues = true;
                    break;
                case 2:
                    reader.Expect(field, ThriftType.I32, "DictionaryPageHeader.encoding");
                    result.Encoding = (Encoding)reader.ReadI32();
                    hasEncoding = true;
                    break;
                case 3:
                    reader.Expect(field, ThriftType.Bool, "DictionaryPageHeader.is_sorted");
                    result.IsSorted = reader.ReadBool();
                    break;
                default:
                    reader.Skip(field.Type);
                    break;
            }
        }
        reader.Require(hasNumValues, "DictionaryPageHeader.num_values");
        reader.Require(hasEncoding, "DictionaryPageHeader.encoding");
        reader.ReadStructEnd();
        return result;
    }

    internal void Write(ThriftCompactWriter writer)
    {
        writer.WriteStructBegin();
        writer.WriteI32Field(1, NumValues);
        writer.WriteI32Field(2, (int)Encoding);
        if (IsSorted is { } isSorted)
        {
            writer.WriteBoolField(3, isSorted);
        }
        writer.WriteFieldStop();
        writer.WriteStructEnd();
    }
}
