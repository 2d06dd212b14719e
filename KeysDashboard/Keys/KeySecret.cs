using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;

namespace KeysDashboard.Keys;

/// <summary>
/// The format of an API key secret: <c>{prefix}{30 random base62 chars}{6 base62 chars of CRC32}</c>.
/// 30 base62 characters carry 178 bits of entropy. The checksum lets us reject a mistyped or truncated key
/// without touching the database, and gives leak scanners a pattern to recognise.
/// </summary>
internal static class KeySecret
{
    internal const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    internal const int RandomLength = 30;
    internal const int ChecksumLength = 6;
    private const int TailLength = RandomLength + ChecksumLength;
    private const int MaxPrefixLength = 16;

    public static string Generate(string prefix)
    {
        ValidatePrefix(prefix);
        var body = prefix + RandomNumberGenerator.GetString(Alphabet, RandomLength);
        return body + Checksum(body);
    }

    /// <summary>
    /// True when <paramref name="presented"/> has the shape of a key and its checksum matches. The prefix is
    /// whatever precedes the random part, so keys issued before a prefix change keep working.
    /// </summary>
    public static bool IsWellFormed(string? presented)
    {
        if (presented is null || presented.Length <= TailLength || presented.Length > TailLength + MaxPrefixLength)
        {
            return false;
        }

        var tail = presented.AsSpan(presented.Length - TailLength);
        foreach (var c in tail)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        var body = presented[..^ChecksumLength];
        return string.Equals(Checksum(body), presented[^ChecksumLength..], StringComparison.Ordinal);
    }

    /// <summary>
    /// What a pasted string is, for the leaked-key desk: not shaped like a key of this instance (its prefix and
    /// length), shaped like one but with a wrong checksum (mistyped or truncated), or well formed.
    /// </summary>
    public static SecretShape Inspect(string? pasted, string prefix)
    {
        if (IsWellFormed(pasted))
        {
            // Also a key issued under an earlier prefix.
            return SecretShape.WellFormed;
        }
        var shaped = pasted is not null
            && pasted.Length == prefix.Length + TailLength
            && pasted.StartsWith(prefix, StringComparison.Ordinal)
            && !pasted.AsSpan(prefix.Length).ContainsAnyExcept(AlphabetValues);
        return shaped ? SecretShape.Mistyped : SecretShape.NotAKey;
    }

    private static readonly System.Buffers.SearchValues<char> AlphabetValues = System.Buffers.SearchValues.Create(Alphabet);

    /// <summary>The prefix of a well-formed key, for display (<c>kd_</c>).</summary>
    public static string PrefixOf(string secret) => secret[..^TailLength];

    public static string LastFour(string secret) => secret[^4..];

    public static string Mask(string prefix, string lastFour) => $"{prefix}...{lastFour}";

    /// <summary>SHA-256 of the secret, hex encoded. Secrets carry 178 random bits, so a fast hash is enough.</summary>
    public static string Hash(string secret) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    internal static string Checksum(string body)
    {
        var crc = Crc32.HashToUInt32(Encoding.UTF8.GetBytes(body));
        return ToBase62(crc, ChecksumLength);
    }

    private static string ToBase62(uint value, int width)
    {
        Span<char> chars = stackalloc char[width];
        for (var i = width - 1; i >= 0; i--)
        {
            chars[i] = Alphabet[(int)(value % 62)];
            value /= 62;
        }
        return new string(chars);
    }

    public static void ValidatePrefix(string prefix)
    {
        if (prefix.Length is 0 or > MaxPrefixLength || !prefix.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
        {
            throw new ArgumentException(
                $"Key prefix must be 1 to {MaxPrefixLength} characters of letters, digits, '_' or '-'.", nameof(prefix));
        }
    }
}

internal enum SecretShape
{
    NotAKey,
    Mistyped,
    WellFormed,
}
