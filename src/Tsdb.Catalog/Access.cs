namespace Tsdb.Catalog;

/// <summary>What an endpoint (HTTP route or Flight call) needs of the caller's token.</summary>
public enum Access
{
    /// <summary>No token at all (health, ping).</summary>
    Public,

    /// <summary>Any valid token (metadata that reveals no data, e.g. build info).</summary>
    Authenticated,

    /// <summary>Read on the database the request names.</summary>
    Read,

    /// <summary>Write on the database the request names.</summary>
    Write,

    /// <summary>Delete on the database the request names.</summary>
    Delete,

    /// <summary>An admin token: databases, tokens, persistence and compaction.</summary>
    Admin,
}
