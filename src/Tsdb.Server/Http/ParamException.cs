namespace Tsdb.Server.Http;

/// <summary>A bad request parameter of the Prometheus API: answered as errorType bad_data.</summary>
internal sealed class ParamException(string message) : Exception(message)
{
}
