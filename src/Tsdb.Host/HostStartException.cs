namespace Tsdb.Host;

/// <summary>
/// The host could not start for a reason the operator can fix (the data directory in use, the port taken, an
/// address other nodes cannot reach); the message is one line, and <see cref="ExitCode"/> what <c>tsdb serve</c> exits with.
/// </summary>
public sealed class HostStartException(string message, int exitCode) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
