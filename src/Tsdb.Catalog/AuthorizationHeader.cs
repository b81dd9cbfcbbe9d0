using System.Text;

namespace Tsdb.Catalog;

/// <summary>
/// Reads the token out of an <c>Authorization</c> value: <c>Bearer &lt;t&gt;</c>, <c>Token &lt;t&gt;</c>, or
/// <c>Basic</c> with the token as password (the user name is ignored). One parser for the HTTP APIs and for Flight,
/// so that both accept exactly the same headers.
/// </summary>
public static class AuthorizationHeader
{
    /// <summary>
    /// False when the value is malformed (no credentials after the scheme, an unknown scheme, Basic that is not
    /// base64). True otherwise, with <paramref name="secret"/> null when the value is empty or blank.
    /// </summary>
    public static bool TryGetSecret(string? value, out string? secret)
    {
        secret = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            return true;
        }
        var space = value.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0 || space == value.Length - 1)
        {
            return false;
        }
        var scheme = value.AsSpan(0, space);
        var credential = value[(space + 1)..].Trim();
        // Schemes are case-insensitive (RFC 9110 §11.1): clients and proxies send "bearer" as well as "Bearer".
        if (scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase) || scheme.Equals("Token", StringComparison.OrdinalIgnoreCase))
        {
            secret = credential;
            return true;
        }
        if (scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            if (DecodeBasic(credential) is not { } decoded)
            {
                return false;
            }
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            secret = colon < 0 ? decoded : decoded[(colon + 1)..];
            return true;
        }
        return false;
    }

    /// <summary>Base64 with or without padding (arrow-go sends it unpadded).</summary>
    private static string? DecodeBasic(string credential)
    {
        var padded = credential.PadRight(credential.Length + ((4 - (credential.Length % 4)) % 4), '=');
        var bytes = new byte[padded.Length / 4 * 3];
        return Convert.TryFromBase64String(padded, bytes, out var written) ? Encoding.UTF8.GetString(bytes, 0, written) : null;
    }
}
