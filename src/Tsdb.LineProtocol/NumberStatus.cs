namespace Tsdb.LineProtocol;

internal enum NumberStatus
{
    Ok,
    Invalid,
    Overflow,
}
