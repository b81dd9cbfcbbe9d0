using Tsdb.Parquet.Thrift;

namespace Tsdb.Parquet.Metadata;

/// <summary>parquet.thrift <c>KeyValue</c>: file and column key/value metadata (e.g. <c>ARROW:schema</c>).</summary>
public sealed class KeyValue
{
    public KeyValue()
    {
    }

    public KeyValue(string key, string? value)
    {
        Key = key;
        Value = value;
    }

    /// <summary>1: required.</summary>
    public string Key { get; set; } = "";

    /// <summary>2: optional.</summary>
    public string? Value { get; set; }

    internal static KeyValue Read(ref ThriftCompactReader reader)
    {
        var result = new KeyValue();
        var hasKey = false;
        reader.ReadStructBegin();
        for (var field = reader.ReadFieldHeader(); !field.IsStop; field = reader.ReadFieldHeader())
        {
            switch (field.Id)
            {
                case 1:
                    reader.Expect(field, ThriftType.Binary, "KeyValue.key");
                    result.Key = reader.ReadString();
                    hasKey = true;
                    break;
                case 2:
                    reader.Expect(field, ThriftType.Binary, "KeyValue.value");
                    result.Value = reader.ReadString();
                    break;
                default:
                    reader.Skip(field.Type);
                    break;
            }
        }
        reader.Require(hasKey, "KeyValue.key");
        reader.ReadStructEnd();
        return result;
    }

    internal void Write(ThriftCompactWriter writer)
    {
        writer.WriteStructBegin();
        writer.WriteStringField(1, Key);
        if (Value is not null)
        {
            writer.WriteStringField(2, Value);
        }
        writer.WriteFieldStop();
        writer.WriteStructEnd();
    }
}
