namespace Tsdb.Query.Tests.Conformance;

/// <summary>What <see cref="TestInput"/> throws when told to fail: a type no operator has reason to catch or wrap.</summary>
public sealed class InputFailedException : Exception
{
    public InputFailedException()
        : base("the test input failed")
    {
    }

    public InputFailedException(string message)
        : base(message)
    {
    }

    public InputFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
