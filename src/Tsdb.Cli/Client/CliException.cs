namespace Tsdb.Cli.Client;

/// <summary>An error the user can act on: printed as one "error: …" line, no stack trace.</summary>
internal sealed class CliException(string message, int exitCode = 1) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
