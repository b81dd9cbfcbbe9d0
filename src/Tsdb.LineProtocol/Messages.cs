namespace Tsdb.LineProtocol;

/// <summary>
/// The messages of <see cref="LineError"/>: fixed strings, since the column says where, except where InfluxDB 3's
/// wording names the key (built only on the error path, so good lines still allocate nothing).
/// </summary>
internal static class Messages
{
    public const string InvalidUtf8 = "invalid UTF-8";
    public const string MissingMeasurement = "missing measurement";
    public const string MissingTagKey = "missing tag key";
    public const string ExpectedTagEquals = "expected '=' after tag key";
    public const string MissingTagValue = "missing tag value";
    public const string DuplicateTagKey = "duplicate tag key";
    public const string MissingFields = "missing fields";
    public const string MissingFieldKey = "missing field key";
    public const string ExpectedFieldEquals = "expected '=' after field key";
    public const string MissingFieldValue = "missing field value";
    public const string UnterminatedString = "unterminated string";
    public const string ExpectedAfterString = "expected ',' or ' ' after string value";
    public const string InvalidFieldValue = "invalid field value";
    public const string IntegerOutOfRange = "integer value out of range";
    public const string UnsignedOutOfRange = "unsigned integer value out of range";
    public const string NegativeUnsigned = "unsigned integer value is negative";
    public const string FloatOutOfRange = "float value out of range";
    public const string FieldIsTag = "field key is also a tag key";
    public const string InvalidTimestamp = "invalid timestamp";
    public const string TimestampOutOfRange = "timestamp out of range";
    public const string TextAfterTimestamp = "unexpected text after timestamp";

    public static string RepeatedField(string key) => $"multiple instances of '{key}' field found";
}
