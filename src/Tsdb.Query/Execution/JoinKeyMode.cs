namespace Tsdb.Query.Execution;

/// <summary>
/// How a probe key code is compared with a build key code, named probe class first. Equal classes compare codes;
/// mixed numeric classes compare values exactly (no rounding through double), so int64 1 matches float64 1.0 but
/// int64 2^53 + 1 does not match float64 2^53.
/// </summary>
internal enum JoinKeyMode
{
    Exact,
    Never,
    SignedUnsigned,
    UnsignedSigned,
    SignedFloat,
    FloatSigned,
    UnsignedFloat,
    FloatUnsigned,
}
