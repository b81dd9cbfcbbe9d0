namespace Tsdb.Fuzz;

/// <summary>
/// One parser of outside bytes, called through the entry point the server calls. The contract: for any input the
/// target returns (the parser answered with an error value or a result) or throws one of the parser's documented error
/// types (<see cref="IsExpected"/>). Any other exception, a stack overflow, running out of memory or not returning is a
/// crash. Each target writes its own contract down in <see cref="Contract"/>.
/// </summary>
public abstract class FuzzTarget
{
    /// <summary>The name on the command line and of the folder under <c>fuzz/corpus</c>.</summary>
    public abstract string Name { get; }

    /// <summary>What the target calls, and which exceptions it may raise.</summary>
    public abstract string Contract { get; }

    /// <summary>Feeds one input to the parser.</summary>
    public abstract void Run(byte[] input);

    /// <summary>True when <paramref name="exception"/> is one the parser documents for bad input.</summary>
    public abstract bool IsExpected(Exception exception);

    /// <summary>
    /// Runs one input and lets only a contract violation escape: what AFL++ sees as a crash, and what the corpus replay
    /// test fails on.
    /// </summary>
    public void Execute(byte[] input)
    {
        try
        {
            Run(input);
        }
        catch (Exception e) when (IsExpected(e))
        {
            // The parser refused the input the way it documents: not a finding.
        }
    }
}
