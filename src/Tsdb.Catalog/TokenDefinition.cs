namespace Tsdb.Catalog;

/// <summary>An API token as stored: only the SHA-256 of the secret is kept.</summary>
public sealed record TokenDefinition(string Name, string Sha256Hex, bool IsAdmin, DateTimeOffset CreatedAt);
