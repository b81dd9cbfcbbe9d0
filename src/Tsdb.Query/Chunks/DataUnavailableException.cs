namespace Tsdb.Query.Chunks;

/// <summary>
/// Data a query needs cannot be reached now (in a cluster: an ingest node holding unpersisted rows does not answer).
/// Not the query's fault: the APIs answer 503, and the same query may succeed later.
/// </summary>
public sealed class DataUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
