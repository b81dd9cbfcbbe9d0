namespace Tsdb.Query.Execution;

/// <summary>How one side's join key column is coded: each class has its own 64-bit code per row.</summary>
internal enum JoinKeyClass
{
    /// <summary>An all-null column (a NULL literal): never matches.</summary>
    Null,

    /// <summary>Signed integers and timestamps: the value.</summary>
    Signed,

    /// <summary>Unsigned integers: the value's bits.</summary>
    Unsigned,

    /// <summary>Floats: the double's bits, with -0.0 as 0.0 and every NaN as one NaN.</summary>
    Float,

    /// <summary>Booleans: 0 or 1.</summary>
    Boolean,

    /// <summary>Strings and binaries, plain or dictionary-encoded: an id interned over the build side's values.</summary>
    String,
}
